/**
 * DTMS (dynamic trade management): a pure per-position state machine
 * (monitoring -> breakeven -> trailing -> partial_taken -> hedged -> closed)
 * whose step turns market data into venue actions and recorded declines.
 */
export * from './types.js';
export { canTransition, dtmsConfig, dtmsStep, initialDtmsState, initialRisk } from './step.js';
export { brokerStopDistance, rulesConfig, type RulesConfig } from './brokerRules.js';
