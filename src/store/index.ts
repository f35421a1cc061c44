/**
 * The SQLite store of UTP: `openStore` opens and migrates the database and
 * exposes the repositories; `BusRecorder` persists the bus off the hot path.
 */
export * from './Database.js';
export * from './migrate.js';
export * from './repos/index.js';
export * from './recorder/index.js';
export * from './access/index.js';
export * from './archive/index.js';
export * from './retention/index.js';
export * from './logs/index.js';
