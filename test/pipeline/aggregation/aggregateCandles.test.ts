import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/errors.js';
import type { Candle } from '../../../src/core/types/Candle.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/aggregateCandles.js';
import { FixedSum } from '../../../src/pipeline/aggregation/FixedSum.js';
import { klineCandle, klineRows, type KlineRow } from '../../fixtures/load.js';
import { candleFields, decimalUnits, unitsToNumber } from './fixtures.js';

// Eight days of official BTCUSDT spot 1m klines, 2024-03-11 .. 2024-03-18 (1,440 rows each).
const DAYS = [11, 12, 13, 14, 15, 16, 17, 18];
const rows: KlineRow[] = DAYS.flatMap((d) => klineRows(`binance/BTCUSDT-1m-2024-03-${d}.csv`));
const candles: Candle[] = rows.map(klineCandle);

/** Reference roll-up computed independently: BigInt sums of the archive's decimal strings. */
function reference(size: number) {
  const groups = new Map<number, KlineRow[]>();
  for (const row of rows) {
    const key = Math.floor(row.openTime / size) * size;
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  const sum = (list: KlineRow[], field: 'volume' | 'quoteVolume' | 'takerBuyVolume' | 'takerBuyQuoteVolume') =>
    unitsToNumber(list.reduce((acc, r) => acc + decimalUnits(r[field]), 0n));
  return [...groups].map(([openTime, list]) => ({
    openTime,
    open: Number(list[0]?.open),
    high: Math.max(...list.map((r) => Number(r.high))),
    low: Math.min(...list.map((r) => Number(r.low))),
    close: Number(list[list.length - 1]?.close),
    volume: sum(list, 'volume'),
    quoteVolume: sum(list, 'quoteVolume'),
    trades: list.reduce((n, r) => n + r.trades, 0),
    takerBuyVolume: sum(list, 'takerBuyVolume'),
    takerBuyQuoteVolume: sum(list, 'takerBuyQuoteVolume'),
  }));
}

describe('aggregateCandles on 8 days of official BTCUSDT 1m klines (2024-03-11..18)', () => {
  it('reads 11,520 continuous minutes', () => {
    expect(rows).toHaveLength(11_520);
    expect(rows.every((r, i) => r.openTime === Date.UTC(2024, 2, 11) + i * 60_000)).toBe(true);
  });

  it('rolls up into 192 H1 candles equal to independently computed exact sums', () => {
    const h1 = aggregateCandles(candles, 'H1');
    expect(h1).toHaveLength(192);
    expect(h1.map(candleFields)).toEqual(reference(3_600_000));
    expect(h1[0]).toMatchObject({ symbol: 'BTCUSD', timeframe: 'H1', basis: 'trade', closed: true, sources: ['binance'] });
    expect(h1[0]?.tsEvent).toBe(Date.UTC(2024, 2, 11, 1) - 1);
  });

  it('gives every D1 quote volume as the exact decimal sum of its 1,440 minutes', () => {
    const d1 = aggregateCandles(candles, 'D1');
    expect(d1.map((c) => c.openTime)).toEqual(DAYS.map((d) => Date.UTC(2024, 2, d)));
    expect(d1.map(candleFields)).toEqual(reference(86_400_000));
    for (const [i, day] of d1.entries()) {
      const dayRows = rows.slice(i * 1440, (i + 1) * 1440);
      const exact = dayRows.reduce((acc, r) => acc + decimalUnits(r.quoteVolume), 0n);
      // Above 1e17 units: beyond one safe integer and beyond what a double sum keeps.
      expect(exact > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(day.quoteVolume).toBe(unitsToNumber(exact));
      // The same exact sum from the numbers the candles carry, and its exact text.
      const sum = new FixedSum();
      for (const r of dayRows) sum.add(Number(r.quoteVolume));
      expect(sum.units()).toBe(exact);
      expect(sum.value()).toBe(day.quoteVolume);
    }
  });

  it('rolls M1 -> H1 -> H4 and M1 -> H4 to the same H4 candles (OHLC, trades, base volume)', () => {
    const direct = aggregateCandles(candles, 'H4');
    const viaH1 = aggregateCandles(aggregateCandles(candles, 'H1'), 'H4');
    expect(direct).toHaveLength(48);
    const pick = (c: Candle) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.trades, c.takerBuyVolume];
    expect(viaH1.map(pick)).toEqual(direct.map(pick));
  });

  it('fills missing higher-timeframe intervals with empty candles at the previous close', () => {
    // Keep 00:00-00:59 and 03:00-03:59 of the first day only: 01:00 and 02:00 have no input.
    const sparse = candles.filter((_, i) => i < 60 || (i >= 180 && i < 240));
    const h1 = aggregateCandles(sparse, 'H1');
    expect(h1.map((c) => c.openTime)).toEqual([0, 1, 2, 3].map((h) => Date.UTC(2024, 2, 11, h)));
    const close0 = Number(rows[59]?.close);
    for (const c of [h1[1], h1[2]]) {
      expect(c).toMatchObject({ open: close0, high: close0, low: close0, close: close0, volume: 0, trades: 0 });
      expect(c?.tsEvent).toBe((c?.openTime ?? 0) + 3_600_000 - 1);
    }
    expect(h1[3]?.open).toBe(Number(rows[180]?.open));
  });

  it('skips empty lower candles for OHLC, as a tick-built candle would', () => {
    const base = candles[0] as Candle;
    const empty: Candle = { ...base, openTime: base.openTime, open: 1, high: 1, low: 1, close: 1, volume: 0, quoteVolume: 0, trades: 0, takerBuyVolume: 0, takerBuyQuoteVolume: 0 };
    const rolled = aggregateCandles([empty, { ...candles[1]!, tsEvent: 1 }], 'M5');
    expect(rolled).toHaveLength(1);
    expect(rolled[0]).toMatchObject({ open: candles[1]?.open, low: candles[1]?.low, trades: candles[1]?.trades });
    expect(aggregateCandles([empty], 'H1')[0]).toMatchObject({ open: 1, close: 1, trades: 0, volume: 0 });
  });

  it('refuses unordered input, mixed series and a coarser source timeframe', () => {
    expect(() => aggregateCandles([candles[1]!, candles[0]!], 'H1')).toThrow(InvalidRequestError);
    expect(() => aggregateCandles([candles[0]!, { ...candles[1]!, symbol: 'XAUUSD' }], 'H1')).toThrow(InvalidRequestError);
    const h1 = aggregateCandles(candles.slice(0, 120), 'H1');
    expect(() => aggregateCandles(h1, 'M15')).toThrow(InvalidRequestError);
    expect(aggregateCandles([], 'D1')).toEqual([]);
  });
});
