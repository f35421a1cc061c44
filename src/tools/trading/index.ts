/** Read-only trading tools: account, positions, DTMS state and journal, exit plans, risk status. */
export * from './view.js';
export { getAccount } from './getAccount.js';
export { getPositions } from './getPositions.js';
export { getDtmsStatus } from './getDtmsStatus.js';
export { getDtmsActions, MAX_DTMS_ACTIONS } from './getDtmsActions.js';
export { getExitPlans } from './getExitPlans.js';
export { getRiskStatus } from './getRiskStatus.js';
