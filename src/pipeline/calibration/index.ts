/**
 * Binance-to-broker offset calibration: the original median calibrator, and
 * the dynamic offset engine with discrepancy hold and weighted reconciliation.
 */
export * from './OffsetCalibrator.js';
export * from './OffsetEngine.js';
export * from './offsetTypes.js';
export * from './offsetDecision.js';
export * from './PairBook.js';
export * from './weights.js';
