export * from './Timeframe.js';
export * from './Source.js';
export * from './Tick.js';
export * from './Candle.js';
export * from './FeedStatus.js';
export * from './SystemEvent.js';
export * from './MarketSnapshot.js';
export * from './SymbolSpec.js';
