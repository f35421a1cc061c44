export * from './BusEvents.js';
export * from './EventBus.js';
