/**
 * Causal market structure over closed candles: fractal swings, BOS/CHOCH,
 * order blocks and their mitigation, fair-value gaps and their fills, and
 * liquidity sweeps. The pure step `(state, candle) -> {state, events}` plus the
 * streaming `StructureDetector`; every event is emitted once confirmed and
 * never changed afterwards. The per-part helpers (swings.ts, breaks.ts,
 * zones.ts, sweeps.ts) stay internal to this folder.
 */
export * from './types.js';
export { DEFAULT_STRUCTURE_OPTIONS, structureConfig, structureEventId } from './events.js';
export { advanceStructure, detectStructure, initialStructureState, stepStructure } from './step.js';
export { DEFAULT_STRUCTURE_LOG_SIZE, StructureDetector } from './StructureDetector.js';
export type { StructureDetectorInit, StructureSnapshot } from './StructureDetector.js';
