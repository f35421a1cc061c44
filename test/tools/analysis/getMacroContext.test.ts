import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MacroStore } from '../../../src/pipeline/index.js';
import { analyzeMarket, getMacroContext, NO_MACRO_SOURCE, NO_READING_YET } from '../../../src/tools/index.js';
import { BTC_AS_OF } from '../../pipeline/analysis/inputs.js';
import { callTool } from '../realContext.js';
import { analysisParts, type AnalysisParts } from './analysisContext.js';

const NOW = BTC_AS_OF + 1 + 250; // 2024-03-18 12:00:00.250 UTC

type Reading = { value: number | null; time: string | null; ageMs: number | null; stale: boolean | null; source: string | null; origin: string | null; reason: string | null };
type Answer = {
  asOf: string;
  session: { label: string; active: string[]; overlap: boolean; fxOpen: boolean; londonDst: boolean; newYorkDst: boolean };
  configured: boolean;
  complete: boolean;
  readings: Record<'VIX' | 'DXY' | 'US10Y', Reading>;
};

const none = (reason: string): Reading => ({ value: null, time: null, ageMs: null, stale: null, source: null, origin: null, reason });

describe('get_macro_context', () => {
  let parts: AnalysisParts;
  beforeAll(async () => {
    parts = await analysisParts(NOW);
  });
  afterAll(() => parts.close());

  it('without a macro source: the session from the clock, every reading null with the reason', async () => {
    const out = (await callTool(getMacroContext, {}, parts.ctx)) as Answer;
    expect(out).toEqual({
      asOf: '2024-03-18T12:00:00.250Z',
      // New York is on EDT since 2024-03-10 (opens 12:00 UTC); London is still on GMT (08:00-17:00 UTC).
      session: { label: 'london_new_york', active: ['london', 'new_york'], overlap: true, fxOpen: true, londonDst: false, newYorkDst: true },
      configured: false,
      complete: false,
      readings: { VIX: none(NO_MACRO_SOURCE), DXY: none(NO_MACRO_SOURCE), US10Y: none(NO_MACRO_SOURCE) },
    });
  });

  it('with a macro source: each reading with its age, source and stale flag; a missing one says none arrived yet', async () => {
    // Hand-written readings (no macro recording exists in the shared data); DXY comes from the broker symbol USDX.
    const macro = new MacroStore({ mt5Symbols: { DXY: 'USDX' }, maxAgeMs: 900_000 });
    macro.fromJson({ readings: [{ indicator: 'VIX', value: 14.4, ts: NOW - 30_000 }] }, NOW - 29_000);
    macro.fromTick({ symbol: 'USDX', source: 'mt5', tsEvent: NOW - 1_200_000, tsInit: NOW - 1_199_980, bid: 103.4, ask: 103.42, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0 });
    const out = (await callTool(getMacroContext, {}, parts.withMacro(macro))) as Answer;
    expect(out.configured).toBe(true);
    expect(out.complete).toBe(false);
    expect(out.readings).toEqual({
      VIX: { value: 14.4, time: '2024-03-18T11:59:30.250Z', ageMs: 30_000, stale: false, source: 'json', origin: 'VIX', reason: null },
      DXY: { value: (103.4 + 103.42) / 2, time: '2024-03-18T11:40:00.250Z', ageMs: 1_200_000, stale: true, source: 'mt5', origin: 'USDX', reason: null },
      US10Y: none(NO_READING_YET),
    });
    macro.fromJson({ readings: [{ indicator: 'US10Y', value: 4.31, ts: NOW - 5_000 }, { indicator: 'DXY', value: 103.45, ts: NOW - 5_000 }] }, NOW);
    const full = (await callTool(getMacroContext, {}, parts.withMacro(macro))) as Answer;
    expect(full.complete).toBe(true);
    expect([full.readings.US10Y.value, full.readings.DXY.value, full.readings.DXY.stale]).toEqual([4.31, 103.45, false]);
  });

  it('the macro snapshot rides along in analyze_market without moving its bias', async () => {
    const macro = new MacroStore();
    macro.fromJson({ readings: [{ indicator: 'VIX', value: 27, ts: NOW - 10_000 }] }, NOW);
    const plain = (await callTool(analyzeMarket, { symbol: 'BTCUSD' }, parts.bare)) as { analysis: { plan: unknown; macro: unknown } };
    const withMacro = (await callTool(analyzeMarket, { symbol: 'BTCUSD' }, { ...parts.bare, macro })) as { analysis: { plan: unknown; macro: unknown } };
    expect(plain.analysis.macro).toBeNull();
    expect(withMacro.analysis.plan).toEqual(plain.analysis.plan);
    expect(withMacro.analysis.macro).toEqual({
      complete: false,
      readings: { VIX: { value: 27, ageMs: 10_000, stale: false, source: 'json' }, DXY: null, US10Y: null },
      notes: ['DXY: no reading', 'US10Y: no reading', 'VIX 27 >= 25: risk-off backdrop, expect wider ranges'],
    });
  });
});
