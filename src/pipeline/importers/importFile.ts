import { basename } from 'node:path';
import { isTimeframe } from '../../core/index.js';
import type { Candle, Tick } from '../../core/index.js';
import { binanceArchiveParser, binanceOhlcvParser } from './binance.js';
import { detectImportFormat, sourceOfFormat } from './detect.js';
import { dukascopyBarParser, dukascopyTickParser } from './dukascopy.js';
import { ImportAbortedError, ImportFormatError, RowError } from './errors.js';
import { mt5BarParser, mt5TerminalBarParser, mt5TerminalTickParser } from './mt5.js';
import { oandaDatedBarParser, oandaIntradayBarParser, oandaTickParser } from './oanda.js';
import { readLines } from './readLines.js';
import { isImportFormat } from './types.js';
import type { ImportBatch, ImportError, ImportFormat, ImportOptions, ParserContext, RowParser } from './types.js';

/** Default number of ticks + candles + errors per yielded batch. */
export const DEFAULT_IMPORT_BATCH_SIZE = 5000;

const TEXT_LIMIT = 200;

/** Builds the row parser of a format; throws `ImportFormatError` when the file lacks what the format needs. */
export function createRowParser(format: ImportFormat, ctx: ParserContext): RowParser {
  switch (format) {
    case 'binance-trades':
      return binanceArchiveParser(ctx, 'trades');
    case 'binance-aggtrades':
      return binanceArchiveParser(ctx, 'aggTrades');
    case 'binance-klines':
      return binanceArchiveParser(ctx, 'klines');
    case 'binance-bookticker':
      return binanceArchiveParser(ctx, 'bookTicker');
    case 'binance-ohlcv':
      return binanceOhlcvParser(ctx);
    case 'dukascopy-ticks':
      return dukascopyTickParser(ctx);
    case 'dukascopy-bars':
      return dukascopyBarParser(ctx);
    case 'oanda-ticks':
      return oandaTickParser(ctx);
    case 'oanda-intraday-bars':
      return oandaIntradayBarParser(ctx);
    case 'oanda-bars':
      return oandaDatedBarParser(ctx);
    case 'mt5-bars':
      return mt5BarParser(ctx);
    case 'mt5-terminal-ticks':
      return mt5TerminalTickParser(ctx);
    case 'mt5-terminal-bars':
      return mt5TerminalBarParser(ctx);
  }
}

function checkOptions(options: ImportOptions): void {
  const { source, symbol, format, timeframe, serverOffset, batchSize } = options;
  if (!['binance', 'dukascopy', 'oanda', 'mt5'].includes(source)) throw new ImportFormatError(`cannot import source ${String(source)}`);
  if (typeof symbol !== 'string' || symbol.trim() === '') throw new ImportFormatError('symbol is required');
  if (format !== undefined && (!isImportFormat(format) || sourceOfFormat(format) !== source)) {
    throw new ImportFormatError(`format ${String(format)} is not a ${source} format`);
  }
  if (timeframe !== undefined && !isTimeframe(timeframe)) throw new ImportFormatError(`unknown timeframe ${String(timeframe)}`);
  if (options.onError !== 'skip' && options.onError !== 'stop') throw new ImportFormatError("onError must be 'skip' or 'stop'");
  if (source === 'mt5' && serverOffset === undefined) {
    throw new ImportFormatError("MT5 times are broker server time: pass serverOffset (hours east of UTC, or 'eet')");
  }
  if (serverOffset !== undefined && serverOffset !== 'eet' && !(Number.isFinite(serverOffset) && Math.abs(serverOffset) <= 14)) {
    throw new ImportFormatError(`serverOffset must be 'eet' or hours within ±14, got ${String(serverOffset)}`);
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new ImportFormatError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}

function isCandle(value: Tick | Candle): value is Candle {
  return 'timeframe' in value;
}

/**
 * Joins two candles with the same UTC open time, in file order: the two MT5
 * server-time bars that share one UTC hour where the server clock jumps
 * forward at the spring DST switch.
 */
export function mergeCandles(a: Candle, b: Candle): Candle {
  return {
    ...a,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: b.close,
    volume: a.volume + b.volume,
    quoteVolume: a.quoteVolume + b.quoteVolume,
    trades: a.trades + b.trades,
    takerBuyVolume: a.takerBuyVolume + b.takerBuyVolume,
    takerBuyQuoteVolume: a.takerBuyQuoteVolume + b.takerBuyQuoteVolume,
  };
}

/**
 * Reads one recorded file (Binance archive, Dukascopy decoded CSV, OANDA/Lean
 * quote data, MT5 export; `.gz` gunzipped on the fly) as a stream and yields
 * batches of ticks, candles and per-line errors. It never writes anywhere: the
 * caller stores each batch, inside a transaction it rolls back when
 * `onError: 'stop'` makes this throw `ImportAbortedError`. The layout is
 * detected from the file name and first line unless `format` is given; an
 * undetectable file, a missing timeframe, date or server offset throw
 * `ImportFormatError` before any batch. Candles must come in strictly rising
 * open time (a repeat or step back is a line error), except that two MT5 bars
 * whose distinct server times fall on one UTC open time (the spring DST gap
 * under `'eet'`) are merged into one candle.
 */
export async function* importFile(path: string, options: ImportOptions): AsyncGenerator<ImportBatch, void, undefined> {
  checkOptions(options);
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  const ctx: ParserContext = {
    fileName: basename(path),
    source: options.source,
    symbol: options.symbol,
    sources: Object.freeze([options.source]),
    timeframe: options.timeframe,
    serverOffset: options.serverOffset,
    dateOverride: options.dateOverride,
  };
  let format: ImportFormat | null = null;
  let parser: RowParser | null = null;
  let ticks: Tick[] = [];
  let candles: Candle[] = [];
  let errors: ImportError[] = [];
  let held: Candle | null = null;
  let lineNo = 0;
  for await (const text of readLines(path)) {
    lineNo += 1;
    if (text.trim() === '') continue;
    const first = parser === null;
    if (format === null || parser === null) {
      format = options.format ?? detectImportFormat(options.source, ctx.fileName, text);
      parser = createRowParser(format, ctx);
    }
    try {
      const value = parser.parse(text, first);
      if (value === null) continue;
      if (!isCandle(value)) ticks.push(value);
      else if (held !== null && value.openTime === held.openTime && format.startsWith('mt5-')) {
        held = mergeCandles(held, value);
      } else if (held !== null && value.openTime <= held.openTime) {
        throw new RowError(
          `open time ${new Date(value.openTime).toISOString()} is not after the previous candle's ${new Date(held.openTime).toISOString()} (duplicate or out of order)`,
        );
      } else {
        if (held !== null) candles.push(held);
        held = value;
      }
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      const importError: ImportError = { file: path, line: lineNo, message: error.message, text: text.slice(0, TEXT_LIMIT) };
      if (options.onError === 'stop') throw new ImportAbortedError(importError);
      errors.push(importError);
    }
    if (ticks.length + candles.length + errors.length >= batchSize) {
      yield { ticks, candles, errors, format };
      ticks = [];
      candles = [];
      errors = [];
    }
  }
  if (held !== null) candles.push(held);
  if (format !== null && ticks.length + candles.length + errors.length > 0) yield { ticks, candles, errors, format };
}
