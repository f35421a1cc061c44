export * from './TickChunk.js';
export * from './SymbolRing.js';
export * from './TickRing.js';
export * from './TickBuffer.js';
