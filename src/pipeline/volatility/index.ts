/**
 * The M5 volatility bridge: per symbol the primary's M5 candle, the fused
 * close of both sources, ATR-based volatility state, early M15 expansion and
 * the structure label voted across sources and M1/M5/M15.
 */
export * from './types.js';
export * from './classify.js';
export * from './fuse.js';
export * from './structureVote.js';
export * from './M5VolatilityBridge.js';
export * from './VolatilityBridgeService.js';
