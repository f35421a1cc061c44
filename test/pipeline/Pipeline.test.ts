import { beforeAll, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type Candle, type Tick, type TickRejected } from '../../src/core/index.js';
import { candleBasisFor, Pipeline } from '../../src/pipeline/Pipeline.js';
import { klines2017, quotes2023, SYMBOLS, TRADES_2017, tradeTicks } from '../fixtures/load.js';
// fields(candle): the kline fields of a candle, for comparison with an official row.
import { candleFields as fields } from './aggregation/fixtures.js';

const H04 = Date.UTC(2017, 7, 17, 4);
const H08 = Date.UTC(2017, 7, 17, 8);
const MIN = 60_000;
/** Receive latency stamped on the recorded ticks: tsInit = tsEvent + 5 ms. */
const LATENCY = 5;

/** A pipeline on a fresh bus and test clock, recording what it publishes. */
function harness(options: { closeIntervalMs?: number; closeGraceMs?: number } = {}) {
  const clock = new TestClock(H04);
  const listenerErrors: unknown[] = [];
  const bus = new EventBus((e) => listenerErrors.push(e));
  const pipeline = new Pipeline({ bus, clock, symbols: SYMBOLS, ...options });
  const fused: Tick[] = [];
  const closed: Candle[] = [];
  const rejected: TickRejected[] = [];
  bus.subscribe('tick.fused', (t) => fused.push(t));
  bus.subscribe('candle.closed', (c) => closed.push(c));
  bus.subscribe('tick.rejected', (r) => rejected.push(r));
  /** Moves the test clock to the tick's receive time (firing due timers), then ingests it. */
  const receive = (tick: Tick): boolean => {
    const wait = tick.tsInit - clock.now();
    if (wait > 0) clock.advance(wait);
    return pipeline.ingest(tick);
  };
  const m1 = () => closed.filter((c) => c.timeframe === 'M1');
  return { clock, bus, pipeline, fused, closed, rejected, listenerErrors, receive, m1 };
}

