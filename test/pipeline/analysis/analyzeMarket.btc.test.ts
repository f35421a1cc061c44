import { beforeAll, describe, expect, it } from 'vitest';
import type { AnalysedTimeframe, AnalysisInput, MarketAnalysis, TimeframeAnalysis } from '../../../src/pipeline/index.js';
import { analyzeMarket, TIMEFRAME_WEIGHTS } from '../../../src/pipeline/index.js';
import { BTC_AS_OF, btcInput } from './inputs.js';
import { reference, regime, zoneDistance, type Reference } from './reference.js';

const TFS: AnalysedTimeframe[] = ['M1', 'M5', 'M15', 'H1', 'H4'];
const PRICE = 68253.4; // close of the 2024-03-18 11:59 minute (official kline)

describe('analyzeMarket on the official BTCUSDT 1m klines of 2024-03-11..18, as of 2024-03-18 11:59:59.999 UTC', () => {
  let input: AnalysisInput;
  let a: MarketAnalysis;
  let refs: Record<AnalysedTimeframe, Reference>;
  const tf = (t: AnalysedTimeframe) => a.timeframes.find((x) => x.timeframe === t) as TimeframeAnalysis;

  beforeAll(async () => {
    input = await btcInput();
    a = analyzeMarket(input);
    refs = {} as Record<AnalysedTimeframe, Reference>;
    for (const t of TFS) refs[t] = reference(input.candles[t], 'BTCUSD', t, PRICE);
  });

  it('measures from the last M1 close when no live price is given, and says so', () => {
    expect(a.price).toEqual({ value: PRICE, basis: 'last_close', at: '2024-03-18T11:59:59.999Z' });
    expect(a.asOf).toBe('2024-03-18T11:59:59.999Z');
    // 11:59 UTC: London (winter time) is open; New York (EDT since 2024-03-10) opens at 12:00 UTC.
    expect(a.session).toEqual({ label: 'london', active: ['london'], overlap: false, fxOpen: true });
    expect(a.warnings).toEqual([
      'price: no live price; distances are measured from the last M1 close 68253.4',
      'macro: no macro snapshot (VIX, DXY, US10Y) was given',
    ]);
    expect(a.timeframes.map((t) => [t.timeframe, t.bars, t.skippedEmpty, t.lastCloseAt])).toEqual([
      ['M1', 300, 0, '2024-03-18T11:59:59.999Z'],
      ['M5', 300, 0, '2024-03-18T11:59:59.999Z'],
      ['M15', 300, 0, '2024-03-18T11:59:59.999Z'],
      ['H1', 180, 0, '2024-03-18T11:59:59.999Z'],
      ['H4', 45, 0, '2024-03-18T11:59:59.999Z'],
    ]);
  });

  it('ATR(14), its percentile, range expansion, VWAP and EMAs equal the textbook loops on every timeframe', () => {
    for (const t of TFS) {
      const r = refs[t];
      const o = tf(t);
      expect([t, o.atr, o.atrPercentile, o.rangeExpansion, o.vwap, o.ema20, o.ema50]).toEqual([t, r.atr, r.atrPercentile, r.rangeExpansion, r.vwap, r.ema20, r.ema50]);
      expect(o.volatility).toBe(regime(r.rangeExpansion as number, r.atrPercentile as number));
    }
    // The numbers themselves (checked against the loops above).
    expect(TFS.map((t) => [tf(t).atr, tf(t).atrPercentile, tf(t).rangeExpansion, tf(t).volatility])).toEqual([
      [45.01333935, 0.3484, 0.6362, 'calm'],
      [142.52540899, 17.77, 0.4017, 'calm'],
      [298.35710461, 16.3763, 0.7273, 'calm'],
      [676.5722644, 28.7425, 0.6774, 'normal'],
      [1651.16138649, 37.5, 0.7018, 'normal'],
    ]);
    expect(tf('M1').vwap).toBe(68008.92113435);
    expect(tf('H4').ema50).toBeNull(); // 45 H4 bars: EMA(50) still warming up
  });

  it('structure comes from detectStructure over the same candles: trend = last BOS/CHOCH, the latest swings, sweeps, open zones', () => {
    for (const t of TFS) {
      const r = refs[t];
      const s = tf(t).structure;
      expect(s.events).toBe(r.events.length);
      expect(s.trend).toBe(r.lastBreak?.direction ?? null);
      expect(s.lastBreak?.level).toBe(r.lastBreak?.level);
      expect(s.lastBreak?.kind).toBe(r.lastBreak?.kind);
      expect(s.swingHigh?.price).toBe(r.lastSwingHigh?.level);
      expect(s.swingLow?.price).toBe(r.lastSwingLow?.level);
      const brokenIds = new Set(r.events.filter((e) => e.kind === 'bos' || e.kind === 'choch').flatMap((e) => e.refs));
      expect(s.swingHigh?.broken).toBe(brokenIds.has(r.lastSwingHigh?.id ?? ''));
      expect(s.openOrderBlocks).toBe(r.zones.filter((z) => z.kind === 'order_block').length);
      expect(s.openFvgs).toBe(r.zones.filter((z) => z.kind === 'fvg').length);
      for (const z of s.nearestZones) {
        expect(r.zones).toContainEqual({ kind: z.kind, direction: z.direction, top: z.top, bottom: z.bottom, formedAt: Date.parse(z.formedAt) });
        expect(z.distance).toBeCloseTo(zoneDistance(PRICE, z.top, z.bottom), 8);
      }
    }
    expect(tf('M15').structure.lastBreak).toEqual({ kind: 'choch', direction: 'bullish', level: 68226.73, at: '2024-03-18T11:29:59.999Z' });
    expect(tf('H1').structure.lastBreak).toEqual({ kind: 'choch', direction: 'bearish', level: 67953.35, at: '2024-03-18T00:59:59.999Z' });
  });

  it('each timeframe bias is (trend +-2, price vs VWAP +-1, EMA20 vs EMA50 +-1) / 4, as reasoned by hand from the references', () => {
    for (const t of TFS) {
      const score = refs[t].points / 4;
      expect(tf(t).bias.score).toBe(score);
      expect(tf(t).bias.direction).toBe(score >= 0.25 ? 'bullish' : score <= -0.25 ? 'bearish' : 'neutral');
      expect(tf(t).bias.reasons).toHaveLength(3);
    }
    // M15: bullish CHOCH, price above VWAP, EMA20 > EMA50: +4/4. H4: bearish trend, above VWAP, no EMA50: -1/4.
    expect(a.map.map((m) => [m.timeframe, m.bias, m.score, m.trend])).toEqual([
      ['H4', 'bearish', -0.25, 'bearish'],
      ['H1', 'neutral', 0, 'bearish'],
      ['M15', 'bullish', 1, 'bullish'],
      ['M5', 'bullish', 1, 'bullish'],
      ['M1', 'neutral', 0, 'bearish'],
    ]);
    expect(tf('H4').bias.reasons).toEqual([
      'structure: trend bearish from the last BOS/CHOCH (-2)',
      'vwap: price 68253.4 above session VWAP 67986.1095745 (+1)',
      'ema: EMA(50) not warmed up (0)',
    ]);
  });

  it('overall bias = weighted mean (H4 .35, H1 .25, M15 .2, M5 .12, M1 .08); invalidation = the anchor timeframe swing low', () => {
    const expected = TFS.reduce((s, t) => s + TIMEFRAME_WEIGHTS[t] * (refs[t].points / 4), 0);
    expect(a.plan.score).toBe(Math.round(expected * 1e4) / 1e4);
    expect(a.plan).toMatchObject({ bias: 'bullish', score: 0.2325, agreement: 0.32, anchorTimeframe: 'M15' });
    // H4 is bearish and H1 neutral, so the highest agreeing timeframe is M15; its structure swing low is below price.
    expect(a.plan.invalidation).toEqual({
      price: refs.M15.lastSwingLow?.level,
      timeframe: 'M15',
      kind: 'swing_low',
      rule: 'a M15 close below 67700 (the M15 structure swing low) breaks structure against the bullish bias',
    });
  });

  it('entry zones are bullish H1/M15 zones at or below price and not below the invalidation, nearest first', () => {
    for (const z of a.plan.entryZones) {
      expect(['H1', 'M15']).toContain(z.timeframe);
      expect(z.direction).toBe('bullish');
      expect(z.side).not.toBe('above');
      expect(z.bottom).toBeGreaterThanOrEqual(67700);
    }
    expect(a.plan.entryZones.map((z) => [z.timeframe, z.kind, z.bottom, z.top, z.distance])).toEqual([
      ['M15', 'order_block', 67700, 68000, -253.4],
      ['M15', 'fvg', 67923.99, 67944.01, -309.39],
    ]);
    expect(a.plan.entryZonesOmitted).toBe(0);
    expect(a.plan.targets.every((l) => l.kind === 'swing_high' && l.side === 'above')).toBe(true);
    expect(a.plan.targets.map((l) => [l.timeframe, l.price])).toEqual([
      ['M1', 68400],
      ['M5', 68483.96],
      ['M1', 68483.96],
    ]);
  });

  it('key levels: untaken swings, open zones and VWAPs of every timeframe, each the 2 nearest of its kind, sorted by distance', () => {
    const levels = a.keyLevels;
    for (let i = 1; i < levels.length; i++) expect(Math.abs(levels[i]!.distance)).toBeGreaterThanOrEqual(Math.abs(levels[i - 1]!.distance));
    for (const t of TFS) {
      const r = refs[t];
      const mine = levels.filter((l) => l.timeframe === t);
      const nearest2 = (prices: number[]) => [...prices].sort((x, y) => Math.abs(x - PRICE) - Math.abs(y - PRICE)).slice(0, 2).sort((x, y) => x - y);
      const got = (kind: string) => mine.filter((l) => l.kind === kind).map((l) => l.price).sort((x, y) => x - y);
      expect(got('swing_high')).toEqual(nearest2(r.untakenHighs));
      expect(got('swing_low')).toEqual(nearest2(r.untakenLows));
      expect(got('vwap')).toEqual([r.vwap]);
      for (const l of mine.filter((x) => x.kind === 'fvg' || x.kind === 'order_block')) {
        expect(r.zones).toContainEqual({ kind: l.kind, direction: l.direction, top: l.top, bottom: l.bottom, formedAt: Date.parse(l.formedAt as string) });
      }
    }
    expect(levels.length).toBe(42);
    expect(levels[0]).toEqual({
      timeframe: 'M1',
      kind: 'swing_low',
      direction: 'bullish',
      price: 68220.01,
      top: null,
      bottom: null,
      distance: -33.39,
      side: 'below',
      formedAt: '2024-03-18T11:57:00.000Z',
    });
  });

  it('is deterministic: the same input (or a deep copy of it) gives a deep-equal, JSON-identical answer', () => {
    const again = analyzeMarket(input);
    const copy = analyzeMarket(structuredClone(input));
    expect(again).toEqual(a);
    expect(copy).toEqual(a);
    expect(JSON.stringify(again)).toBe(JSON.stringify(a));
    expect(JSON.stringify(copy)).toBe(JSON.stringify(a));
    expect(a.asOf).toBe(new Date(BTC_AS_OF).toISOString());
  });
});
