import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { ConfigError } from '../../../src/core/index.js';
import { Vwap } from '../../../src/pipeline/indicators/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';
import { firstMismatch, referenceVwap } from './reference.js';

const DAY = 86_400_000;
const m1 = await binanceM1(); // 11,520 official Binance BTCUSDT 1m klines, 2024-03-11..18
const btcH1 = await mt5Bars('BTCUSD_H1_from_2024-01-01.csv', 'BTCUSD'); // volume = MT5 tick volume
const xauH1 = await mt5Bars('XAUUSD_H1_from_2024-01-01.csv', 'XAUUSD');
const run = (vwap: Vwap, candles: readonly Candle[]) => candles.map((c) => vwap.add(c));
const utcDay = (t: number) => Math.floor(t / DAY);
const at22 = (t: number) => Math.floor((t - 22 * 3_600_000) / DAY);
const mondayWeek = (t: number) => Math.floor((t - 4 * DAY) / (7 * DAY)); // 1970-01-05 was a Monday

describe('Vwap (session-anchored) on real data', () => {
  it.each([
    ['Binance BTCUSDT 1m', m1],
    ['MT5 BTCUSD H1', btcH1],
    ['MT5 XAUUSD H1', xauH1],
  ] as const)('equals the textbook sum over the session at every bar of %s: UTC day, 22:00 UTC, weekly function', (_name, candles) => {
    expect(firstMismatch(run(new Vwap(), candles), referenceVwap(candles, utcDay))).toBeNull();
    expect(firstMismatch(run(new Vwap({ sessionStartUtcMs: 22 * 3_600_000 }), candles), referenceVwap(candles, at22))).toBeNull();
    expect(firstMismatch(run(new Vwap({ sessionOf: mondayWeek }), candles), referenceVwap(candles, mondayWeek))).toBeNull();
  });

  it('restarts at 00:00 UTC: the first minute of a day is its own typical price (values from an independent Python run)', () => {
    const vwap = new Vwap();
    const out = run(vwap, m1.slice(0, 1441));
    expect(out[1439]).toBeCloseTo(71092.43962905029, 8); // whole of 2024-03-11
    const first = m1[1440]!; // 2024-03-12 00:00
    expect(first.openTime).toBe(Date.UTC(2024, 2, 12));
    expect(out[1440]).toBe((first.high + first.low + first.close) / 3);
    expect(out[1440]).toBeCloseTo(72123.00333333334, 8);
    expect(vwap.sessionId).toBe(utcDay(first.openTime));
  });

  it('is not moved by candles with zero volume, and waits for volume in a new session', () => {
    const muted = m1.map((c, i) => (i % 7 === 3 || i === 1440 ? { ...c, volume: 0 } : c));
    const vwap = new Vwap();
    const out = muted.map((c) => {
      const r = vwap.add(c);
      expect(r === null).toBe(!vwap.isStable);
      return r;
    });
    expect(firstMismatch(out, referenceVwap(muted, utcDay))).toBeNull();
    let unmoved = 0;
    for (let i = 1; i < muted.length; i++) {
      if (muted[i]!.volume !== 0) continue;
      const opensSession = utcDay(muted[i]!.openTime) !== utcDay(muted[i - 1]!.openTime);
      expect(out[i]).toBe(opensSession ? null : out[i - 1]);
      if (!opensSession) unmoved++;
    }
    expect(unmoved).toBeGreaterThan(1600);
    expect(out[1440]).toBeNull(); // 2024-03-12 opened on a zero-volume minute: no VWAP yet
    expect(out[1441]).toBe((muted[1441]!.high + muted[1441]!.low + muted[1441]!.close) / 3);
  });

  it('rejects an anchor outside the day', () => {
    for (const bad of [-1, DAY, Number.NaN]) expect(() => new Vwap({ sessionStartUtcMs: bad })).toThrow(ConfigError);
    expect(new Vwap().requiredInputs).toBe(1);
  });
});
