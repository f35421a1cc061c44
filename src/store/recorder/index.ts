export * from './BusRecorder.js';
