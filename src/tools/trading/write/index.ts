/** Write tools: each creates a pending request a human must approve (issue 6). */
export * from './shared.js';
export { placeOrder } from './placeOrder.js';
export { modifyPosition } from './modifyPosition.js';
export { closePosition } from './closePosition.js';
export { hedgePosition } from './hedgePosition.js';
export { enrollPosition } from './enrollPosition.js';
export { setParameters } from './setParameters.js';
