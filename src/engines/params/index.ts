/**
 * Versioned trading parameters: the schema of the DTMS, exits and risk
 * parameter set, the dry run that replays the engines over recorded candles,
 * the engine hook that turns a version into engine configs, and the service
 * that validates, applies, health-checks and rolls back versions.
 */
export * from './schema.js';
export * from './types.js';
export * from './dryRun.js';
export * from './engineConfigs.js';
export * from './ParameterService.js';
