import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { bucketStart } from '../../../src/core/index.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/index.js';
import { M5VolatilityBridge, type BridgeInput, type VolatilityBridgeReading, type VolatilityState } from '../../../src/pipeline/volatility/index.js';
import { binanceMinutes } from '../calibration/fixtures.js';
import { RangeExpansion } from '../../../src/pipeline/indicators/index.js';
import { wilderAtrSeries } from './wilderAtr.js';

let minutes: Candle[] = [];
let m5: Candle[] = [];

beforeAll(async () => {
  minutes = await binanceMinutes();
  m5 = aggregateCandles(minutes, 'M5');
});

/** The bridge with its default ATR (the indicators' Wilder `Atr(14)`); the test's own `WilderAtr` is the oracle. */
const newBridge = () => new M5VolatilityBridge({ symbol: 'BTCUSD' });
const input = (c: Candle, extra: Partial<BridgeInput> = {}): BridgeInput => ({
  primary: c,
  primarySource: 'binance',
  secondary: null,
  offset: 2.34,
  brokerSpread: null,
  tsInit: c.openTime + 300_000,
  ...extra,
});
const hhmm = (ts: number) => new Date(ts).toISOString().slice(11, 16);

/** The state rule written out from its definition (defaults), independent of the source. */
function referenceState(re: number, ratio: number): VolatilityState {
  if (re >= 2.5 || ratio >= 1.6) return 'extreme';
  if (re >= 1.5 || ratio >= 1.2) return 'expanding';
  if (re < 0.75 && ratio <= 0.85) return 'calm';
  return 'normal';
}

