export * from './Pipeline.js';
export * from './aggregation/index.js';
export * from './filters/validateTick.js';
export * from './state/MarketStateBook.js';
export * from './importers/index.js';