describe('Pipeline fed the first BTCUSDT spot trades (2017-08-17 04:00-08:00), ticks only', () => {
  const ticks = tradeTicks(TRADES_2017, LATENCY);
  const day = klines2017().map(fields); // official 1m klines, 04:00-23:59
  const h = harness();

  beforeAll(() => {
    for (const tick of ticks) expect(h.receive(tick)).toBe(true);
  });

  it('maps the fixtures', () => {
    expect(ticks).toHaveLength(334);
    expect(day).toHaveLength(1200);
    expect(day[0]?.openTime).toBe(H04);
  });

  it('publishes tick.fused once for every accepted tick, in order, the tick itself', () => {
    expect(h.fused).toHaveLength(334);
    h.fused.forEach((t, i) => expect(t).toBe(ticks[i]));
  });

  it('closes M1 candles equal to the official klines for 04:00-07:58, the 126 empty minutes included', () => {
    const want = day.filter((k) => k.openTime < H08 - MIN);
    expect(want).toHaveLength(239);
    const got = h.m1();
    expect(got.map(fields)).toEqual(want);
    expect(got.filter((c) => c.trades === 0)).toHaveLength(126);
    for (const c of got) expect(c).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M1', basis: 'trade', closed: true });
  });

  it('stamps closed candles: sources, venue time of the last fact, and our time of closing', () => {
    const got = h.m1();
    // 04:00 holds trades 0-2 (last at 04:00:32.322); trade 3 at 04:02:48.879 closed it and the empty 04:01.
    expect(got[0]).toMatchObject({ openTime: H04, sources: ['binance'], tsEvent: 1502942432322, tsInit: 1502942568879 + LATENCY });
    expect(got[1]).toMatchObject({
      openTime: H04 + MIN,
      open: 4261.48,
      close: 4261.48,
      volume: 0,
      sources: ['binance'], // an empty interval of the binance stream is still binance's (stored under its key)
      tsEvent: H04 + 2 * MIN - 1,
      tsInit: 1502942568879 + LATENCY,
    });
  });

  it('closes the higher timeframes the ticks have left behind, and no D1', () => {
    const count = (tf: string) => h.closed.filter((c) => c.timeframe === tf).length;
    // Last trade at 07:59:42.846: M5 up to 07:50, M15 up to 07:30, H1 up to 06:00 are closed.
    // H1 values = roll-up of the official 1m klines 04:00-06:59.
    expect([count('M5'), count('M15'), count('H1'), count('H4'), count('D1')]).toEqual([47, 15, 3, 0, 0]);
    expect(h.closed.filter((c) => c.timeframe === 'H1').map((c) => [c.open, c.high, c.low, c.close, c.volume, c.trades])).toEqual([
      [4261.48, 4313.62, 4261.32, 4308.83, 47.181009, 171],
      [4308.83, 4328.69, 4291.37, 4315.32, 23.234916, 102],
      // 06:00 was an empty minute: the H1 open is the hour's first trade, 4330.29 (empty minutes carry no price).
      [4330.29, 4345.45, 4309.37, 4324.35, 7.229691, 36],
    ]);
  });

  it('snapshot() gives the last trade (id 333: 4349.99 x 0.140001 at 07:59:42.846), no quote, 334 ticks', () => {
    expect(h.pipeline.snapshot('BTCUSD')).toEqual({
      symbol: 'BTCUSD',
      lastTrade: { price: 4349.99, size: 0.140001, source: 'binance', tsEvent: 1502956782846, tsInit: 1502956782851 },
      lastQuote: null,
      ticks: 334,
    });
    expect(h.pipeline.snapshot('XAUUSD')).toEqual({ symbol: 'XAUUSD', lastTrade: null, lastQuote: null, ticks: 0 });
  });

  it('openCandle() gives the forming 07:59 candle, equal so far to its official kline', () => {
    const open = h.pipeline.openCandle('BTCUSD', 'M1');
    expect(open).not.toBeNull();
    expect(fields(open as Candle)).toEqual(day[239]);
    expect(open).toMatchObject({ closed: false, sources: ['binance'], tsEvent: 1502956782846, tsInit: h.clock.now() });
    expect(h.pipeline.openCandle('BTCUSD', 'H4')).toMatchObject({
      openTime: H04,
      open: 4261.48,
      high: 4349.99,
      low: 4261.32,
      close: 4349.99,
      volume: 82.088865,
      trades: 334,
      closed: false,
    });
    expect(h.pipeline.openCandle('XAUUSD', 'M1')).toBeNull();
    expect(h.pipeline.openCandle('GBPJPY', 'M1')).toBeNull();
  });

  it('reports the primary candle source of each symbol and counts what it did', () => {
    expect(h.pipeline.primaryCandleSource('BTCUSD')).toBe('binance');
    expect(h.pipeline.primaryCandleSource('GBPJPY')).toBe('mt5');
    expect(h.pipeline.symbols().map((s) => s.symbol)).toEqual(['BTCUSD', 'XAUUSD', 'GBPJPY']);
    expect(h.pipeline.stats()).toMatchObject({
      accepted: 334,
      rejected: 0,
      unknownSymbol: 0,
      lateTicks: 0,
      candlesClosed: h.closed.length,
      rejectReasons: {},
    });
    expect(h.listenerErrors).toEqual([]);
  });
});

