import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus, InvalidRequestError, TestClock, type Candle, type Tick } from '../../../src/core/index.js';
import {
  BusRecorder,
  openStore,
  type BusRecorderOptions,
  type RecorderErrorReason,
  type Store,
} from '../../../src/store/index.js';
import { klines2017, quotes2023, trades2017 } from '../../fixtures/load.js';
import { brokerQuotes, feedEvent, tmpFolder } from '../fixtures.js';

/** Ticks in the order the store returns them (time, source, kind, seq). */
function byStoreOrder(ticks: readonly Tick[]): Tick[] {
  return ticks.slice().sort((a, b) => a.tsEvent - b.tsEvent || (a.seq ?? 0) - (b.seq ?? 0));
}

describe('BusRecorder with the worker writer (file database)', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  let path: string;
  let store: Store;
  let bus: EventBus;
  let clock: TestClock;
  let errors: { reason: RecorderErrorReason; rows: number; message: string }[];
  let recorders: BusRecorder[];

  beforeEach(() => {
    tmp = tmpFolder();
    path = join(tmp.dir, 'utp.sqlite');
    store = openStore({ path });
    bus = new EventBus();
    clock = new TestClock(Date.UTC(2017, 7, 17, 4));
    errors = [];
    recorders = [];
  });
  afterEach(async () => {
    for (const r of recorders) await r.stop();
    store.close();
    tmp.cleanup();
  });

  async function recorder(options: BusRecorderOptions = {}): Promise<BusRecorder> {
    const r = new BusRecorder(bus, store, clock, {
      onError: (error, info) => errors.push({ ...info, message: error instanceof Error ? error.message : String(error) }),
      ...options,
    });
    recorders.push(r);
    await r.start();
    return r;
  }

  it('is the default for a file database; :memory: stays inline and cannot use a worker', async () => {
    const r = await recorder();
    expect(r.writer).toBe('worker');
    expect(r.stats().writer).toBe('worker');
    const memory = openStore({ path: ':memory:' });
    expect(new BusRecorder(bus, memory, clock).writer).toBe('inline');
    expect(() => new BusRecorder(bus, memory, clock, { writer: 'worker' })).toThrow(InvalidRequestError);
    expect(new BusRecorder(bus, store, clock, { writer: 'inline' }).writer).toBe('inline');
    memory.close();
  });

  it('writes every tick, candle and event exactly once, across many batches', async () => {
    const r = await recorder({ maxBatch: 50 });
    const trades = trades2017();
    const quotes = quotes2023(3);
    const broker = brokerQuotes(40);
    const klines = klines2017();
    // interleaved as a live bus would deliver them; every 50 ticks or candles post a batch
    for (let i = 0; i < trades.length; i++) {
      bus.publish('tick.accepted', trades[i]!);
      if (i < broker.length) bus.publish('tick.accepted', broker[i]!);
      if (i < quotes.length) bus.publish('tick.accepted', quotes[i]!);
    }
    for (const k of klines) bus.publish('candle.closed', k);
    const connected = feedEvent('feed.connected', clock.now(), { detail: 'ok' });
    bus.publish('system.event', connected);
    expect(r.stats().pending.batches).toBeGreaterThan(0); // posted at once, written on the other thread
    clock.advance(250); // the interval posts the rest
    await r.drain();
    expect(r.stats()).toMatchObject({
      buffered: { ticks: 0, candles: 0, events: 0 },
      pending: { batches: 0, rows: 0 },
      written: { ticks: 334 + 3 + 40, candles: 1200, events: 1 },
      failures: 0,
      lost: 0,
      rejected: 0,
    });
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', source: 'binance', limit: 1000 })).toEqual(byStoreOrder([...trades, ...quotes]));
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', source: 'mt5', limit: 1000 })).toEqual(broker);
    expect(store.ticks.countTicks()).toBe(377);
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 2000 })).toEqual(klines);
    expect(store.events.list({ limit: 10 })).toEqual([connected]);
    expect(errors).toEqual([]);
  });

  it('keeps every candle field: source keys, bases, a forming candle, NaN-free numbers', async () => {
    const r = await recorder({ maxBatch: 3 });
    const [a, b, c, d] = klines2017();
    const candles: Candle[] = [
      a!,
      { ...b!, sources: ['binance', 'mt5'], basis: 'mid' },
      { ...c!, timeframe: 'M5', openTime: Date.UTC(2017, 7, 17, 4, 5), closed: false, quoteVolume: 0.1 + 0.2 },
      { ...d!, symbol: 'XAUUSD', sources: ['mt5'], basis: 'bid', trades: 0 },
    ];
    for (const k of candles) bus.publish('candle.closed', k);
    await r.stop();
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance', limit: 10 })).toEqual([a]);
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance+mt5', limit: 10 })).toEqual([candles[1]]);
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M5', source: 'binance', limit: 10 })).toEqual([candles[2]]);
    expect(store.candles.queryCandles({ symbol: 'XAUUSD', timeframe: 'M1', source: 'mt5', limit: 10 })).toEqual([candles[3]]);
  });

  it('several versions of one candle inside one multi-row upsert end as the last version, as single upserts would', async () => {
    // 40 candles, each first forming then closed, all in one batch: chunks of 16 rows hold both versions of a candle
    const klines = klines2017().slice(0, 40);
    const r = await recorder({ maxBatch: 200 });
    for (const k of klines) {
      bus.publish('candle.closed', { ...k, closed: false, close: k.open, volume: 0.5, trades: 1 });
      bus.publish('candle.closed', k);
    }
    await r.stop();
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 100 })).toEqual(klines);
    expect(r.stats()).toMatchObject({ written: { candles: 80 }, failures: 0, lost: 0 });
  });

  it('stores the same rows as the inline writer', async () => {
    const ticks = [...trades2017(), ...quotes2023(3), ...brokerQuotes(40)];
    const r = await recorder({ maxBatch: 64 });
    for (const t of ticks) bus.publish('tick.accepted', t);
    await r.stop();
    const inline = openStore({ path: join(tmp.dir, 'inline.sqlite') });
    const inlineBus = new EventBus();
    const ir = new BusRecorder(inlineBus, inline, clock, { writer: 'inline' });
    await ir.start();
    for (const t of ticks) inlineBus.publish('tick.accepted', t);
    await ir.stop();
    const all = 'SELECT * FROM unified_ticks ORDER BY symbol, ts_event, source, kind, seq';
    const rows = store.db.prepare(all).all();
    expect(rows).toHaveLength(377);
    expect(inline.db.prepare(all).all()).toEqual(rows);
    inline.close();
  });

  it('stop() waits until the writer acknowledged every batch, then ends it; twice is fine', async () => {
    const r = await recorder({ maxBatch: 20 });
    const trades = trades2017();
    for (const t of trades) bus.publish('tick.accepted', t);
    for (const k of klines2017().slice(0, 100)) bus.publish('candle.closed', k);
    await r.stop(); // no drain, no timer: stop alone gets everything written
    expect(store.ticks.countTicks()).toBe(334);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(100);
    expect(r.stats()).toMatchObject({ pending: { batches: 0, rows: 0 }, buffered: { ticks: 0, candles: 0 }, written: { ticks: 334, candles: 100 } });
    expect(bus.listenerCount('tick.accepted')).toBe(0);
    expect(clock.pending()).toBe(0);
    await r.stop();
    expect(errors).toEqual([]);
  });

  it('counts only new ticks when the same ticks arrive again, with or without venue seq', async () => {
    const r = await recorder({ maxBatch: 30 });
    const trades = trades2017();
    for (const t of trades.slice(0, 200)) bus.publish('tick.accepted', t);
    for (const t of trades.slice(100)) bus.publish('tick.accepted', t);
    await r.drain();
    expect(r.stats().written.ticks).toBe(334);
    await r.stop();
    // a restarted recorder gets the broker ticks re-delivered in the same order: nothing new
    const broker = brokerQuotes(40);
    const first = await recorder();
    for (const t of broker) bus.publish('tick.accepted', t);
    await first.stop();
    const second = await recorder();
    for (const t of broker) bus.publish('tick.accepted', t);
    await second.stop();
    expect(first.stats().written.ticks).toBe(40);
    expect(second.stats().written.ticks).toBe(0);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', source: 'mt5', limit: 100 })).toEqual(broker);
    expect(store.db.prepare("SELECT MIN(seq), MAX(seq) FROM unified_ticks WHERE source = 'mt5'").raw().get()).toEqual([-7, -1]);
  });

  it('drops only the rows that break the schema (CHECK, NOT NULL, a raising trigger) and stores the rest', async () => {
    store.db.exec(
      "CREATE TRIGGER refuse_boom BEFORE INSERT ON event_log WHEN NEW.kind = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END",
    );
    const r = await recorder({ maxBatch: 10 });
    const trades = trades2017();
    const bad: Tick = { ...trades[5]!, volume: -1 };
    const side: Tick = { ...trades[6]!, takerSide: 'long' as 'buy' };
    const source: Tick = { ...trades[7]!, source: 'kraken' as 'binance' };
    for (const t of [...trades.slice(0, 5), bad, side, source, ...trades.slice(8, 30)]) bus.publish('tick.accepted', t);
    bus.publish('system.event', feedEvent('boom', 1));
    bus.publish('system.event', feedEvent('feed.connected', 2));
    bus.publish('system.event', { ...feedEvent('feed.data', 3), data: { n: 1n } }); // JSON cannot hold a BigInt
    await r.drain();
    expect(store.ticks.countTicks()).toBe(27);
    expect(store.events.list({ limit: 10 }).map((e) => e.kind)).toEqual(['feed.connected']);
    expect(r.stats()).toMatchObject({ rejected: 5, failures: 0, written: { ticks: 27, events: 1 }, buffered: { ticks: 0, events: 0 } });
    expect(errors).toEqual([
      { reason: 'rows_rejected', rows: 1, message: 'Do not know how to serialize a BigInt' }, // on arrival
      { reason: 'rows_rejected', rows: 3, message: 'NOT NULL constraint failed: unified_ticks.source' }, // the last of the batch
      { reason: 'rows_rejected', rows: 1, message: 'boom refused' },
    ]);
  });

  it('a write failing in the worker rolls back, is reported, kept, re-posted on the next flush; good batches stay', async () => {
    const r = await recorder({ maxBatch: 100, busyTimeoutMs: 20 });
    const trades = trades2017();
    for (const t of trades.slice(0, 100)) bus.publish('tick.accepted', t); // batch 1: posted and written
    await r.drain();
    expect(store.ticks.countTicks()).toBe(100);
    store.db.exec('BEGIN IMMEDIATE'); // another writer holds the lock: the worker's write times out
    for (const t of trades.slice(100, 150)) bus.publish('tick.accepted', t);
    bus.publish('candle.closed', klines2017()[0]!);
    clock.advance(250);
    await r.drain();
    expect(errors).toEqual([{ reason: 'flush_failed', rows: 51, message: 'database is locked' }]);
    expect(r.stats()).toMatchObject({ buffered: { ticks: 50, candles: 1 }, pending: { batches: 0 }, failures: 1, lastError: 'database is locked' });
    // more rows arrive while failing: a full batch is kept, not posted, until the next flush
    for (const t of trades.slice(150, 250)) bus.publish('tick.accepted', t);
    expect(r.stats().pending.batches).toBe(0);
    expect(r.stats().buffered.ticks).toBe(150);
    store.db.exec('COMMIT');
    clock.advance(250);
    await r.drain();
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 1000 })).toEqual(trades.slice(0, 250));
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1);
    expect(r.stats()).toMatchObject({ buffered: { ticks: 0, candles: 0 }, written: { ticks: 250, candles: 1 }, failures: 1, lost: 0 });
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a writer that cannot open the database fails the batch, keeps it, and writes it once the file is back', async () => {
    const r = await recorder();
    const moved = join(tmp.dir, 'moved.sqlite');
    renameSync(path, moved); // the main connection keeps its handle; the writer opens by name
    for (const t of trades2017().slice(0, 10)) bus.publish('tick.accepted', t);
    await r.drain();
    expect(errors).toEqual([{ reason: 'flush_failed', rows: 10, message: 'unable to open database file' }]);
    expect(r.stats()).toMatchObject({ buffered: { ticks: 10 }, failures: 1 });
    renameSync(moved, path);
    clock.advance(250);
    await r.drain();
    expect(r.stats()).toMatchObject({ buffered: { ticks: 0 }, written: { ticks: 10 }, failures: 1 });
    expect(store.ticks.countTicks()).toBe(10);
  });

  it('a writer thread that dies loses nothing: its batches go to a new one, stored exactly once', async () => {
    const r = await recorder({ maxBatch: 50 });
    const trades = trades2017();
    for (const t of trades.slice(0, 150)) bus.publish('tick.accepted', t); // three batches posted
    // fault injection: end the thread from outside, wherever it is in its work
    const sink = (r as unknown as { sink: { worker: Worker | null } }).sink;
    await sink.worker!.terminate();
    expect(r.stats().pending.batches).toBe(0); // nothing in flight any more: acknowledged or queued again
    for (const t of trades.slice(150, 200)) bus.publish('tick.accepted', t);
    clock.advance(250); // re-posts to a new thread
    await r.drain();
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 1000 })).toEqual(trades.slice(0, 200));
    expect(r.stats()).toMatchObject({ buffered: { ticks: 0 }, pending: { batches: 0 }, lost: 0 });
    // the batches it had not acknowledged were reported once (in practice all three: it was still starting)
    expect(errors.map((e) => ({ ...e, rows: [50, 100, 150].includes(e.rows) }))).toEqual(
      errors.length === 0 ? [] : [{ reason: 'flush_failed', rows: true, message: expect.stringMatching(/^store writer exited with code \d+$/) }],
    );
    expect(r.stats().failures).toBe(errors.length);
  });

  it('past maxBuffered kept rows while failing, drops the oldest batches and counts them as lost', async () => {
    const r = await recorder({ maxBatch: 10, maxBuffered: 50, busyTimeoutMs: 10 });
    store.db.exec('BEGIN IMMEDIATE');
    const trades = trades2017();
    for (const t of trades.slice(0, 10)) bus.publish('tick.accepted', t); // posted, fails
    await r.drain();
    expect(errors.map((e) => e.reason)).toEqual(['flush_failed']);
    for (const t of trades.slice(10, 80)) bus.publish('tick.accepted', t); // kept: 80 rows, 30 over
    expect(r.stats().lost).toBe(30);
    expect(r.stats().buffered.ticks).toBe(50);
    expect(errors.filter((e) => e.reason === 'rows_lost').reduce((n, e) => n + e.rows, 0)).toBe(30);
    store.db.exec('COMMIT');
    clock.advance(250);
    await r.drain();
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 100 })).toEqual(trades.slice(30, 80));
  });

  it('a producer outrunning the writer waits for it instead of growing without bound', async () => {
    const r = await recorder({ maxBatch: 16, maxBuffered: 48, flushMs: 60_000 });
    const trades = trades2017();
    const candles: Candle[] = klines2017();
    for (let i = 0; i < 1200; i++) {
      bus.publish('candle.closed', candles[i]!);
      bus.publish('tick.accepted', trades[i % 334]!);
      expect(r.stats().pending.rows).toBeLessThanOrEqual(48);
    }
    await r.stop();
    expect(r.stats()).toMatchObject({ lost: 0, failures: 0, written: { ticks: 334, candles: 1200 } });
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1200);
  });

  it('keeps its rows when the store is already closed at stop', async () => {
    const r = await recorder();
    bus.publish('tick.accepted', trades2017()[0]!);
    store.close();
    await r.stop();
    expect(errors).toEqual([{ reason: 'flush_failed', rows: 1, message: 'store is closed' }]);
    expect(r.stats().buffered.ticks).toBe(1);
  });
});
