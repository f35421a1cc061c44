import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type Tick } from '../../../src/core/index.js';
import { TickBuffer } from '../../../src/pipeline/buffer/index.js';
import { Pipeline } from '../../../src/pipeline/index.js';
import { BusRecorder, openStore, TickAccess, tickPages, type Store } from '../../../src/store/index.js';
import { SYMBOLS } from '../../fixtures/load.js';
import { aggTrades2026, checksum } from './recorded.js';

const trades = aggTrades2026();
const last = trades[trades.length - 1] as Tick;
const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

describe('TickBuffer', () => {
  let store: Store | null = null;
  afterEach(() => {
    store?.close();
    store = null;
  });

  it('buffers tick.fused from the bus when configured so, until stopped', () => {
    const bus = new EventBus();
    const buffer = new TickBuffer({ bus, clock: new TestClock(last.tsEvent), topic: 'tick.fused' });
    buffer.start();
    for (const t of trades.slice(0, 100)) bus.publish('tick.fused', t);
    bus.publish('tick.accepted', trades[100] as Tick);
    buffer.stop();
    bus.publish('tick.fused', trades[101] as Tick);
    expect(buffer.ring.ticks('BTCUSD', ...ALL, 1000)).toEqual(trades.slice(0, 100));
    expect(buffer.status()).toMatchObject({ ticks: 100, shortened: false });
  });

  it('buffers tick.accepted by default (the stream unified_ticks stores)', () => {
    const bus = new EventBus();
    const buffer = new TickBuffer({ bus, clock: new TestClock(last.tsEvent) });
    buffer.start();
    for (const t of trades.slice(0, 10)) bus.publish('tick.accepted', t);
    bus.publish('tick.fused', trades[10] as Tick);
    expect(buffer.ring.ticks('BTCUSD', ...ALL, 1000)).toEqual(trades.slice(0, 10));
  });

  it('after a restart refills the window from SQLite (unified_ticks), exactly, then goes on live', () => {
    store = openStore({ path: ':memory:' });
    expect(store.ticks.insertTicks(trades.slice(0, 4000))).toBe(4000);
    // restart 10 s after the 4000th tick, with a 5-minute window
    const now = (trades[3999] as Tick).tsEvent + 10_000;
    const bus = new EventBus();
    const buffer = new TickBuffer({ bus, clock: new TestClock(now), windowMs: 300_000 });
    const s = store;
    const refilled = buffer.start(['BTCUSD', 'XAUUSD'], (symbol, from) => tickPages(s.ticks, symbol, from, undefined, 500));
    const expected = trades.slice(0, 4000).filter((t) => t.tsEvent >= now - 300_000);
    expect(refilled).toEqual({ BTCUSD: expected.length, XAUUSD: 0 });
    expect(buffer.ring.coveredFrom('BTCUSD')).toBe(expected[0]?.tsEvent);
    const back = buffer.ring.ticks('BTCUSD', ...ALL, 10_000);
    expect(back.length).toBe(expected.length);
    expect(checksum(back)).toBe(checksum(expected));
    for (const t of trades.slice(4000)) bus.publish('tick.accepted', t);
    const cut = last.tsEvent - 300_000;
    expect(buffer.ring.ticks('BTCUSD', ...ALL, 10_000)).toEqual(trades.filter((t) => t.tsEvent >= cut));
  });

  it('composed with the real pipeline and recorder: RAM and SQLite hold the same stream, and a query across them returns every tick once', async () => {
    const clock = new TestClock((trades[0] as Tick).tsInit - 1_000);
    const bus = new EventBus((e) => {
      throw e;
    });
    store = openStore({ path: ':memory:' });
    const recorder = new BusRecorder(bus, store, clock, { flushMs: 250 });
    const pipeline = new Pipeline({ bus, clock, symbols: SYMBOLS });
    const buffer = new TickBuffer({ bus, clock, windowMs: 240_000 });
    await recorder.start();
    pipeline.start();
    buffer.start();
    for (const t of trades) {
      if (t.tsInit > clock.now()) clock.advance(t.tsInit - clock.now());
      pipeline.ingest(t);
    }
    clock.advance(1_000);
    await recorder.stop();
    pipeline.stop();
    const stored = store.ticks.countTicks('BTCUSD');
    const ram = buffer.status().ticks;
    expect(stored).toBe(5000);
    expect(ram).toBe(trades.filter((t) => t.tsEvent >= last.tsEvent - 240_000).length);
    const access = new TickAccess({ window: buffer.ring, history: store.ticks });
    const page = await access.page({ symbol: 'BTCUSD', from: 0, to: Number.MAX_SAFE_INTEGER, resolution: 'raw', limit: 10_000 });
    expect(page.layers).toEqual({ ram, sqlite: 5000 - ram, archive: 0 });
    expect(checksum(page.ticks)).toBe(checksum(trades));
  });
});
