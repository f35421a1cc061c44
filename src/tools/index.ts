export * from './context.js';
export * from './defineTool.js';
export * from './registry.js';
export { getMarketState } from './market/getMarketState.js';
export { getCandles } from './market/getCandles.js';
export { getMultiTimeframe } from './market/getMultiTimeframe.js';
export { getSystemStatus } from './system/getSystemStatus.js';
export * from './jsonSchemas.js';
