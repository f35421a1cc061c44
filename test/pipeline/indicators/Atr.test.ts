import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/index.js';
import { Atr, trueRange } from '../../../src/pipeline/indicators/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';
import { firstMismatch, referenceAtr, referenceTrueRanges } from './reference.js';

const m1 = await binanceM1(); // 11,520 official Binance BTCUSDT 1m klines, 2024-03-11..18
const btcH1 = await mt5Bars('BTCUSD_H1_from_2024-01-01.csv', 'BTCUSD');
const xauH1 = await mt5Bars('XAUUSD_H1_from_2024-01-01.csv', 'XAUUSD');
const run = (period: number, candles: typeof m1) => {
  const atr = new Atr(period);
  return candles.map((c) => atr.add(c));
};

describe('Atr (Wilder) on real data', () => {
  it.each([
    ['Binance BTCUSDT 1m', m1, 11_520],
    ['MT5 BTCUSD H1', btcH1, 1_862],
    ['MT5 XAUUSD H1', xauH1, 1_264],
  ] as const)('equals the textbook loop at every bar of %s (periods 14, 5, 1)', (_name, candles, bars) => {
    expect(candles).toHaveLength(bars);
    for (const period of [14, 5, 1]) expect(firstMismatch(run(period, candles), referenceAtr(candles, period))).toBeNull();
  });

  it('publishes the mean of the first 14 true ranges on the 14th candle, then smooths by 1/14 (values from an independent Python run)', () => {
    const atr = new Atr();
    const out = m1.slice(0, 1440).map((c) => atr.add(c));
    expect(out.slice(0, 13)).toEqual(Array(13).fill(null));
    expect(out[13]).toBeCloseTo(42.42428571428484, 9);
    expect(out[1439]).toBeCloseTo(34.97203822456758, 9); // last minute of 2024-03-11
    expect(atr.getResult()).toBe(out[1439]);
  });

  it('takes the gap from the previous close into the true range (XAUUSD 2024-03-01 15:00 UTC, US data)', () => {
    const i = xauH1.findIndex((c) => c.openTime === Date.UTC(2024, 2, 1, 15));
    const prev = xauH1[i - 1]!;
    const c = xauH1[i]!;
    expect([prev.close, c.high, c.low]).toEqual([2046.46, 2070.98, 2049.77]);
    expect(trueRange(c.high, c.low, prev.close)).toBe(2070.98 - 2046.46); // 24.52 > H - L = 21.21
    expect(trueRange(c.high, c.low, Number.NaN)).toBe(2070.98 - 2049.77);
    const atr = new Atr(14);
    for (let j = 0; j < i; j++) atr.add(xauH1[j]!);
    const before = atr.getResult()!;
    expect(atr.add(c)).toBeCloseTo((before * 13 + 24.52) / 14, 9);
  });

  it('is null in warm-up and stable from requiredInputs = period', () => {
    const atr = new Atr(14);
    expect(atr.requiredInputs).toBe(14);
    for (let i = 0; i < 13; i++) expect(atr.add(m1[i]!)).toBeNull();
    expect(atr.isStable).toBe(false);
    expect(atr.add(m1[13]!)).not.toBeNull();
    expect(atr.isStable).toBe(true);
  });

  it('rejects a period that cannot run', () => {
    for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => new Atr(bad)).toThrow(ConfigError);
  });
});
