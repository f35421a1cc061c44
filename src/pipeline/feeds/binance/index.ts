export * from './archive.js';
export * from './schema.js';
export * from './BinanceMapper.js';
export * from './BinanceStream.js';
