import { beforeAll, describe, expect, it } from 'vitest';
import type { AnalysedTimeframe, AnalysisInput, MarketAnalysis, TimeframeAnalysis } from '../../../src/pipeline/index.js';
import { analyzeMarket, isEmptyCandle } from '../../../src/pipeline/index.js';
import { xauInput } from './inputs.js';
import { reference, regime, type Reference } from './reference.js';

const PRICE = 2160.26; // close of the 2024-03-18 20:00 UTC H1 bar of the MT5 export

describe('analyzeMarket on the MT5 XAUUSD H1 export (and its H4 roll-up) only, as of 2024-03-18 20:59:59.999 UTC', () => {
  let input: AnalysisInput;
  let a: MarketAnalysis;
  const refs = {} as Record<'H1' | 'H4', Reference>;
  const tf = (t: AnalysedTimeframe) => a.timeframes.find((x) => x.timeframe === t) as TimeframeAnalysis;

  beforeAll(async () => {
    input = await xauInput();
    a = analyzeMarket(input);
    for (const t of ['H1', 'H4'] as const) refs[t] = reference(input.candles[t].filter((c) => !isEmptyCandle(c)), 'XAUUSD', t, PRICE);
  });

  it('leaves out the empty H4 candles of the roll-up (weekends, the daily break) and the timeframes without data', () => {
    expect(input.candles.H4).toHaveLength(300);
    expect(a.timeframes.map((t) => [t.timeframe, t.bars, t.skippedEmpty])).toEqual([
      ['M1', 0, 0],
      ['M5', 0, 0],
      ['M15', 0, 0],
      ['H1', 300, 0],
      ['H4', 223, 77],
    ]);
    expect(a.warnings).toEqual([
      'price: no live price; distances are measured from the last H1 close 2160.26',
      'M1: 0 closed bars, too few for a bias (left out of the overall bias)',
      'M5: 0 closed bars, too few for a bias (left out of the overall bias)',
      'M15: 0 closed bars, too few for a bias (left out of the overall bias)',
      'macro: no macro snapshot (VIX, DXY, US10Y) was given',
    ]);
    expect(tf('M5')).toMatchObject({ atr: null, vwap: null, volatility: null, structure: { trend: null, events: 0, nearestZones: [] } });
    expect(tf('M5').bias).toEqual({ direction: 'neutral', score: null, reasons: ['only 0 closed bars (the bias needs 20)'] });
  });

  it('H1 and H4 readings equal the textbook loops and detectStructure over the non-empty candles', () => {
    for (const t of ['H1', 'H4'] as const) {
      const r = refs[t];
      const o = tf(t);
      expect([o.atr, o.atrPercentile, o.rangeExpansion, o.vwap, o.ema20, o.ema50]).toEqual([r.atr, r.atrPercentile, r.rangeExpansion, r.vwap, r.ema20, r.ema50]);
      expect(o.volatility).toBe(regime(r.rangeExpansion as number, r.atrPercentile as number));
      expect(o.structure.events).toBe(r.events.length);
      expect(o.structure.trend).toBe(r.lastBreak?.direction);
      expect(o.structure.swingLow?.price).toBe(r.lastSwingLow?.level);
      expect(o.bias.score).toBe(r.points / 4);
    }
    expect([tf('H1').atr, tf('H1').atrPercentile, tf('H1').rangeExpansion, tf('H1').volatility, tf('H1').vwap]).toEqual([
      3.60068231, 12.1951, 0.2577, 'calm', 2155.89806795,
    ]);
    expect([tf('H4').atr, tf('H4').atrPercentile, tf('H4').rangeExpansion, tf('H4').volatility]).toEqual([8.06014987, 53.3333, 0.805, 'normal']);
    expect(tf('H1').structure.lastBreak).toEqual({ kind: 'choch', direction: 'bullish', level: 2157.55, at: '2024-03-18T10:59:59.999Z' });
    expect(tf('H4').structure.lastBreak).toEqual({ kind: 'bos', direction: 'bearish', level: 2152.8, at: '2024-03-18T03:59:59.999Z' });
  });

  it('weights renormalise over the timeframes that count: (0.35 x 0 + 0.25 x 0.5) / 0.6', () => {
    // H4: bearish trend -2, above VWAP +1, EMA20 > EMA50 +1 = 0. H1: bullish CHOCH +2, above VWAP +1, EMA20 < EMA50 -1 = 2/4.
    expect(a.map.slice(0, 2).map((m) => [m.timeframe, m.bias, m.score])).toEqual([
      ['H4', 'neutral', 0],
      ['H1', 'bullish', 0.5],
    ]);
    expect(a.map.slice(2).every((m) => m.score === null)).toBe(true);
    expect(a.plan.score).toBe(Math.round(((0.35 * 0 + 0.25 * 0.5) / 0.6) * 1e4) / 1e4);
    expect(a.plan).toMatchObject({ bias: 'bullish', score: 0.2083, agreement: 0.4167, anchorTimeframe: 'H1' });
    expect(a.plan.summary).toBe('XAUUSD bullish (score 0.2083, agreement 0.4167): H4 neutral, H1 bullish. invalidation 2154.63 (H1); 0 entry zones on H1/M15.');
  });

  it('invalidates below the H1 swing low; no bullish H1 zone lies between it and the price, so no entry zone', () => {
    expect(a.plan.invalidation).toEqual({
      price: 2154.63,
      timeframe: 'H1',
      kind: 'swing_low',
      rule: 'a H1 close below 2154.63 (the H1 structure swing low) breaks structure against the bullish bias',
    });
    const bullishH1 = refs.H1.zones.filter((z) => z.direction === 'bullish' && z.top <= PRICE);
    expect(bullishH1.length).toBeGreaterThan(0);
    expect(bullishH1.every((z) => z.bottom < 2154.63)).toBe(true); // e.g. the gap [2154.48, 2154.63] reaches below it
    expect(a.plan.entryZones).toEqual([]);
    expect(a.plan.targets.map((l) => [l.timeframe, l.price, l.distance])).toEqual([
      ['H1', 2161.34, 1.08],
      ['H1', 2163.64, 3.38],
      ['H4', 2172.73, 12.47],
    ]);
  });

  it('key levels are sorted by distance, ties by the higher timeframe then kind', () => {
    expect(a.keyLevels.slice(0, 8).map((l) => [l.timeframe, l.kind, l.price, l.distance])).toEqual([
      ['H1', 'swing_high', 2161.34, 1.08],
      ['H4', 'fvg', 2163.64, 3.38],
      ['H1', 'swing_high', 2163.64, 3.38],
      ['H4', 'vwap', 2156.13957131, -4.12042869],
      ['H1', 'vwap', 2155.89806795, -4.36193205],
      ['H4', 'fvg', 2154.63, -5.63],
      ['H1', 'swing_low', 2154.63, -5.63],
      ['H1', 'fvg', 2154.63, -5.63],
    ]);
    expect(a.keyLevels).toHaveLength(17);
  });
});
