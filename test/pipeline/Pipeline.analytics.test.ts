/**
 * Wiring of the analytics into the pipeline, on real data: the first BTCUSDT
 * spot trades (2017-08-17 04:00-08:00) through a Pipeline on a TestClock,
 * recorded by the bus recorder (inline and worker writers). Every published
 * structure event must equal `detectStructure` over the same closed candles,
 * every candle's ATR must equal an independent Atr over the same candles, and
 * what is stored must read back the same.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type Candle, type OffsetUpdate, type StructureEvent, type Tick, type Timeframe, type VolatilityBridgeReading } from '../../src/core/index.js';
import { Atr, detectStructure, Vwap } from '../../src/pipeline/index.js';
import { Pipeline } from '../../src/pipeline/Pipeline.js';
import { BusRecorder, openStore, type Store } from '../../src/store/index.js';
import { SYMBOLS, tradeTicks } from '../fixtures/load.js';
import { tmpFolder } from '../store/fixtures.js';

const TFS: readonly Timeframe[] = ['M1', 'M5', 'M15', 'H1', 'H4'];

type Seen = { closed: Candle[]; structure: StructureEvent[]; readings: VolatilityBridgeReading[]; offsets: OffsetUpdate[]; errors: unknown[] };

/** Feeds ticks at their receive times into a pipeline recorded to `store`, then settles the clock past the last candle. */
async function run(store: Store, writer: 'inline' | 'worker', ticks: readonly Tick[]): Promise<Seen> {
  const clock = new TestClock((ticks[0]?.tsInit ?? 0) - 1_000);
  const seen: Seen = { closed: [], structure: [], readings: [], offsets: [], errors: [] };
  const bus = new EventBus((e) => seen.errors.push(e));
  bus.subscribe('candle.closed', (c) => seen.closed.push(c));
  bus.subscribe('structure.event', (e) => seen.structure.push(e));
  bus.subscribe('volatility.m5', (r) => seen.readings.push(r));
  bus.subscribe('offset.updated', (u) => seen.offsets.push(u));
  const recorder = new BusRecorder(bus, store, clock, { flushMs: 250, writer });
  const pipeline = new Pipeline({ bus, clock, symbols: SYMBOLS });
  await recorder.start();
  pipeline.start();
  for (const tick of ticks) {
    const wait = tick.tsInit - clock.now();
    if (wait > 0) clock.advance(wait);
    pipeline.ingest(tick);
  }
  clock.advance(5_000);
  pipeline.stop();
  await recorder.stop();
  return seen;
}

const ticks = tradeTicks(undefined, 5);
const of = (seen: Seen, tf: Timeframe) => seen.closed.filter((c) => c.timeframe === tf);

