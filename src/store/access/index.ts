export * from './MarketDataAccess.js';
export * from './RecentCandles.js';
export * from './layers.js';
export * from './Lru.js';
export * from './tickBars.js';
export * from './TickAccess.js';
export * from './ArchiveCandles.js';
export * from './BarAccess.js';