describe('Pipeline.closeByClock', () => {
  const ticks = tradeTicks(TRADES_2017, LATENCY);
  const day = klines2017().map(fields); // official 1m klines, 04:00-23:59
  const last = ticks[333] as Tick; // tsEvent 07:59:42.846, tsInit +5 ms

  it('closes the last candles once the estimated venue time passes their end + grace, not before', () => {
    const h = harness(); // grace 2000 ms (default), timer not started
    for (const tick of ticks) h.receive(tick);
    const coarse = () => h.closed.filter((c) => c.timeframe !== 'S1');
    const before = coarse().length;
    // venue now = lastTsEvent + (now - lastTsInit); 07:59 ends at 08:00:00.000, so closing needs now - lastTsInit >= 19 154 ms.
    h.clock.advance(19_153);
    h.pipeline.closeByClock();
    expect(coarse().length).toBe(before);
    // Seconds close on the same rule: S1 up to 07:59:58 (ends 07:59:59.000 <= venue now - grace = 07:59:59.999).
    expect(h.closed.filter((c) => c.timeframe === 'S1').at(-1)?.openTime).toBe(H08 - 2_000);
    const beforeAll = h.closed.length;
    expect(h.pipeline.openCandle('BTCUSD', 'M1')).not.toBeNull();
    h.clock.advance(1);
    expect(h.clock.now()).toBe(last.tsInit + 19_154);
    h.pipeline.closeByClock();
    const added = h.closed.slice(beforeAll);
    // S1 07:59:59 (empty), then M1 07:59, M5 07:55, M15 07:45, H1 07:00, H4 04:00.
    expect(added.filter((c) => c.timeframe !== 'S1').map((c) => [c.timeframe, c.openTime])).toEqual([
      ['M1', H08 - MIN],
      ['M5', H08 - 5 * MIN],
      ['M15', H08 - 15 * MIN],
      ['H1', H08 - 60 * MIN],
      ['H4', H04],
    ]);
    expect(added.filter((c) => c.timeframe === 'S1').map((c) => c.openTime)).toEqual([H08 - 1_000]);
    expect(h.m1().map(fields)).toEqual(day.filter((k) => k.openTime < H08));
    expect(h.m1().at(-1)).toMatchObject({ closed: true, tsInit: h.clock.now() });
    expect(h.pipeline.openCandle('BTCUSD', 'M1')).toBeNull();
    expect(h.pipeline.openCandle('BTCUSD', 'D1')).toMatchObject({ openTime: Date.UTC(2017, 7, 17), trades: 334, closed: false });
    // Idempotent: nothing more to close at the same time.
    h.pipeline.closeByClock();
    expect(h.closed.length).toBe(beforeAll + added.length);
  });

  it('respects a configured grace', () => {
    const h = harness({ closeGraceMs: 10_000 });
    for (const tick of ticks) h.receive(tick);
    const before = h.closed.length;
    h.clock.advance(27_153); // 17 154 + 10 000 - 1
    h.pipeline.closeByClock();
    expect(h.m1()).toHaveLength(239);
    h.clock.advance(1);
    h.pipeline.closeByClock();
    expect(h.m1()).toHaveLength(240);
    expect(h.closed.length).toBeGreaterThan(before);
  });

  it('estimates venue time from the monotonic clock: a wall-clock jump (sleep, NTP step) closes nothing', () => {
    const h = harness();
    for (const tick of ticks) h.receive(tick);
    h.clock.jumpWall(3_600_000);
    h.pipeline.closeByClock();
    expect(h.m1()).toHaveLength(239);
    expect(h.pipeline.openCandle('BTCUSD', 'M1')).not.toBeNull();
    h.clock.advance(19_154);
    h.pipeline.closeByClock();
    expect(h.m1()).toHaveLength(240);
  });

  it('does nothing before the first tick', () => {
    const h = harness();
    h.clock.advance(3_600_000);
    h.pipeline.closeByClock();
    expect(h.closed).toEqual([]);
  });

  it('with start(), the interval timer closes candles as the TestClock advances, and stop() ends it', () => {
    const h = harness({ closeIntervalMs: 250 });
    h.pipeline.start();
    const timers = h.clock.pending();
    expect(timers).toBeGreaterThan(0);
    h.pipeline.start(); // second start is a no-op: no second set of timers
    expect(h.clock.pending()).toBe(timers);
    for (const tick of ticks) h.receive(tick);
    // Empty minutes are now closed by the clock, not by the next trade: the candles are the same. 04:01 ends at
    // 04:02:00.000; venue now = clock - 5 ms latency, so end + 2 s grace is reached at 04:02:02.005 and the first
    // timer turn (every 250 ms from 04:00) after that is 04:02:02.250.
    expect(h.m1()).toHaveLength(239);
    expect(h.m1()[1]).toMatchObject({ openTime: H04 + MIN, volume: 0, tsInit: H04 + 2 * MIN + 2_250 });
    h.clock.advance(20_000);
    expect(h.m1().map(fields)).toEqual(day.filter((k) => k.openTime < H08));
    expect(h.pipeline.stats().lateTicks).toBe(0);
    h.pipeline.stop();
    h.pipeline.stop();
    expect(h.clock.pending()).toBe(0);
    const n = h.closed.length;
    h.clock.advance(3_600_000);
    expect(h.closed.length).toBe(n);
  });
});

