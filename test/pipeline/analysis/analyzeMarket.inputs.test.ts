import { beforeAll, describe, expect, it } from 'vitest';
import { DataIntegrityError, InvalidRequestError } from '../../../src/core/index.js';
import type { AnalysisInput, MarketAnalysis } from '../../../src/pipeline/index.js';
import { analyzeMarket, MacroStore, timeframeBias, tradingSession, volatilityRegime } from '../../../src/pipeline/index.js';
import { BTC_AS_OF, btcInput } from './inputs.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

const empty = { M1: [], M5: [], M15: [], H1: [], H4: [] };

describe('analyzeMarket inputs', () => {
  let input: AnalysisInput;
  let base: MarketAnalysis;
  beforeAll(async () => {
    input = await btcInput();
    base = analyzeMarket(input);
  });

  it('a live price moves every distance and the VWAP vote, and is reported with its time', () => {
    const live = analyzeMarket({ ...input, lastPrice: 67_900, lastPriceAt: BTC_AS_OF - 250 });
    expect(live.price).toEqual({ value: 67_900, basis: 'live', at: '2024-03-18T11:59:59.749Z' });
    expect(live.warnings).toEqual(['macro: no macro snapshot (VIX, DXY, US10Y) was given']);
    for (const l of live.keyLevels) {
      if (l.top === null) expect(l.distance).toBeCloseTo(l.price - 67_900, 8);
    }
    // 67,900 is below the M1 session VWAP 68,008.92: the M1 VWAP vote turns -1 (bearish trend -2, EMA +1: -2/4).
    const m1 = live.timeframes[0]!;
    expect(m1.bias.reasons[1]).toBe('vwap: price 67900 below session VWAP 68008.92113435 (-1)');
    expect(m1.bias).toMatchObject({ direction: 'bearish', score: -0.5 });
    // Indicators do not depend on the price.
    expect(m1.atr).toBe(base.timeframes[0]!.atr);
  });

  it('macro readings are reported with notes but never move the bias', () => {
    const macro = new MacroStore({ maxAgeMs: 900_000 });
    // Hand-written readings (no macro recording exists in the shared data): VIX high enough for the risk-off note, DXY stale.
    macro.fromJson({ readings: [{ indicator: 'VIX', value: 26.5, ts: BTC_AS_OF - 60_000 }, { indicator: 'DXY', value: 103.4, ts: BTC_AS_OF - 3_600_000 }] }, BTC_AS_OF);
    const withMacro = analyzeMarket({ ...input, macro: macro.snapshot(BTC_AS_OF) });
    expect(withMacro.macro).toEqual({
      complete: false,
      readings: {
        VIX: { value: 26.5, ageMs: 60_000, stale: false, source: 'json' },
        DXY: { value: 103.4, ageMs: 3_600_000, stale: true, source: 'json' },
        US10Y: null,
      },
      notes: ['DXY: reading is stale (60 min old)', 'US10Y: no reading', 'VIX 26.5 >= 25: risk-off backdrop, expect wider ranges'],
    });
    expect(withMacro.plan).toEqual(base.plan);
    expect(withMacro.timeframes).toEqual(base.timeframes);
    expect(withMacro.warnings).toEqual(['price: no live price; distances are measured from the last M1 close 68253.4']);
  });

  it('engine logs: the 5 newest entries per engine, newest first; null when the engine gave none', () => {
    const dtms = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ ts: BTC_AS_OF - (7 - i) * 60_000, action: i % 2 ? 'trail' : 'monitor', detail: `step ${i}` }));
    const out = analyzeMarket({ ...input, dtms, exits: [] });
    expect(out.engines.dtms?.map((e) => e.detail)).toEqual(['step 6', 'step 5', 'step 4', 'step 3', 'step 2']);
    expect(out.engines.dtms?.[0]).toEqual({ at: '2024-03-18T11:58:59.999Z', action: 'monitor', detail: 'step 6' });
    expect(out.engines.exits).toEqual([]);
    expect(base.engines).toEqual({ dtms: null, exits: null });
  });

  it('never mutates its input (a deep-frozen input gives the same answer)', () => {
    const frozen = deepFreeze(structuredClone(input));
    expect(analyzeMarket(frozen)).toEqual(base);
  });

  it('fails clearly on nothing to analyse, an open candle, or a candle of another timeframe', () => {
    const none = () => analyzeMarket({ symbol: 'GBPJPY', asOf: BTC_AS_OF, candles: empty, lastPrice: null, session: null });
    expect(none).toThrow(InvalidRequestError);
    expect(none).toThrow('no price and no candles for GBPJPY: nothing to analyse yet');
    const m1 = input.candles.M1;
    const open = { ...m1[m1.length - 1]!, closed: false };
    expect(() => analyzeMarket({ ...input, candles: { ...input.candles, M1: [...m1.slice(0, -1), open] } })).toThrow(DataIntegrityError);
    expect(() => analyzeMarket({ ...input, candles: { ...input.candles, M5: input.candles.M15 } })).toThrow(/got a BTCUSD M15 candle/);
  });

  it('a price with no candles answers a neutral map with every timeframe flagged', () => {
    const out = analyzeMarket({ symbol: 'BTCUSD', asOf: BTC_AS_OF, candles: empty, lastPrice: 68_000, session: tradingSession(BTC_AS_OF) });
    expect(out.plan).toMatchObject({ bias: 'neutral', score: 0, agreement: 0, anchorTimeframe: null, invalidation: null, entryZones: [], targets: [] });
    expect(out.plan.summary).toBe('BTCUSD neutral (score 0, agreement 0): no timeframe has enough bars. No directional plan.');
    expect(out.keyLevels).toEqual([]);
    expect(out.warnings).toHaveLength(6);
  });
});

