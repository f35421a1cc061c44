import type { AnalysedTimeframe, Bias, VolatilityRegime } from './types.js';

/**
 * Weight of each timeframe in the overall bias (sum 1): the higher timeframe
 * decides more, H4 > H1 > M15 > M5 > M1. Timeframes without enough bars are
 * left out and the remaining weights renormalised.
 */
export const TIMEFRAME_WEIGHTS: Readonly<Record<AnalysedTimeframe, number>> = { H4: 0.35, H1: 0.25, M15: 0.2, M5: 0.12, M1: 0.08 };

/** Closed bars a timeframe needs before its bias counts (ATR(14), a few swings). */
export const MIN_BARS = 20;

/** ATR values the percentile needs before it is reported. */
export const MIN_ATR_SAMPLES = 10;

/** Open zones per kind listed under each timeframe's structure, nearest first. */
export const ZONES_PER_TIMEFRAME = 3;

/** Key-level candidates taken per timeframe and kind, nearest first (VWAP: one). */
export const LEVELS_PER_KIND = 2;

/** Entry zones listed in the plan at most (the rest is counted in `entryZonesOmitted`). */
export const MAX_ENTRY_ZONES = 6;

/** Targets (untaken swing levels in the bias direction) listed in the plan. */
export const MAX_TARGETS = 3;

/** Timeframes whose zones are considered for entries. */
export const ENTRY_TIMEFRAMES: readonly AnalysedTimeframe[] = ['H1', 'M15'];

/** |score| at or above which a timeframe is bullish/bearish rather than neutral. */
export const TIMEFRAME_BIAS_THRESHOLD = 0.25;

/** |overall score| at or above which the map is bullish/bearish rather than neutral. */
export const OVERALL_BIAS_THRESHOLD = 0.2;

/** VIX level from which the macro notes call the backdrop risk-off. */
export const VIX_ELEVATED = 25;

/**
 * Volatility regime of a timeframe from the last closed candle's range
 * expansion RE (its high - low over the ATR(14) before it) and the ATR
 * percentile P (share of the window's ATR(14) values at or below the current
 * one, 0-100). First match wins:
 * - `extreme`: RE >= 2.5 or P >= 95;
 * - `expanding`: RE >= 1.5 or P >= 80;
 * - `calm`: RE < 0.75 and P <= 25;
 * - `normal` otherwise.
 * The RE thresholds are the M5 bridge's (`DEFAULT_VOLATILITY_THRESHOLDS`).
 * With P unknown (too few ATR values) only RE decides, and `calm` is never
 * given. Null when RE is unknown (warm-up).
 */
export function volatilityRegime(rangeExpansion: number | null, atrPercentile: number | null): VolatilityRegime | null {
  if (rangeExpansion === null) return null;
  const p = atrPercentile;
  if (rangeExpansion >= 2.5 || (p !== null && p >= 95)) return 'extreme';
  if (rangeExpansion >= 1.5 || (p !== null && p >= 80)) return 'expanding';
  if (p !== null && rangeExpansion < 0.75 && p <= 25) return 'calm';
  return 'normal';
}

/** The three votes behind a timeframe's bias. */
export type BiasFactors = Readonly<{
  trend: 'bullish' | 'bearish' | null;
  price: number;
  vwap: number | null;
  ema20: number | null;
  ema50: number | null;
}>;

/**
 * Bias score of one timeframe, in [-1, 1]: (T + V + E) / 4 where
 * - T = +2 / -2 when the structure trend (direction of the last BOS or CHOCH)
 *   is bullish / bearish, 0 before any break;
 * - V = +1 / -1 when the price is above / below the session VWAP, 0 at it or
 *   without VWAP;
 * - E = +1 / -1 when EMA(20) is above / below EMA(50), 0 when equal or unknown.
 * The direction is bullish at score >= 0.25, bearish at <= -0.25, else
 * neutral. Returns the score and one reason per vote.
 */
export function timeframeBias(f: BiasFactors, fmt: (n: number) => string): { score: number; direction: Bias; reasons: string[] } {
  const reasons: string[] = [];
  let points = 0;
  if (f.trend === null) reasons.push('structure: no break of structure yet (0)');
  else {
    points += f.trend === 'bullish' ? 2 : -2;
    reasons.push(`structure: trend ${f.trend} from the last BOS/CHOCH (${f.trend === 'bullish' ? '+2' : '-2'})`);
  }
  if (f.vwap === null) reasons.push('vwap: no session VWAP (0)');
  else if (f.price > f.vwap) {
    points += 1;
    reasons.push(`vwap: price ${fmt(f.price)} above session VWAP ${fmt(f.vwap)} (+1)`);
  } else if (f.price < f.vwap) {
    points -= 1;
    reasons.push(`vwap: price ${fmt(f.price)} below session VWAP ${fmt(f.vwap)} (-1)`);
  } else reasons.push(`vwap: price at session VWAP ${fmt(f.vwap)} (0)`);
  if (f.ema20 === null || f.ema50 === null) reasons.push('ema: EMA(50) not warmed up (0)');
  else if (f.ema20 > f.ema50) {
    points += 1;
    reasons.push(`ema: EMA(20) ${fmt(f.ema20)} above EMA(50) ${fmt(f.ema50)} (+1)`);
  } else if (f.ema20 < f.ema50) {
    points -= 1;
    reasons.push(`ema: EMA(20) ${fmt(f.ema20)} below EMA(50) ${fmt(f.ema50)} (-1)`);
  } else reasons.push(`ema: EMA(20) equals EMA(50) (0)`);
  const score = points / 4;
  return { score, direction: directionOf(score, TIMEFRAME_BIAS_THRESHOLD), reasons };
}

/** Bullish at score >= threshold, bearish at <= -threshold, else neutral. */
export function directionOf(score: number, threshold: number): Bias {
  return score >= threshold ? 'bullish' : score <= -threshold ? 'bearish' : 'neutral';
}

/** Rounds a price-like value to 8 decimals (the store's precision), so answers carry no float noise. */
export function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/** Rounds a score or ratio to 4 decimals. */
export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** ISO 8601 UTC of an epoch ms (pure: no clock involved). */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}
