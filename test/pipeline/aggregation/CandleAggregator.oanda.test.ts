import { beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import type { Candle, CandleBasis } from '../../../src/core/types/Candle.js';
import type { Tick } from '../../../src/core/types/Tick.js';
import { CandleAggregator } from '../../../src/pipeline/aggregation/CandleAggregator.js';
import { fixtureLines, quoteTick } from '../../fixtures/load.js';

// Oanda XAUUSD quotes of 2014-05-06 (UTC): 161,552 ticks and Oanda's own 1,385 minute bars.
const DAY = Date.UTC(2014, 4, 6);
const NEXT_DAY = DAY + 86_400_000;

type MinuteRow = { openTime: number; bid: number[]; ask: number[] };

describe('CandleAggregator on Oanda XAUUSD quotes of 2014-05-06 (bid and ask basis)', () => {
  const ticks: Tick[] = fixtureLines('oanda/20140506_xauusd_tick_quote.csv.gz').map((line) => {
    const [ms, bid, ask] = line.split(',');
    const ts = DAY + Number(ms);
    return quoteTick({ symbol: 'XAUUSD', source: 'oanda', tsEvent: ts, tsInit: ts, bid: Number(bid), ask: Number(ask), seq: null });
  });
  const minutes: MinuteRow[] = fixtureLines('oanda/20140506_xauusd_minute_quote.csv').map((line) => {
    const c = line.split(',').map(Number);
    return { openTime: DAY + (c[0] ?? 0), bid: c.slice(1, 5), ask: c.slice(6, 10) };
  });
  const out = new Map<CandleBasis, Candle[]>();
  const aggs = new Map<CandleBasis, CandleAggregator>();

  beforeAll(() => {
    const clock = new TestClock(NEXT_DAY);
    for (const basis of ['bid', 'ask', 'mid'] as const) {
      const list: Candle[] = [];
      out.set(basis, list);
      const agg = new CandleAggregator({ symbol: 'XAUUSD', basis, timeframes: ['M1'], clock, onClosed: (c) => list.push(c) });
      for (const tick of ticks) agg.add(tick);
      agg.closeUntil(NEXT_DAY);
      aggs.set(basis, agg);
    }
  });

  it('reads the fixtures', () => {
    expect(ticks).toHaveLength(161_552);
    expect(minutes).toHaveLength(1_385);
  });

  it('equals all 1,385 Oanda minute bars on bid and on ask', () => {
    for (const basis of ['bid', 'ask'] as const) {
      const byTime = new Map((out.get(basis) ?? []).map((c) => [c.openTime, c]));
      const got = minutes.map((m) => {
        const c = byTime.get(m.openTime);
        return c && [c.openTime, c.open, c.high, c.low, c.close];
      });
      expect(got).toEqual(minutes.map((m) => [m.openTime, ...m[basis]]));
    }
  });

  it('emits the minutes without ticks as empty candles, and only those', () => {
    const present = new Set(minutes.map((m) => m.openTime));
    for (const basis of ['bid', 'ask', 'mid'] as const) {
      const list = out.get(basis) ?? [];
      const first = minutes[0]?.openTime ?? 0;
      // Every minute from the first tick's minute to 23:59, with no hole and no duplicate.
      expect(list).toHaveLength((NEXT_DAY - first) / 60_000);
      expect(list.every((c, i) => c.openTime === first + i * 60_000)).toBe(true);
      const empty = list.filter((c) => c.trades === 0);
      expect(empty).toHaveLength(list.length - 1_385);
      expect(empty.every((c) => !present.has(c.openTime))).toBe(true);
      expect(aggs.get(basis)?.stats()).toMatchObject({
        ticks: 161_552,
        closedCandles: list.length,
        emptyCandles: empty.length,
        lateTicks: 0,
      });
      for (const [i, c] of list.entries()) {
        if (c.trades !== 0) continue;
        const prev = list[i - 1]?.close;
        expect([c.open, c.high, c.low, c.close]).toEqual([prev, prev, prev, prev]);
      }
    }
    // Quote basis counts ticks and carries no volume (Oanda sizes are 0).
    const bid = out.get('bid') ?? [];
    expect(bid.reduce((n, c) => n + c.trades, 0)).toBe(161_552);
    expect(bid.every((c) => c.volume === 0 && c.quoteVolume === 0)).toBe(true);
    expect(bid.find((c) => c.trades > 0)?.sources).toEqual(['oanda']);
  });

  it('builds the mid basis from (bid + ask) / 2', () => {
    const mid = out.get('mid') ?? [];
    const first = minutes[0];
    expect(mid[0]?.open).toBe(((first?.bid[0] ?? 0) + (first?.ask[0] ?? 0)) / 2);
    const bid = out.get('bid') ?? [];
    const ask = out.get('ask') ?? [];
    expect(mid.every((c, i) => c.high <= ((bid[i]?.high ?? 0) + (ask[i]?.high ?? 0)) / 2 + 1e-9)).toBe(true);
    expect(mid.every((c, i) => c.low >= ((bid[i]?.low ?? 0) + (ask[i]?.low ?? 0)) / 2 - 1e-9)).toBe(true);
  });
});
