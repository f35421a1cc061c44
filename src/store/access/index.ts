export * from './MarketDataAccess.js';
export * from './RecentCandles.js';