describe('M5VolatilityBridge on Binance BTCUSDT M5, 2023-02-20 (288 candles)', () => {
  it('follows the streaming contract: null in warm-up, stable after ATR(14) + 24 baseline values', () => {
    const bridge = newBridge();
    expect(bridge.requiredInputs).toBe(38);
    const results = m5.map((c, i) => {
      const r = bridge.add(input(c));
      expect(bridge.isStable).toBe(i + 1 >= 38);
      expect(bridge.getResult()).toBe(r);
      return r;
    });
    expect(results.slice(0, 37).every((r) => r === null)).toBe(true);
    expect(results.slice(37).every((r) => r !== null)).toBe(true);
  });

  it('ATR, range expansion, ATR ratio, state and slope equal their definitions at every candle', () => {
    const bridge = newBridge();
    const atr = wilderAtrSeries(m5) as number[];
    const counts: Record<VolatilityState, number> = { calm: 0, normal: 0, expanding: 0, extreme: 0 };
    m5.forEach((c, i) => {
      const r = bridge.add(input(c));
      if (i < 37 || r === null) return;
      const re = (c.high - c.low) / (atr[i - 1] as number);
      const baseline = atr.slice(i - 24, i);
      const ratio = (atr[i] as number) / (baseline.reduce((a, b) => a + b, 0) / 24);
      const slope = (c.close - (m5[i - 3] as Candle).close) / (3 * (atr[i] as number));
      expect(r.atr).toBeCloseTo(atr[i] as number, 9);
      expect(r.rangeExpansion).toBeCloseTo(re, 12);
      expect(r.atrRatio).toBeCloseTo(ratio, 12);
      expect(r.state).toBe(referenceState(re, ratio));
      expect(r.slope).toBeCloseTo(slope, 12);
      expect(r.slopeDirection).toBe(slope >= 0.1 ? 'up' : slope <= -0.1 ? 'down' : 'flat');
      // Binance primary, no secondary: the fused close is the Binance close in broker terms
      expect(r.weights).toEqual({ binance: 1 });
      expect(r.fusedClose).toBe(c.close + 2.34);
      expect(r.sources).toEqual(['binance']);
      counts[r.state]++;
    });
    // the thresholds' effect on this day: 21 % calm, 59 % normal, 15 % expanding, 5 % extreme
    expect(counts).toEqual({ calm: 53, normal: 148, expanding: 38, extreme: 12 });
  });

  it('range expansion equals the indicators\' RangeExpansion (ATR baseline) at every candle', () => {
    const bridge = newBridge();
    const re = new RangeExpansion({ period: 14, baseline: 'atr' });
    for (const c of m5) {
      const r = bridge.add(input(c));
      const expected = re.add(c);
      if (r) expect(r.rangeExpansion).toBe(expected);
    }
  });

  it('the 09:40 candle (range 6.5 ATR) is extreme, and flags its M15 before it closes', () => {
    const bridge = newBridge();
    const readings = new Map<number, VolatilityBridgeReading>();
    for (const c of m5) {
      const r = bridge.add(input(c));
      if (r) readings.set(c.openTime, r);
    }
    const r = readings.get(Date.UTC(2023, 1, 20, 9, 40)) as VolatilityBridgeReading;
    expect(r.state).toBe('extreme');
    expect(r.rangeExpansion).toBeGreaterThan(6.5);
    expect(r.m15).toMatchObject({ openTime: Date.UTC(2023, 1, 20, 9, 30), candles: 3, closed: true });
    expect(r.expansionBeforeM15Close).toBe(true);
  });

  it('early M15 expansion over the day equals the rule recomputed from the candles', () => {
    const bridge = newBridge();
    const atr = wilderAtrSeries(m5) as number[];
    const flagged: string[] = [];
    const expected = new Set<string>();
    m5.forEach((c, i) => {
      const r = bridge.add(input(c));
      if (r === null) return;
      // reference: at the close of M5 #1 or #2 of an M15 (before the M15 closes), the M15 range so far
      // in ATR before the M15 >= 2, or this M5's range >= 1.5 ATR before it
      const m15 = bucketStart('M15', c.openTime);
      const position = (c.openTime - m15) / 300_000;
      if (position < 2) {
        const inside = m5.slice(i - position, i + 1);
        const range = Math.max(...inside.map((x) => x.high)) - Math.min(...inside.map((x) => x.low));
        const before = atr[i - position - 1] as number;
        if (range / before >= 2 || (c.high - c.low) / (atr[i - 1] as number) >= 1.5) expected.add(hhmm(m15));
      }
      if (r.expansionBeforeM15Close && position === 2) flagged.push(hhmm(m15));
    });
    expect(flagged).toEqual([...expected].filter((t) => t >= '03:05'));
    expect(flagged).toEqual(['06:15', '06:45', '07:30', '08:15', '09:15', '09:30', '09:45', '10:00', '11:30', '14:00', '14:15', '14:30', '14:45', '15:00', '16:30', '21:45', '22:15', '22:30']);
  });

  it('replace amends the forming M5 minute by minute, detects expansion before the M5 closes, and ends where add of the closed candle ends', () => {
    const closedOnly = newBridge();
    const forming = newBridge();
    const target = Date.UTC(2023, 1, 20, 9, 40);
    let firstDetection: string | null = null;
    let last: VolatilityBridgeReading | null = null;
    for (const c of m5) {
      const a = closedOnly.add(input(c));
      if (c.openTime !== target) {
        forming.add(input(c));
        continue;
      }
      // the 09:40 M5 as it forms: the first k minutes rolled up, not closed, then the closed candle
      for (let k = 1; k <= 5; k++) {
        const part = aggregateCandles(minutes.filter((m) => m.openTime >= target && m.openTime < target + k * 60_000), 'M5')[0] as Candle;
        const partial = { ...part, closed: k === 5 };
        const r = k === 1 ? forming.add(input(partial, { tsInit: target + k * 60_000 })) : forming.replace(input(partial, { tsInit: target + k * 60_000 }));
        expect(forming.getResult()).toBe(r);
        if (firstDetection === null && r?.expansionBeforeM15Close) firstDetection = `${k} min`;
        last = r;
      }
      expect(last).toEqual(a);
    }
    // the 09:40 bar had covered 2 ATR after its first minute already
    expect(firstDetection).toBe('1 min');
    expect(forming.getResult()).toEqual(closedOnly.getResult());
  });

  it('rejects another symbol, another timeframe, and a candle older than the last', () => {
    const bridge = newBridge();
    bridge.add(input(m5[1] as Candle));
    expect(() => bridge.add(input(m5[0] as Candle))).toThrow(/older/);
    expect(() => bridge.replace(input(m5[0] as Candle))).toThrow(/cannot replace/);
    expect(() => bridge.add(input({ ...(m5[2] as Candle), symbol: 'XAUUSD' }))).toThrow(/XAUUSD/);
    expect(() => bridge.add(input(minutes[700] as Candle))).toThrow(/M1/);
  });
});