describe('Pipeline analytics on 2017-08-17 04:00-08:00 BTCUSDT trades (inline recorder)', () => {
  const store = openStore({ path: ':memory:' });
  let seen: Seen;
  beforeAll(async () => {
    seen = await run(store, 'inline', ticks);
  });
  afterAll(() => store.close());

  it('publishes structure.event equal to detectStructure over the same closed candles, per timeframe, in order', () => {
    let total = 0;
    for (const tf of TFS) {
      const want = detectStructure(of(seen, tf), 'BTCUSD', tf);
      expect(seen.structure.filter((e) => e.timeframe === tf)).toEqual(want);
      total += want.length;
    }
    expect(seen.structure).toHaveLength(total);
    expect(of(seen, 'M1')).toHaveLength(239);
    expect(seen.structure.filter((e) => e.timeframe === 'M1').length).toBeGreaterThan(20);
    expect(new Set(seen.structure.map((e) => e.kind)).size).toBeGreaterThanOrEqual(4);
    expect(seen.errors).toEqual([]);
  });

  it('attaches ATR(14), UTC-day VWAP, volatility state and structure label equal to independent calculators', () => {
    for (const tf of TFS) {
      const atr = new Atr(14);
      const vwap = new Vwap();
      for (const c of of(seen, tf)) {
        expect(c.analytics?.atr).toBe(atr.add(c));
        expect(c.analytics?.vwap).toBe(vwap.add(c));
      }
    }
    const m1 = of(seen, 'M1');
    expect(m1.slice(0, 13).every((c) => c.analytics?.atr === null)).toBe(true);
    expect(m1[13]?.analytics?.atr).toBeGreaterThan(0);
    // state needs range expansion (15 candles) and 24 previous ATRs: from the 38th candle on
    expect(m1[36]?.analytics?.volatilityState).toBeNull();
    expect(['calm', 'normal', 'expanding', 'extreme']).toContain(m1[37]?.analytics?.volatilityState);
    expect(m1[3]?.analytics?.structureLabel).toBeNull(); // detector warm-up: 2 + 1 + 2 bars
    expect(['bullish', 'bearish', 'neutral']).toContain(m1[4]?.analytics?.structureLabel);
    const last = m1[m1.length - 1]!;
    const json = JSON.parse(last.analytics?.structureJson as string) as { trend: string | null; events: string[] };
    expect(json.events).toEqual(seen.structure.filter((e) => e.timeframe === 'M1' && e.confirmedAt === last.openTime + 59_999).map((e) => e.id));
  });

  it('feeds the M5 bridge: one reading per primary M5 once warm (38 candles), ATR equal to Atr over the M5 candles', () => {
    const m5 = of(seen, 'M5');
    expect(m5).toHaveLength(47);
    expect(seen.readings.map((r) => r.openTime)).toEqual(m5.slice(37).map((c) => c.openTime));
    const atr = new Atr(14);
    const atrs = m5.map((c) => atr.add(c));
    for (const r of seen.readings) expect(r.atr).toBe(atrs[m5.findIndex((c) => c.openTime === r.openTime)]);
    expect(seen.readings[0]?.structureLabel).toMatch(/^(bullish|bearish|neutral)$/);
    expect(seen.offsets).toEqual([]); // no broker quotes: nothing to calibrate
  });

  it('stores the analytics columns and the structure events, and reads them back', () => {
    for (const tf of TFS) {
      const stored = store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: tf, source: 'binance', limit: 1000 });
      expect(stored).toEqual(of(seen, tf));
      const page = store.structures.query({ symbol: 'BTCUSD', timeframe: tf, limit: 1000 });
      expect(page).toEqual({ events: seen.structure.filter((e) => e.timeframe === tf), nextCursor: null });
    }
  });

  it('pages structure events with a cursor, never dropping one, and filters by since', () => {
    const all = seen.structure.filter((e) => e.timeframe === 'M1');
    const got: StructureEvent[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = store.structures.query({ symbol: 'BTCUSD', timeframe: 'M1', limit: 3, ...(cursor ? { cursor } : {}) });
      got.push(...page.events);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(got).toEqual(all);
    const since = all[10]!.confirmedAt;
    expect(store.structures.query({ symbol: 'BTCUSD', timeframe: 'M1', since, limit: 1000 }).events).toEqual(all.filter((e) => e.confirmedAt >= since));
    expect(() => store.structures.query({ symbol: 'BTCUSD', timeframe: 'M1', cursor: 'nope', limit: 5 })).toThrow(/malformed cursor/);
  });
});

describe('Pipeline analytics through the worker writer', () => {
  const tmp = tmpFolder();
  let store: Store;
  let seen: Seen;
  beforeAll(async () => {
    store = openStore({ path: join(tmp.dir, 'utp.sqlite') });
    seen = await run(store, 'worker', ticks);
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  it('persists the same analytics columns and structure events as the inline writer', () => {
    for (const tf of TFS) {
      expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: tf, source: 'binance', limit: 1000 })).toEqual(of(seen, tf));
      expect(store.structures.query({ symbol: 'BTCUSD', timeframe: tf, limit: 1000 }).events).toEqual(seen.structure.filter((e) => e.timeframe === tf));
    }
    const nulls = store.db.prepare("SELECT COUNT(*) FROM candles WHERE timeframe = 'M1' AND atr IS NULL").pluck().get();
    expect(nulls).toBe(13);
  });
});

describe('Pipeline offset engine wiring', () => {
  it('calibrates early from paired MT5 quotes (true offset +100) and publishes offset.updated', async () => {
    const store = openStore({ path: ':memory:' });
    // one broker quote just before each recorded trade: bid = price + 99, ask = price + 101
    const mixed: Tick[] = [];
    for (const t of ticks) {
      const p = t.last as number;
      mixed.push({ ...t, source: 'mt5', tsEvent: t.tsEvent - 1, tsInit: t.tsInit - 1, bid: p + 99, ask: p + 101, last: null, volume: 0, takerSide: null, seq: null });
      mixed.push(t);
    }
    const seen = await run(store, 'inline', mixed);
    expect(seen.offsets.length).toBeGreaterThan(0);
    const first = seen.offsets[0]!;
    expect(first).toMatchObject({ symbol: 'BTCUSD', offset: 100, candidate: 100, pairs: 10, held: false, discrepancy: false, previous: null });
    expect(store.events.list({ kind: 'offset.discrepancy', limit: 10 })).toEqual([]);
    store.close();
  });
});
