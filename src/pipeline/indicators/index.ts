/**
 * Streaming indicators over core candles, on the shared streaming-calculator
 * contract (`add`, `replace` for the open candle, `getResult` null in warm-up,
 * `isStable`, `requiredInputs`): Wilder ATR, SMA-seeded EMA, session-anchored
 * VWAP and range expansion. Number-only state, O(1) per update.
 */
export type { StreamingCalculator } from './StreamingCalculator.js';
export { Atr } from './Atr.js';
export type { AtrInput } from './Atr.js';
export { Ema } from './Ema.js';
export type { EmaInput } from './Ema.js';
export { Vwap } from './Vwap.js';
export type { VwapInput, VwapOptions } from './Vwap.js';
export { RangeExpansion } from './RangeExpansion.js';
export type { RangeExpansionBaseline, RangeExpansionInput, RangeExpansionOptions } from './RangeExpansion.js';
export { checkPeriod, trueRange } from './options.js';
