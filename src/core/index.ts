export * from './types/index.js';
export * from './bus/index.js';
export * from './clock/index.js';
export * from './errors.js';
export * from './ports.js';
