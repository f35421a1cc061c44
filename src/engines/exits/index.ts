/**
 * Intelligent exits: volatility- and VIX-scaled ATR trailing, partial exit
 * plans and time stops, as a pure per-position step beside DTMS.
 */
export * from './types.js';
export { exitsConfig, exitsStep, exitsSync, initialExitsState, timeStopMinutes, trailDistance, vixFactor } from './step.js';
export { exitPlan } from './plan.js';
