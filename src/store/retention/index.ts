/**
 * Retention of the data layers: the mover that archives finished days to
 * Parquet and prunes SQLite, archive files and logs on a clock, and its config.
 */
export * from './config.js';
export * from './RetentionMover.js';
export * from './dayArchiver.js';
export * from './merge.js';
export * from './memoryLayers.js';
