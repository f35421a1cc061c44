import { ConfigError } from '../../core/errors.js';

/**
 * Checks an indicator period: a whole number of candles, at least `min`.
 * A period that cannot run is a configuration error, raised at construction
 * so that no hot-path update ever has to check it.
 * @throws ConfigError when `value` is not an integer >= `min`.
 */
export function checkPeriod(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got ${String(value)}`, [name]);
  }
  return value;
}

/**
 * True range of one candle (Wilder): the largest of high - low,
 * |high - previous close| and |low - previous close|, so that a gap between
 * two candles counts as range. With no previous close (`NaN`: the first candle
 * of a series) it is high - low.
 */
export function trueRange(high: number, low: number, previousClose: number): number {
  const hl = high - low;
  if (Number.isNaN(previousClose)) return hl;
  const hc = Math.abs(high - previousClose);
  const lc = Math.abs(low - previousClose);
  return hl >= hc ? (hl >= lc ? hl : lc) : hc >= lc ? hc : lc;
}
