/** Prometheus metrics of UTP: the registry, UTP's metric set and the tool instrumentation. */
export * from './registry.js';
export * from './utpMetrics.js';
export * from './instrumentTools.js';
