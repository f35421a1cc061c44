/** Coordinator: risk → DTMS → exits → analysis per position, one command per decision, shadow/paper/live modes. */
export * from './types.js';
export * from './select.js';
export * from './LoadMonitor.js';
export * from './Coordinator.js';
export * from './TradingDesk.js';
export * from './exitsAdviser.js';
export * from './brokerTerms.js';
export * from './send.js';
