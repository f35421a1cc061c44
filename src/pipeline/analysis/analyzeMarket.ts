import { InvalidRequestError } from '../../core/errors.js';
import { MACRO_INDICATORS, type MacroIndicator, type MacroSnapshot } from '../macro/MacroStore.js';
import { buildPlan, keyLevels, mapRows, overallBias } from './plan.js';
import { isoOf, VIX_ELEVATED } from './rules.js';
import { analyseTimeframe, fmt, type TimeframeWork } from './timeframe.js';
import { ANALYSED_TIMEFRAMES, ANALYSIS_MODEL } from './types.js';
import type { AnalysedTimeframe, AnalysisInput, EngineLogEntry, EngineLogEntryOut, MacroReadingInfo, MarketAnalysis } from './types.js';

/** Engine log entries reported per engine, newest first. */
export const ENGINE_LOG_ENTRIES = 5;

/**
 * The deterministic multi-timeframe market analysis of one symbol (model
 * `utp-deterministic-v1`): per timeframe (M1, M5, M15, H1, H4) ATR(14), range
 * expansion, ATR percentile and volatility regime, session VWAP, EMA(20/50),
 * causal structure (trend from the last BOS/CHOCH, swings, sweeps, open order
 * blocks and fair-value gaps near price) and a scored bias with its reasons;
 * then the weighted map (H4 0.35, H1 0.25, M15 0.2, M5 0.12, M1 0.08), the key
 * levels sorted by distance to price, and a plan (bias, invalidation level,
 * entry zones in the bias direction, targets). Never an order.
 *
 * Pure: no clock, no randomness, total orders everywhere, so the same input
 * gives a deep-equal (and JSON-identical) output. Macro readings and engine
 * logs are context only and never move the bias.
 * @throws InvalidRequestError when there is neither a price nor any candle.
 * @throws DataIntegrityError when a candle is not closed, belongs to another
 *   symbol or timeframe, or the candles are not in rising open time.
 */
export function analyzeMarket(input: AnalysisInput): MarketAnalysis {
  const warnings: string[] = [];
  const price = priceOf(input, warnings);
  const works = new Map<AnalysedTimeframe, TimeframeWork>();
  for (const tf of ANALYSED_TIMEFRAMES) {
    const work = analyseTimeframe(input.symbol, tf, input.candles[tf] ?? [], price.value);
    works.set(tf, work);
    if (!work.ready) warnings.push(`${tf}: ${work.out.bars} closed bars, too few for a bias (left out of the overall bias)`);
  }
  const overall = overallBias(works);
  const levels = keyLevels(works, price.value);
  const plan = buildPlan(input.symbol, works, overall, price.value);
  const macro = macroOf(input.macro ?? null);
  if (macro === null) warnings.push('macro: no macro snapshot (VIX, DXY, US10Y) was given');
  const s = input.session;
  return {
    model: ANALYSIS_MODEL,
    symbol: input.symbol,
    asOf: isoOf(input.asOf),
    price,
    session: s === null ? null : { label: s.label, active: [...s.active], overlap: s.overlap, fxOpen: s.fxOpen },
    timeframes: ANALYSED_TIMEFRAMES.map((tf) => (works.get(tf) as TimeframeWork).out),
    map: mapRows(works),
    keyLevels: levels,
    plan,
    macro,
    engines: { dtms: logOf(input.dtms), exits: logOf(input.exits) },
    warnings,
  };
}

function priceOf(input: AnalysisInput, warnings: string[]): MarketAnalysis['price'] {
  if (input.lastPrice !== null && Number.isFinite(input.lastPrice)) {
    const at = input.lastPriceAt ?? null;
    return { value: input.lastPrice, basis: 'live', at: at === null ? null : isoOf(at) };
  }
  for (const tf of ANALYSED_TIMEFRAMES) {
    const list = input.candles[tf] ?? [];
    const last = list[list.length - 1];
    if (last === undefined) continue;
    warnings.push(`price: no live price; distances are measured from the last ${tf} close ${fmt(last.close)}`);
    return { value: last.close, basis: 'last_close', at: isoOf(last.tsEvent) };
  }
  throw new InvalidRequestError(`no price and no candles for ${input.symbol}: nothing to analyse yet`);
}

function macroOf(snapshot: MacroSnapshot | null): MarketAnalysis['macro'] {
  if (snapshot === null) return null;
  const readings = {} as Record<MacroIndicator, MacroReadingInfo | null>;
  const notes: string[] = [];
  for (const indicator of MACRO_INDICATORS) {
    const r = snapshot.readings[indicator];
    if (!r) {
      readings[indicator] = null;
      notes.push(`${indicator}: no reading`);
      continue;
    }
    readings[indicator] = { value: r.value, ageMs: r.ageMs, stale: r.stale, source: r.source };
    if (r.stale) notes.push(`${indicator}: reading is stale (${Math.round(r.ageMs / 60_000)} min old)`);
  }
  const vix = snapshot.readings.VIX;
  if (vix && !vix.stale && vix.value >= VIX_ELEVATED) notes.push(`VIX ${fmt(vix.value)} >= ${VIX_ELEVATED}: risk-off backdrop, expect wider ranges`);
  return { complete: snapshot.complete, readings, notes };
}

function logOf(entries: readonly EngineLogEntry[] | null | undefined): EngineLogEntryOut[] | null {
  if (entries === null || entries === undefined) return null;
  return [...entries]
    .sort((a, b) => b.ts - a.ts || cmp(a.action, b.action) || cmp(a.detail, b.detail))
    .slice(0, ENGINE_LOG_ENTRIES)
    .map((e) => ({ at: isoOf(e.ts), action: e.action, detail: e.detail }));
}

/** Code-unit string order (locale independent, so the output never depends on the machine's ICU data). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
