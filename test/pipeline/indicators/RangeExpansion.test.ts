import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { ConfigError } from '../../../src/core/index.js';
import { Atr, RangeExpansion } from '../../../src/pipeline/indicators/index.js';
import type { RangeExpansionOptions } from '../../../src/pipeline/indicators/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';
import { firstMismatch, referenceRangeExpansionAtr, referenceRangeExpansionMean } from './reference.js';

const m1 = await binanceM1(); // 11,520 official Binance BTCUSDT 1m klines, 2024-03-11..18
const btcH1 = await mt5Bars('BTCUSD_H1_from_2024-01-01.csv', 'BTCUSD');
const xauH1 = await mt5Bars('XAUUSD_H1_from_2024-01-01.csv', 'XAUUSD');
const run = (options: RangeExpansionOptions, candles: readonly Candle[]) => {
  const re = new RangeExpansion(options);
  return candles.map((c) => re.add(c));
};

describe('RangeExpansion on real data', () => {
  it.each([
    ['Binance BTCUSDT 1m', m1],
    ['MT5 BTCUSD H1', btcH1],
    ['MT5 XAUUSD H1', xauH1],
  ] as const)('equals the textbook definitions at every bar of %s (ATR and mean-range baselines, periods 14 and 5)', (_name, candles) => {
    for (const period of [14, 5]) {
      expect(firstMismatch(run({ period }, candles), referenceRangeExpansionAtr(candles, period)), `atr ${period}`).toBeNull();
      const mean = run({ period, baseline: 'meanRange' }, candles);
      expect(firstMismatch(mean, referenceRangeExpansionMean(candles, period)), `meanRange ${period}`).toBeNull();
    }
  });

  it('divides the 15th range by ATR(14) of the first 14 candles (value from an independent Python run)', () => {
    const re = new RangeExpansion();
    const atr = new Atr(14);
    expect(re.requiredInputs).toBe(15);
    for (let i = 0; i < 14; i++) {
      expect(re.add(m1[i]!)).toBeNull();
      atr.add(m1[i]!);
    }
    expect(re.isStable).toBe(false);
    const c = m1[14]!;
    expect(re.add(c)).toBe((c.high - c.low) / atr.getResult()!);
    expect(re.getResult()).toBeCloseTo(1.0833417516919204, 12);
    expect(re.baseline).toBe(atr.getResult());
    expect(re.isStable).toBe(true);
  });

  it('peaks on XAUUSD at the US CPI hour, 2024-02-13 13:00 UTC (range 28.84 = 11.6 x ATR)', () => {
    const out = run({}, xauH1);
    let peak = 0;
    out.forEach((v, i) => {
      if (v! > out[peak]!) peak = i;
    });
    expect(new Date(xauH1[peak]!.openTime).toISOString()).toBe('2024-02-13T13:00:00.000Z');
    expect(xauH1[peak]!.high - xauH1[peak]!.low).toBeCloseTo(28.84, 9);
    expect(out[peak]).toBeCloseTo(11.625232, 6);
    // the 2024-03-01 rally hours build up and fade: 1.16, 2.84, 4.83, 2.18, 0.90
    const i = xauH1.findIndex((c) => c.openTime === Date.UTC(2024, 2, 1, 13));
    expect(out.slice(i, i + 5).map((v) => Math.round(v! * 100) / 100)).toEqual([1.16, 2.84, 4.83, 2.18, 0.9]);
  });

  it('is 0 for a flat candle after flat candles and +Infinity for any move out of them', () => {
    const last = m1[0]!;
    const flat = (k: number): Candle => ({ ...last, openTime: last.openTime + k * 60_000, open: last.close, high: last.close, low: last.close, volume: 0, trades: 0 });
    for (const baseline of ['atr', 'meanRange'] as const) {
      const re = new RangeExpansion({ period: 3, baseline });
      for (let k = 1; k <= 3; k++) re.add(flat(k));
      expect(re.add(flat(4))).toBe(0);
      expect(re.baseline).toBe(0);
      expect(re.add({ ...flat(5), high: last.close + 1 })).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it('rejects a period that cannot run', () => {
    expect(() => new RangeExpansion({ period: 0 })).toThrow(ConfigError);
  });
});
