export * from './MarketDataAccess.js';
