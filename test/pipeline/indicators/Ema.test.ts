import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/index.js';
import { Ema } from '../../../src/pipeline/indicators/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';
import { firstMismatch, referenceEma } from './reference.js';

const m1 = await binanceM1(); // 11,520 official Binance BTCUSDT 1m klines, 2024-03-11..18
const btcH1 = await mt5Bars('BTCUSD_H1_from_2024-01-01.csv', 'BTCUSD');
const xauH1 = await mt5Bars('XAUUSD_H1_from_2024-01-01.csv', 'XAUUSD');

describe('Ema (SMA-seeded) on real data', () => {
  it.each([
    ['Binance BTCUSDT 1m', m1],
    ['MT5 BTCUSD H1', btcH1],
    ['MT5 XAUUSD H1', xauH1],
  ] as const)('equals the textbook loop at every bar of %s (periods 1, 9, 20, 50, 200)', (_name, candles) => {
    for (const period of [1, 9, 20, 50, 200]) {
      const ema = new Ema(period);
      expect(firstMismatch(candles.map((c) => ema.add(c)), referenceEma(candles, period)), `EMA(${period})`).toBeNull();
    }
  });

  it('seeds with the simple mean of the first n closes, not with the first close (values from an independent Python run)', () => {
    const ema = new Ema(20);
    const out = m1.slice(0, 1440).map((c) => ema.add(c));
    expect(out.slice(0, 19)).toEqual(Array(19).fill(null));
    let sum = 0;
    for (let i = 0; i < 20; i++) sum += m1[i]!.close;
    expect(out[19]).toBe(sum / 20);
    expect(out[19]).toBeCloseTo(68851.18849999999, 9);
    expect(out[1439]).toBeCloseTo(72129.44617149368, 9);
    // Seeding with the first close instead (trading-signals' EMA) gives another value on the 20th minute.
    let firstSeeded = m1[0]!.close;
    for (let i = 1; i < 20; i++) firstSeeded += (2 / 21) * (m1[i]!.close - firstSeeded);
    expect(firstSeeded).toBeCloseTo(68845.76001809129, 6);
    expect(Math.abs(out[19]! - firstSeeded)).toBeGreaterThan(5);
  });

  it('takes bare prices on the same state with addValue and replaceValue', () => {
    const byCandle = new Ema(9);
    const byValue = new Ema(9);
    for (const c of m1.slice(0, 100)) {
      byCandle.add({ close: c.open });
      byValue.addValue(c.open);
      expect(byValue.replaceValue(c.close)).toBe(byCandle.replace(c));
    }
    expect(byValue.requiredInputs).toBe(9);
  });

  it('rejects a period that cannot run', () => {
    for (const bad of [0, 1.5, -3]) expect(() => new Ema(bad)).toThrow(ConfigError);
  });
});
