import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type Tick } from '../../../src/core/index.js';
import {
  BusRecorder,
  openStore,
  type BusRecorderOptions,
  type RecorderErrorReason,
  type Store,
} from '../../../src/store/index.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { brokerQuotes, feedEvent } from '../fixtures.js';

describe('BusRecorder with the inline writer (the default for :memory:)', () => {
  let store: Store;
  let bus: EventBus;
  let clock: TestClock;
  let errors: { reason: RecorderErrorReason; rows: number; message: string }[];
  let trades: Tick[];

  beforeEach(() => {
    store = openStore({ path: ':memory:' });
    bus = new EventBus();
    clock = new TestClock(Date.UTC(2017, 7, 17, 4));
    errors = [];
    trades = trades2017();
  });
  afterEach(() => store.close());

  async function recorder(options: BusRecorderOptions = {}): Promise<BusRecorder> {
    const r = new BusRecorder(bus, store, clock, {
      onError: (error, info) => errors.push({ ...info, message: error instanceof Error ? error.message : String(error) }),
      ...options,
    });
    await r.start();
    return r;
  }

  /** Makes writes to `tables` fail like a full disk until `heal()`: a SQL function that throws, called by triggers. */
  function breakDisk(tables: readonly string[]): { heal: () => void } {
    let broken = true;
    store.db.function('disk_check', () => {
      if (broken) throw new Error('database or disk is full (simulated)');
      return 0;
    });
    for (const table of tables) {
      store.db.exec(`CREATE TEMP TRIGGER full_${table} AFTER INSERT ON main.${table} BEGIN SELECT disk_check(); END`);
    }
    return { heal: () => (broken = false) };
  }

  it('publish only buffers; the interval flush writes every topic in one go', async () => {
    const r = await recorder();
    expect(r.writer).toBe('inline');
    for (const t of trades.slice(0, 3)) bus.publish('tick.accepted', t);
    bus.publish('candle.closed', klines2017()[0]!);
    bus.publish('system.event', feedEvent('feed.connected', clock.now()));
    bus.publish('tick.raw', trades[3]!); // not recorded
    expect(r.stats().buffered).toEqual({ ticks: 3, candles: 1, events: 1, structures: 0 });
    expect(store.ticks.countTicks()).toBe(0);
    clock.advance(249);
    expect(store.ticks.countTicks()).toBe(0);
    clock.advance(1);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 10 })).toEqual(trades.slice(0, 3));
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 10 })).toEqual([klines2017()[0]]);
    expect(store.events.list({ limit: 10 }).map((e) => e.kind)).toEqual(['feed.connected']);
    expect(r.stats()).toMatchObject({
      writer: 'inline',
      buffered: { ticks: 0, candles: 0, events: 0 },
      pending: { batches: 0, rows: 0 },
      written: { ticks: 3, candles: 1, events: 1 },
      flushes: 1,
    });
    // an idle interval writes nothing and counts no flush
    clock.advance(1000);
    expect(r.stats().flushes).toBe(1);
    await r.stop();
  });

  it('flushes as soon as a buffer reaches maxBatch, on the next timer turn', async () => {
    const r = await recorder({ maxBatch: 100, flushMs: 60_000 });
    for (const t of trades.slice(0, 99)) bus.publish('tick.accepted', t);
    expect(clock.pending()).toBe(1); // only the interval
    bus.publish('tick.accepted', trades[99]!);
    expect(store.ticks.countTicks()).toBe(0); // still nothing written inside publish
    clock.advance(0);
    expect(store.ticks.countTicks()).toBe(100);
    for (const t of trades.slice(100, 150)) bus.publish('tick.accepted', t);
    clock.advance(59_999);
    expect(store.ticks.countTicks()).toBe(100);
    clock.advance(1);
    expect(store.ticks.countTicks()).toBe(150);
    await r.stop();
  });

  it('stop unsubscribes, cancels its timers and loses nothing', async () => {
    const r = await recorder({ maxBatch: 10 });
    for (const t of trades.slice(0, 25)) bus.publish('tick.accepted', t);
    bus.publish('system.event', feedEvent('feed.stopped', clock.now()));
    await r.stop();
    expect(store.ticks.countTicks()).toBe(25);
    expect(store.events.list({ limit: 5 })).toHaveLength(1);
    expect(bus.listenerCount('tick.accepted') + bus.listenerCount('candle.closed') + bus.listenerCount('system.event')).toBe(0);
    expect(clock.pending()).toBe(0);
    bus.publish('tick.accepted', trades[30]!);
    expect(r.stats().buffered.ticks).toBe(0);
    await r.stop(); // twice is fine
    expect(errors).toEqual([]);
  });

  it('gives ticks without venue seq their synthetic id once, on arrival: a retried flush stores them once', async () => {
    const r = await recorder();
    const disk = breakDisk(['event_log']);
    const broker = brokerQuotes(12); // 7 ticks in one second, 5 in the next
    for (const t of broker) bus.publish('tick.accepted', t);
    bus.publish('system.event', feedEvent('feed.connected', clock.now()));
    clock.advance(250); // fails and rolls back
    disk.heal();
    clock.advance(250);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 100 })).toEqual(broker);
    expect(store.db.prepare('SELECT seq FROM unified_ticks ORDER BY ts_event, seq DESC').pluck().all()).toEqual([
      -1, -2, -3, -4, -5, -6, -7, -1, -2, -3, -4, -5,
    ]);
    await r.stop();
  });

  it('counts only new ticks when the same venue ticks arrive again', async () => {
    const r = await recorder();
    for (const t of trades.slice(0, 20)) bus.publish('tick.accepted', t);
    clock.advance(250);
    for (const t of trades.slice(10, 30)) bus.publish('tick.accepted', t);
    clock.advance(250);
    expect(store.ticks.countTicks()).toBe(30);
    expect(r.stats().written.ticks).toBe(30);
    await r.stop();
  });

  it('a failing flush rolls back, keeps the batch, reports it, and succeeds later', async () => {
    const r = await recorder();
    const disk = breakDisk(['event_log']);
    for (const t of trades.slice(0, 40)) bus.publish('tick.accepted', t);
    bus.publish('candle.closed', klines2017()[0]!);
    bus.publish('system.event', feedEvent('feed.connected', clock.now()));
    clock.advance(250);
    // ticks and the candle were written first, then the event failed: all rolled back
    expect(errors).toEqual([{ reason: 'flush_failed', rows: 42, message: 'database or disk is full (simulated)' }]);
    expect(store.ticks.countTicks()).toBe(0);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(0);
    expect(r.stats()).toMatchObject({ buffered: { ticks: 40, candles: 1, events: 1 }, failures: 1, lastError: 'database or disk is full (simulated)' });
    // more data arrives while the disk is full; the next attempt fails too
    for (const t of trades.slice(40, 50)) bus.publish('tick.accepted', t);
    clock.advance(250);
    expect(errors).toHaveLength(2);
    disk.heal();
    clock.advance(250);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 100 })).toEqual(trades.slice(0, 50));
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1);
    expect(store.events.list({ limit: 10 })).toHaveLength(1);
    expect(r.stats()).toMatchObject({ buffered: { ticks: 0, candles: 0, events: 0 }, lost: 0, failures: 2, flushes: 1 });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    await r.stop();
  });

  it('past maxBuffered while failing, drops the oldest rows and counts them as lost', async () => {
    const r = await recorder({ maxBatch: 10, maxBuffered: 50 });
    const disk = breakDisk(['unified_ticks']);
    for (const t of trades.slice(0, 10)) bus.publish('tick.accepted', t);
    clock.advance(0); // batch-size flush fails
    expect(errors.map((e) => e.reason)).toEqual(['flush_failed']);
    for (const t of trades.slice(10, 80)) bus.publish('tick.accepted', t);
    clock.advance(250); // fails again and trims to 50
    expect(r.stats().buffered.ticks).toBe(50);
    expect(r.stats().lost).toBe(30);
    expect(errors.filter((e) => e.reason === 'rows_lost').reduce((n, e) => n + e.rows, 0)).toBe(30);
    disk.heal();
    clock.advance(250);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 100 })).toEqual(trades.slice(30, 80));
    await r.stop();
  });

  it('a healthy store is flushed at once when a producer outruns the timer past maxBuffered', async () => {
    const r = await recorder({ maxBatch: 20, maxBuffered: 50, flushMs: 60_000 });
    for (const t of trades.slice(0, 120)) bus.publish('tick.accepted', t);
    expect(store.ticks.countTicks()).toBe(100);
    expect(r.stats()).toMatchObject({ lost: 0, buffered: { ticks: 20 } });
    await r.stop();
    expect(store.ticks.countTicks()).toBe(120);
  });

  it('drops only the rows that break the schema and stores the rest', async () => {
    const r = await recorder();
    const bad: Tick = { ...trades[5]!, volume: -1 };
    for (const t of [...trades.slice(0, 5), bad, ...trades.slice(6, 10)]) bus.publish('tick.accepted', t);
    bus.publish('system.event', { ...feedEvent('feed.connected', 1), level: 'loud' as 'info' });
    bus.publish('system.event', feedEvent('feed.connected', 2));
    clock.advance(250);
    expect(store.ticks.countTicks()).toBe(9);
    expect(store.events.list({ limit: 10 }).map((e) => e.tsEvent)).toEqual([2]);
    expect(errors).toEqual([{ reason: 'rows_rejected', rows: 2, message: expect.stringMatching(/CHECK constraint failed/) }]);
    expect(r.stats()).toMatchObject({ rejected: 2, written: { ticks: 9, events: 1 }, buffered: { ticks: 0, events: 0 } });
    await r.stop();
  });

  it('keeps its rows when the store is already closed at stop', async () => {
    const r = await recorder();
    bus.publish('tick.accepted', trades[0]!);
    store.close();
    await r.stop();
    expect(errors).toEqual([{ reason: 'flush_failed', rows: 1, message: 'store is closed' }]);
    expect(r.stats().buffered.ticks).toBe(1);
  });
});