describe('the documented rules', () => {
  it('volatility regime: first match of extreme, expanding, calm, else normal; RE alone when the percentile is unknown', () => {
    expect(volatilityRegime(null, 50)).toBeNull();
    expect([volatilityRegime(2.5, 10), volatilityRegime(1, 95), volatilityRegime(2.49, 94.9)]).toEqual(['extreme', 'extreme', 'expanding']);
    expect([volatilityRegime(1.5, 10), volatilityRegime(1, 80), volatilityRegime(1.49, 79.9)]).toEqual(['expanding', 'expanding', 'normal']);
    expect([volatilityRegime(0.74, 25), volatilityRegime(0.75, 25), volatilityRegime(0.74, 25.1)]).toEqual(['calm', 'normal', 'normal']);
    expect([volatilityRegime(0.2, null), volatilityRegime(1.6, null)]).toEqual(['normal', 'expanding']);
  });

  it('timeframe bias: trend 2, VWAP 1, EMA 1 over 4, bullish from 0.25, bearish from -0.25', () => {
    const fmt = String;
    expect(timeframeBias({ trend: 'bullish', price: 10, vwap: 9, ema20: 2, ema50: 1 }, fmt)).toMatchObject({ score: 1, direction: 'bullish' });
    expect(timeframeBias({ trend: null, price: 10, vwap: 9, ema20: null, ema50: null }, fmt)).toMatchObject({ score: 0.25, direction: 'bullish' });
    expect(timeframeBias({ trend: 'bearish', price: 10, vwap: 10, ema20: 1, ema50: 1 }, fmt)).toMatchObject({ score: -0.5, direction: 'bearish' });
    expect(timeframeBias({ trend: 'bearish', price: 10, vwap: 9, ema20: 2, ema50: 1 }, fmt)).toMatchObject({ score: 0, direction: 'neutral' });
    expect(timeframeBias({ trend: null, price: 10, vwap: null, ema20: 1, ema50: 2 }, fmt).reasons).toEqual([
      'structure: no break of structure yet (0)',
      'vwap: no session VWAP (0)',
      'ema: EMA(20) 1 below EMA(50) 2 (-1)',
    ]);
  });
});
