/**
 * File importers: recorded Binance, Dukascopy, OANDA and MT5 files into core
 * ticks and candles, streamed in batches with per-line errors. Pure parsing;
 * storing the batches is the caller's job.
 */
export { importFile, createRowParser, mergeCandles, DEFAULT_IMPORT_BATCH_SIZE } from './importFile.js';
export { IMPORT_FORMATS, isImportFormat } from './types.js';
export type { ImportBatch, ImportError, ImportFormat, ImportOptions, ImportSource, ParserContext, RowParser, ServerOffset } from './types.js';
export { ImportAbortedError, ImportFormatError, RowError } from './errors.js';
export { detectImportFormat, requireTimeframe, sourceOfFormat, timeframeFromFileName } from './detect.js';
export { eetServerOffsetHours, isUsDaylightSavingTime, serverTimeToUtc } from './serverTime.js';
export { readLines } from './readLines.js';
