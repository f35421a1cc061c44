/**
 * The deterministic market analysis behind `analyze_market`: a pure function
 * from closed candles of M1..H4, the price, the session and the macro snapshot
 * to a per-timeframe volatility and structure map, a weighted directional
 * bias, key levels and a plan (invalidation, entry zones, targets). No clock,
 * no IO: the tool gathers the data and stores the answer.
 */
export * from './types.js';
export { analyzeMarket, ENGINE_LOG_ENTRIES } from './analyzeMarket.js';
export {
  directionOf,
  ENTRY_TIMEFRAMES,
  LEVELS_PER_KIND,
  MAX_ENTRY_ZONES,
  MAX_TARGETS,
  MIN_ATR_SAMPLES,
  MIN_BARS,
  OVERALL_BIAS_THRESHOLD,
  TIMEFRAME_BIAS_THRESHOLD,
  TIMEFRAME_WEIGHTS,
  timeframeBias,
  VIX_ELEVATED,
  volatilityRegime,
  ZONES_PER_TIMEFRAME,
} from './rules.js';
export type { BiasFactors } from './rules.js';
export { placement, liveRange } from './zones.js';
export type { Placement } from './zones.js';
