import type { Timeframe } from '../../core/index.js';
import { detectArchiveKind } from '../feeds/binance/archive.js';
import type { ArchiveKind } from '../feeds/binance/archive.js';
import { ImportFormatError } from './errors.js';
import type { ImportFormat, ImportSource, ParserContext } from './types.js';

const ARCHIVE_FORMAT: Readonly<Record<ArchiveKind, ImportFormat>> = {
  trades: 'binance-trades',
  aggTrades: 'binance-aggtrades',
  klines: 'binance-klines',
  bookTicker: 'binance-bookticker',
};

const BOOL = /^(true|false)$/i;
const INT = /^\d+$/;

function detectBinance(fileName: string, firstLine: string): ImportFormat | null {
  const kind = detectArchiveKind(fileName);
  if (kind !== null) return ARCHIVE_FORMAT[kind];
  const lower = firstLine.trim().toLowerCase();
  if (lower.startsWith('update_id')) return 'binance-bookticker';
  if (lower.startsWith('agg_trade_id')) return 'binance-aggtrades';
  if (lower.startsWith('open_time')) return 'binance-klines';
  if (lower.startsWith('trade_id') || lower.startsWith('id,')) return 'binance-trades';
  if (/^timestamp,open,high,low,close,volume\b/.test(lower)) return 'binance-ohlcv';
  const c = lower.split(',');
  if (c.length === 12 && INT.test(c[0] ?? '')) return 'binance-klines';
  if (c.length === 8 && BOOL.test(c[6] ?? '')) return 'binance-aggtrades';
  if (c.length === 7 && BOOL.test(c[5] ?? '')) return 'binance-trades';
  if (c.length === 7 && BOOL.test(c[6] ?? '') && INT.test(c[5] ?? '')) return 'binance-aggtrades';
  if (c.length === 6 && BOOL.test(c[5] ?? '')) return 'binance-trades';
  if (c.length === 7 && c.every((v) => /^[\d.]+$/.test(v))) return 'binance-bookticker';
  return null;
}

function detectDukascopy(fileName: string, firstLine: string): ImportFormat | null {
  const lower = firstLine.trim().toLowerCase();
  if (/[a-z]/.test(lower.split(',')[0] ?? '')) {
    if (lower.includes('bid') && lower.includes('ask')) return 'dukascopy-ticks';
    if (lower.includes('open') && lower.includes('close')) return 'dukascopy-bars';
    return null;
  }
  const cols = lower.split(',').length;
  if (cols === 5) return 'dukascopy-ticks';
  if (cols === 6) return 'dukascopy-bars';
  return /tick/i.test(fileName) ? 'dukascopy-ticks' : null;
}

function detectOanda(firstLine: string): ImportFormat | null {
  const c = firstLine.trim().split(',');
  if (c.length === 3) return 'oanda-ticks';
  if (c.length === 11 && /^\d{8} \d{2}:\d{2}$/.test(c[0] ?? '')) return 'oanda-bars';
  if (c.length === 11 && /^\d+$/.test(c[0] ?? '')) return 'oanda-intraday-bars';
  return null;
}

function detectMt5(firstLine: string): ImportFormat | null {
  const upper = firstLine.trim().toUpperCase();
  if (upper.startsWith('<DATE>')) {
    if (upper.includes('<BID>')) return 'mt5-terminal-ticks';
    if (upper.includes('<OPEN>')) return 'mt5-terminal-bars';
    return null;
  }
  const cols = upper.split(',');
  if (cols.includes('TIME') && cols.includes('OPEN') && cols.includes('CLOSE')) return 'mt5-bars';
  if (/^(\d+,)?\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?,/.test(upper)) return 'mt5-bars';
  return null;
}

const FORMATS_OF: Readonly<Record<ImportSource, string>> = {
  binance: 'binance-trades, binance-aggtrades, binance-klines, binance-bookticker, binance-ohlcv',
  dukascopy: 'dukascopy-ticks, dukascopy-bars',
  oanda: 'oanda-ticks, oanda-intraday-bars, oanda-bars',
  mt5: 'mt5-bars, mt5-terminal-ticks, mt5-terminal-bars',
};

/**
 * Decides the layout of a file of `source` from its name and first non-blank
 * line (header or first row). Throws `ImportFormatError` naming the formats
 * that could be passed explicitly when it cannot tell.
 */
export function detectImportFormat(source: ImportSource, fileName: string, firstLine: string): ImportFormat {
  let format: ImportFormat | null;
  switch (source) {
    case 'binance':
      format = detectBinance(fileName, firstLine);
      break;
    case 'dukascopy':
      format = detectDukascopy(fileName, firstLine);
      break;
    case 'oanda':
      format = detectOanda(firstLine);
      break;
    case 'mt5':
      format = detectMt5(firstLine);
      break;
  }
  if (format === null) {
    throw new ImportFormatError(
      `cannot tell the ${source} format of ${fileName} from its name or first line ${JSON.stringify(firstLine.slice(0, 80))}; pass format (one of ${FORMATS_OF[source]})`,
    );
  }
  return format;
}

/** The source an import format belongs to (its prefix). */
export function sourceOfFormat(format: ImportFormat): ImportSource {
  return format.slice(0, format.indexOf('-')) as ImportSource;
}

const MT5_TOKEN = /(?:^|[^a-z0-9])(s1|m1|m5|m15|h1|h4|d1)(?=[^a-z0-9]|$)/;
const BINANCE_INTERVAL = /(?:^|[^a-z0-9])(1s|1m|5m|15m|1h|4h|1d)(?=[^a-z0-9]|$)/;
const WORDS: ReadonlyArray<readonly [RegExp, Timeframe]> = [
  [/(?:^|[^a-z])(second|sec)(?=[^a-z]|$)/, 'S1'],
  [/(?:^|[^a-z])minute(?=[^a-z]|$)/, 'M1'],
  [/(?:^|[^a-z])(hour|hourly)(?=[^a-z]|$)/, 'H1'],
  [/(?:^|[^a-z])(day|daily)(?=[^a-z]|$)/, 'D1'],
];
const TOKEN_TF: Readonly<Record<string, Timeframe>> = {
  s1: 'S1', m1: 'M1', m5: 'M5', m15: 'M15', h1: 'H1', h4: 'H4', d1: 'D1',
  '1s': 'S1', '1m': 'M1', '5m': 'M5', '15m': 'M15', '1h': 'H1', '4h': 'H4', '1d': 'D1',
};

/**
 * Reads a bar file's timeframe from its name: MT5 tokens (`_H1_`), Binance
 * intervals (`-1m-`, `_1h_`) or words (`second`, `minute`, `hour`, `daily`).
 * Null when the name carries none, or only an unsupported one (M30, 3m, W1).
 */
export function timeframeFromFileName(fileName: string): Timeframe | null {
  const name = fileName.toLowerCase();
  const token = MT5_TOKEN.exec(name) ?? BINANCE_INTERVAL.exec(name);
  if (token?.[1] !== undefined) return TOKEN_TF[token[1]] ?? null;
  for (const [re, tf] of WORDS) if (re.test(name)) return tf;
  return null;
}

/** Timeframe of a bar file: the explicit option, else the file name; a clear error when neither. */
export function requireTimeframe(ctx: ParserContext, what: string): Timeframe {
  const tf = ctx.timeframe ?? timeframeFromFileName(ctx.fileName);
  if (tf === null) {
    throw new ImportFormatError(
      `cannot tell the timeframe of ${what} file ${ctx.fileName} from its name (supported: S1, M1, M5, M15, H1, H4, D1); pass timeframe`,
    );
  }
  return tf;
}
