/**
 * The Parquet archive of ticks and candles: one verified file per kind, symbol
 * and UTC day under `<dataDir>/archive/`, written crash-safe, read back by the
 * data access layer (`Archive.readTicks`, `readCandles`, `listDays`).
 */
export * from './Archive.js';
export * from './ArchiveFolder.js';
export * from './layout.js';
export * from './columns.js';
export * from './checksum.js';
export * from './convert.js';
export * from './parquetFile.js';
export * from './sqliteRows.js';
export * from './columnPack.js';
export * from './encodeThread.js';
export * from './readThread.js';
