/** Approval flow: write requests bound to a hash of their parameters, human approval, single-use execution, audit. */
export * from './types.js';
export * from './canonical.js';
export * from './decide.js';
export * from './ApprovalBook.js';
export * from './TradingGate.js';
