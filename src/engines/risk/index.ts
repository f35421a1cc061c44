/** Risk framework: trading state, equity guard, news blackout, volatility gating, and the decision on each trade action. */
export * from './types.js';
export * from './sessions.js';
export * from './newYorkTime.js';
export * from './calendar/EconomicEvent.js';
export * from './calendar/parsers.js';
export * from './NewsBlackout.js';
export * from './EquityGuard.js';
export * from './checkAction.js';
export * from './RiskEngine.js';
