/**
 * The engines' public API, the one entry point other layers (tools) import:
 * the coordinator and trading desk (risk -> DTMS -> exits -> analysis, modes,
 * load monitor, broker-terms conversion), DTMS, intelligent exits, the risk
 * framework and the paper venue with its configuration.
 */
export * from './coordinator/index.js';
export * from './dtms/index.js';
export * from './exits/index.js';
export * from './risk/index.js';
export * from './paper/index.js';
