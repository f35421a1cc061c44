/**
 * The JSON-lines logs of a data folder: the event log (every system action)
 * and the macro log (5-minute macro snapshots), daily files with retention.
 */
export * from './JsonlLog.js';
export * from './subscribeLogs.js';
