import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { InvalidRequestError } from '../../../src/core/errors.js';
import type { Candle } from '../../../src/core/types/Candle.js';
import type { Tick } from '../../../src/core/types/Tick.js';
import type { Timeframe } from '../../../src/core/types/Timeframe.js';
import { CandleAggregator } from '../../../src/pipeline/aggregation/CandleAggregator.js';
import { CandleBuilder } from '../../../src/pipeline/aggregation/CandleBuilder.js';
import { klineRows, KLINES_2017, TRADES_2017, tradeTicks } from '../../fixtures/load.js';
import { candleFields, klineFields } from './fixtures.js';

// Real trades and klines of BTCUSDT spot, 2017-08-17 from 04:00.
const ticks = tradeTicks(TRADES_2017, 0);
const klines = klineRows(KLINES_2017);
const H04 = Date.UTC(2017, 7, 17, 4);
const MIN = 60_000;
const t = (i: number): Tick => ticks[i] as Tick;

function make(timeframes?: readonly Timeframe[], clock = new TestClock(H04)) {
  const out: Candle[] = [];
  const agg = new CandleAggregator({ symbol: 'BTCUSD', basis: 'trade', timeframes, clock, onClosed: (c) => out.push(c) });
  return { agg, out, clock };
}

describe('CandleAggregator behaviour', () => {
  it('drops and counts a late tick without touching the closed candle', () => {
    const { agg, out } = make(['M1', 'H1']);
    // Trades 0-2 fall in 04:00, trade 3 at 04:02:48 closes 04:00 and emits the empty 04:01.
    for (let i = 0; i <= 3; i++) agg.add(t(i));
    expect(out.map((c) => [c.timeframe, c.openTime, c.trades])).toEqual([
      ['M1', H04, 3],
      ['M1', H04 + MIN, 0],
    ]);
    const before = structuredClone(out);
    // Trade 2 again (04:00:32): its minute is closed, so it is dropped for every timeframe.
    expect(agg.add(t(2))).toBe(false);
    expect(agg.stats()).toMatchObject({ ticks: 4, lateTicks: 1 });
    expect(out).toEqual(before);
    expect(candleFields(out[0]!)).toEqual(klineFields(klines[0]!));
    expect(agg.openCandle('H1')).toMatchObject({ trades: 4, closed: false });
    // Out of order inside the open minute is accepted; open/close follow tsEvent.
    agg.add(t(4));
    agg.add({ ...t(3), tsEvent: t(3).tsEvent - 1, last: 4000, volume: 0.1, seq: 99 });
    expect(agg.openCandle('M1')).toMatchObject({ open: 4000, low: 4000, close: t(4).last, trades: 3 });
  });

  it('closeUntil closes the open candle and fills empty intervals when no tick comes', () => {
    const { agg, out, clock } = make(['M1', 'M5']);
    expect(agg.closeUntil(H04 + 10 * MIN)).toBe(0); // nothing before the first tick
    for (let i = 0; i <= 2; i++) agg.add(t(i));
    clock.setWall(H04 + 2 * MIN + 5);
    expect(agg.closeUntil(H04 + 2 * MIN - 1)).toBe(1); // 04:00 closes; 04:01 has not ended
    expect(agg.closeUntil(H04 + 2 * MIN)).toBe(1); // 04:01 ends: emitted empty
    expect(out.map(candleFields)).toEqual([klineFields(klines[0]!), klineFields(klines[1]!)]);
    expect(out[1]).toMatchObject({ closed: true, sources: ['binance'], tsEvent: H04 + 2 * MIN - 1, tsInit: H04 + 2 * MIN + 5 });
    expect(agg.openCandle('M1')).toBeNull();
    expect(agg.openCandle('M5')).toMatchObject({ openTime: H04, trades: 3 });
    // 04:02-04:09 pass quietly: M1 04:02..04:09 (8) then M5 04:00 and 04:05, timeframe ascending.
    expect(agg.closeUntil(H04 + 10 * MIN)).toBe(10);
    expect(out.slice(2).map((c) => `${c.timeframe}@${(c.openTime - H04) / MIN}`)).toEqual([
      ...[2, 3, 4, 5, 6, 7, 8, 9].map((m) => `M1@${m}`),
      'M5@0',
      'M5@5',
    ]);
    expect(out.at(-1)).toMatchObject({ open: 4261.48, close: 4261.48, trades: 0, volume: 0 });
    // A tick from a closed interval is late; the next one opens 04:10 directly.
    expect(agg.add(t(3))).toBe(false);
    expect(agg.stats().lateTicks).toBe(1);
    expect(agg.lastClosedPrice('M1')).toBe(4261.48);
  });

  it('builds S1 buckets with empty seconds in between', () => {
    const { agg, out } = make(['S1']);
    for (let i = 0; i <= 2; i++) agg.add(t(i)); // 04:00:28.322, 04:00:32.285, 04:00:32.322
    const s28 = H04 + 28_000;
    expect(out.map((c) => [c.openTime - s28, c.trades, c.close])).toEqual([
      [0, 1, 4261.48],
      [1000, 0, 4261.48],
      [2000, 0, 4261.48],
      [3000, 0, 4261.48],
    ]);
    expect(agg.openCandle('S1')).toMatchObject({
      openTime: s28 + 4000,
      trades: 2,
      volume: 1.675183,
      takerBuyVolume: 0.075183,
      takerBuyQuoteVolume: 320.39085084,
      tsEvent: t(2).tsEvent,
    });
    expect(() => agg.openCandle('M1')).toThrow(InvalidRequestError);
  });

  it('ignores ticks without the basis price or of another symbol, and invalid ticks', () => {
    const { agg } = make(['M1']);
    const quote: Tick = { ...t(0), last: null, bid: 4261, ask: 4262, volume: 0, trades: 0, takerSide: null };
    expect(agg.add(quote)).toBe(false);
    expect(agg.add({ ...t(0), symbol: 'XAUUSD' })).toBe(false);
    expect(agg.add({ ...t(0), last: Number.NaN })).toBe(false);
    expect(agg.add({ ...t(0), volume: -1 })).toBe(false);
    expect(agg.stats()).toMatchObject({ ticks: 0, ignoredTicks: 2, invalidTicks: 2 });
    expect(agg.openCandle('M1')).toBeNull();
    const mid = new CandleBuilder('BTCUSD', 'M1', 'mid').reset(H04);
    expect(mid.add(t(0))).toBe(false);
    expect(mid.add(quote)).toBe(true);
    expect(mid.snapshot(false, 0)).toMatchObject({ open: 4261.5, trades: 1, volume: 0, basis: 'mid' });
  });

  it('isolates a throwing onClosed and keeps emitting', () => {
    const seen: Candle[] = [];
    const errors: unknown[] = [];
    const agg = new CandleAggregator({
      symbol: 'BTCUSD',
      basis: 'trade',
      timeframes: ['M1'],
      clock: new TestClock(H04),
      onClosed: (c) => {
        seen.push(c);
        if (c.trades === 0) throw new Error('listener failed');
      },
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i <= 3; i++) agg.add(t(i));
    expect(seen.map((c) => c.openTime)).toEqual([H04, H04 + MIN]);
    expect(errors).toHaveLength(1);
    expect(agg.stats()).toMatchObject({ callbackErrors: 1, closedCandles: 2, emptyCandles: 1 });
  });

  it('orders timeframes lowest first and rejects unknown ones', () => {
    expect(make(['D1', 'M1', 'H4', 'M1']).agg.timeframes).toEqual(['M1', 'H4', 'D1']);
    expect(make().agg.timeframes).toEqual(['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1']);
    expect(() => make(['M2' as Timeframe])).toThrow(InvalidRequestError);
    expect(() => make([])).toThrow(InvalidRequestError);
  });
});
