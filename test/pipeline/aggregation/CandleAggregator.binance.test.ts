import { beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import type { Candle } from '../../../src/core/types/Candle.js';
import type { Timeframe } from '../../../src/core/types/Timeframe.js';
import { TIMEFRAMES } from '../../../src/core/types/Timeframe.js';
import { CandleAggregator } from '../../../src/pipeline/aggregation/CandleAggregator.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/aggregateCandles.js';
import { klineCandle, klineRows, KLINES_2017, TRADES_2017, tradeTicks, type KlineRow } from '../../fixtures/load.js';
import { candleFields, klineFields } from './fixtures.js';

// First day of BTCUSDT spot: 334 trades 04:00:28 -> 07:59:42 and the official 1m klines of the day.
const H04 = Date.UTC(2017, 7, 17, 4);
const H08 = Date.UTC(2017, 7, 17, 8);
const MIN = 60_000;

describe('CandleAggregator on Binance BTCUSDT trades of 2017-08-17 04:00-08:00', () => {
  const klines: KlineRow[] = klineRows(KLINES_2017);
  const ticks = tradeTicks(TRADES_2017, 0);
  const closed = new Map<Timeframe, Candle[]>(TIMEFRAMES.map((tf) => [tf, []]));
  const order: Timeframe[] = [];
  let agg: CandleAggregator;

  beforeAll(() => {
    const clock = new TestClock(H08);
    agg = new CandleAggregator({
      symbol: 'BTCUSD',
      basis: 'trade',
      clock,
      onClosed: (c) => {
        closed.get(c.timeframe)?.push(c);
        order.push(c.timeframe);
      },
    });
    for (const tick of ticks) expect(agg.add(tick)).toBe(true);
    agg.closeUntil(H08);
  });

  it('reads the fixtures', () => {
    expect(ticks).toHaveLength(334);
    expect(klines).toHaveLength(1200);
    expect(klines[0]?.openTime).toBe(H04);
  });

  it('builds all 240 minutes 04:00-07:59 exactly as the official klines, empty minutes included', () => {
    const m1 = closed.get('M1') ?? [];
    expect(m1).toHaveLength(240);
    const official = klines.filter((k) => k.openTime < H08);
    expect(official).toHaveLength(240);
    expect(m1.map(candleFields)).toEqual(official.map(klineFields));
    // Spot checks of the empty minutes named in SOURCES.md.
    const at = (hhmm: number) => m1.find((c) => c.openTime === H04 + hhmm * MIN);
    for (const minute of [1, ...Array.from({ length: 12 }, (_, i) => 5 + i)]) {
      const c = at(minute);
      expect(c).toMatchObject({ volume: 0, quoteVolume: 0, trades: 0, closed: true, sources: ['binance'] });
      expect(c?.open).toBe(c?.close);
    }
    expect(at(1)).toMatchObject({ open: 4261.48, tsEvent: H04 + 2 * MIN - 1 });
    expect(at(16)?.close).toBe(4261.48);
  });

  it('gives the H1 and H4 values of SOURCES.md section 1', () => {
    const h1 = closed.get('H1') ?? [];
    expect(h1.map((c) => c.openTime)).toEqual([0, 1, 2, 3].map((h) => H04 + h * 3_600_000));
    expect(h1[0]).toMatchObject({ open: 4261.48, high: 4313.62, low: 4261.32, close: 4308.83, volume: 47.181009, trades: 171 });
    expect(h1[1]).toMatchObject({ open: 4308.83, high: 4328.69, low: 4291.37, close: 4315.32, volume: 23.234916, trades: 102 });
    const h4 = closed.get('H4') ?? [];
    expect(h4).toHaveLength(1);
    expect(h4[0]).toMatchObject({
      openTime: H04,
      open: 4261.48,
      high: 4349.99,
      low: 4261.32,
      close: 4349.99,
      volume: 82.088865,
      trades: 334,
      closed: true,
      sources: ['binance'],
      tsEvent: ticks[333]?.tsEvent,
    });
  });

  it('builds M5, M15, H1 and H4 from ticks equal to the roll-up of the official 1m klines', () => {
    const official = klines.filter((k) => k.openTime < H08).map(klineCandle);
    for (const tf of ['M5', 'M15', 'H1', 'H4'] as const) {
      const fromTicks = (closed.get(tf) ?? []).map(candleFields);
      expect(fromTicks.length).toBeGreaterThan(0);
      expect(fromTicks).toEqual(aggregateCandles(official, tf).map(candleFields));
    }
  });

  it('emits S1 candles for every second from the first trade to 08:00, empty ones included', () => {
    const s1 = closed.get('S1') ?? [];
    const first = Math.floor((ticks[0]?.tsEvent ?? 0) / 1000) * 1000;
    expect(s1).toHaveLength((H08 - first) / 1000);
    expect(s1.every((c, i) => c.openTime === first + i * 1000)).toBe(true);
    expect(s1.reduce((n, c) => n + c.trades, 0)).toBe(334);
    const stats = agg.stats();
    expect(stats.emptyCandles).toBe(
      TIMEFRAMES.reduce((n, tf) => n + (closed.get(tf) ?? []).filter((c) => c.trades === 0).length, 0),
    );
    expect(stats).toMatchObject({ ticks: 334, lateTicks: 0, ignoredTicks: 0, invalidTicks: 0, callbackErrors: 0 });
  });

  it('emits by timeframe ascending, then time ascending, within each step', () => {
    for (const [, list] of closed) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.openTime).toBeGreaterThan(list[i - 1]!.openTime);
    }
    // The final closeUntil(08:00) closes S1, M1, M5, M15, H1, H4 in that order (D1 stays open).
    const tail = order.slice(-6);
    expect(tail).toEqual(['S1', 'M1', 'M5', 'M15', 'H1', 'H4']);
    expect(closed.get('D1')).toHaveLength(0);
    expect(agg.openCandle('D1')).toMatchObject({ openTime: Date.UTC(2017, 7, 17), trades: 334, closed: false });
  });

  it('rolls the whole day of official 1m klines up into D1 2017-08-17', () => {
    const d1 = aggregateCandles(klines.map(klineCandle), 'D1');
    expect(d1).toHaveLength(1);
    expect(d1[0]).toMatchObject({
      openTime: Date.UTC(2017, 7, 17),
      open: 4261.48,
      high: 4485.39,
      low: 4200.74,
      close: 4285.08,
      volume: 795.150377,
      trades: 3427,
      closed: true,
    });
  });
});