describe('Pipeline rejects broken ticks', () => {
  const ticks = tradeTicks(TRADES_2017, LATENCY);
  // USD-M BTCUSDT bookTicker 2023-10-02, first row: bid 27981.3, ask 27981.4.
  const quote: Tick = quotes2023(1)[0]!;

  it('counts crossed books, NaN prices and negative sizes by reason, publishes them on tick.rejected, and keeps them out of state and candles', () => {
    const h = harness();
    for (const tick of ticks.slice(0, 3)) h.receive(tick);
    const crossed = { ...quote, tsEvent: ticks[2]!.tsEvent + 1, bid: 27981.5 };
    const nan = { ...ticks[3]!, last: Number.NaN };
    const negative = { ...ticks[3]!, volume: -0.5 };
    const crossed2 = { ...crossed, bid: 30000, ask: 29999 };
    for (const bad of [crossed, nan, negative, crossed2]) expect(h.pipeline.ingest(bad)).toBe(false);
    expect(h.rejected).toEqual([
      { tick: crossed, reason: 'crossed book', tsInit: crossed.tsInit },
      { tick: nan, reason: 'non-positive or non-finite trade price', tsInit: nan.tsInit },
      { tick: negative, reason: 'negative or non-finite size', tsInit: negative.tsInit },
      { tick: crossed2, reason: 'crossed book', tsInit: crossed2.tsInit },
    ]);
    expect(h.rejected[0]?.tick).toBe(crossed);
    expect(h.pipeline.stats()).toMatchObject({
      accepted: 3,
      rejected: 4,
      unknownSymbol: 0,
      rejectReasons: { 'crossed book': 2, 'non-positive or non-finite trade price': 1, 'negative or non-finite size': 1 },
    });
    expect(h.fused).toHaveLength(3);
    expect(h.pipeline.snapshot('BTCUSD')).toMatchObject({ ticks: 3, lastQuote: null, lastTrade: { price: 4261.48, size: 0.075183 } });
    expect(h.pipeline.openCandle('BTCUSD', 'M1')).toMatchObject({ trades: 3, volume: 1.775183 });
    // stats() hands out a copy of the reasons.
    (h.pipeline.stats().rejectReasons as Record<string, number>)['crossed book'] = 99;
    expect(h.pipeline.stats().rejectReasons['crossed book']).toBe(2);
  });

  it('counts ticks of an unknown symbol and drops them', () => {
    const h = harness();
    const stray = { ...ticks[0]!, symbol: 'ETHUSD' };
    expect(h.pipeline.ingest(stray)).toBe(false);
    expect(h.pipeline.ingest({ ...stray, symbol: 'btcusd' })).toBe(false); // the pipeline itself is case-sensitive
    expect(h.pipeline.stats()).toMatchObject({ accepted: 0, rejected: 2, unknownSymbol: 2 });
    expect(h.fused).toEqual([]);
    expect(h.pipeline.snapshot('ETHUSD').ticks).toBe(0);
  });

  it('publishes unknown-symbol ticks on tick.rejected with a reason', () => {
    const h = harness();
    h.pipeline.ingest({ ...ticks[0]!, symbol: 'ETHUSD' });
    expect(h.rejected).toHaveLength(1);
    expect(h.rejected[0]?.reason).toBe('unknown symbol ETHUSD');
    expect(h.pipeline.stats().rejectReasons['unknown symbol']).toBe(1);
  });

  it('accepts a valid quote for a trade-basis stream: it updates the quote but not the trade candles', () => {
    const h = harness();
    expect(h.pipeline.ingest(quote)).toBe(true);
    expect(h.fused).toEqual([quote]);
    expect(h.pipeline.snapshot('BTCUSD').lastQuote).toEqual({ bid: 27981.3, ask: 27981.4, source: 'binance', tsEvent: 1696204800012, tsInit: 1696204800018 });
    expect(h.pipeline.openCandle('BTCUSD', 'M1')).toBeNull();
  });

  it('builds bid candles for the MT5 broker source (basis per source)', () => {
    expect(candleBasisFor('binance')).toBe('trade');
    expect(candleBasisFor('mt5')).toBe('bid');
    expect(candleBasisFor('dukascopy')).toBe('mid');
    const h = harness();
    const mt5: Tick = { ...quote, symbol: 'GBPJPY', source: 'mt5', bid: 191.2, ask: 191.25, seq: null };
    expect(h.pipeline.ingest(mt5)).toBe(true);
    expect(h.pipeline.openCandle('GBPJPY', 'M1')).toMatchObject({ basis: 'bid', open: 191.2, trades: 1, sources: ['mt5'], closed: false });
  });
});
