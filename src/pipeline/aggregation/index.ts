export * from './FixedSum.js';
export * from './CandleBuilder.js';
export * from './CandleAggregator.js';
export * from './aggregateCandles.js';
