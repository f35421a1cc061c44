export * from './Clock.js';
export * from './LiveClock.js';
export * from './TestClock.js';
