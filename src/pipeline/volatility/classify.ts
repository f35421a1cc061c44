import type { SlopeDirection, VolatilityState, VolatilityThresholds } from './types.js';

/** Default thresholds, set from the distribution of one day of BTCUSDT M5 (2023-02-20): see the bridge tests. */
export const DEFAULT_VOLATILITY_THRESHOLDS: VolatilityThresholds = {
  expandingRange: 1.5,
  expandingAtr: 1.2,
  extremeRange: 2.5,
  extremeAtr: 1.6,
  calmRange: 0.75,
  calmAtr: 0.85,
};

/**
 * Volatility state from two measures of the primary M5 series:
 * `rangeExpansion` = this candle's high - low over the ATR before it (how big
 * this bar is against normal bars) and `atrRatio` = ATR over its own recent
 * mean (whether bars in general are getting bigger). First match wins:
 *
 * - `extreme`: rangeExpansion >= extremeRange or atrRatio >= extremeAtr;
 * - `expanding`: rangeExpansion >= expandingRange or atrRatio >= expandingAtr;
 * - `calm`: rangeExpansion < calmRange and atrRatio <= calmAtr;
 * - `normal` otherwise.
 */
export function classifyVolatility(rangeExpansion: number, atrRatio: number, t: VolatilityThresholds = DEFAULT_VOLATILITY_THRESHOLDS): VolatilityState {
  if (rangeExpansion >= t.extremeRange || atrRatio >= t.extremeAtr) return 'extreme';
  if (rangeExpansion >= t.expandingRange || atrRatio >= t.expandingAtr) return 'expanding';
  if (rangeExpansion < t.calmRange && atrRatio <= t.calmAtr) return 'calm';
  return 'normal';
}

/** True for the states that count as expansion (`expanding`, `extreme`). */
export function isExpansion(state: VolatilityState): boolean {
  return state === 'expanding' || state === 'extreme';
}

/**
 * Slope of the M5 closes: (close now - close `lookback` candles ago) /
 * (lookback × ATR), i.e. the drift per candle in ATR units; `up` at or above
 * `min`, `down` at or below `-min`, else `flat`. Null (flat) without enough
 * closes or a positive ATR.
 */
export function m5Slope(closes: readonly number[], lookback: number, atr: number, min: number): { slope: number | null; direction: SlopeDirection } {
  const now = closes[closes.length - 1];
  const then = closes[closes.length - 1 - lookback];
  if (now === undefined || then === undefined || !(atr > 0) || lookback < 1) return { slope: null, direction: 'flat' };
  const slope = (now - then) / (lookback * atr);
  return { slope, direction: slope >= min ? 'up' : slope <= -min ? 'down' : 'flat' };
}
