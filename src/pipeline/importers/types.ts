import type { Candle, Source, Tick, Timeframe } from '../../core/index.js';

/** Sources whose recordings can be imported from files. */
export type ImportSource = Extract<Source, 'binance' | 'dukascopy' | 'oanda' | 'mt5'>;

/**
 * Every file layout the importers understand. The prefix names the source the
 * layout belongs to; an explicit `format` must match the `source` option.
 */
export const IMPORT_FORMATS = [
  /** Binance archive `trades` (ms or µs). */
  'binance-trades',
  /** Binance archive `aggTrades` (ms or µs). */
  'binance-aggtrades',
  /** Binance archive klines (12 columns), interval from the file name. */
  'binance-klines',
  /** Binance archive `bookTicker` (USD-M). */
  'binance-bookticker',
  /** Binance-derived OHLCV with header `timestamp,open,high,low,close,volume` (UTC bar start). */
  'binance-ohlcv',
  /** Dukascopy decoded ticks `timestamp_ms,ask,bid,ask_volume,bid_volume`. */
  'dukascopy-ticks',
  /** Dukascopy decoded candles `timestamp_ms,open,high,low,close,volume`. */
  'dukascopy-bars',
  /** OANDA/Lean tick quotes `ms_since_midnight,bid,ask` (date from the file name). */
  'oanda-ticks',
  /** OANDA/Lean second or minute quote bars (ms since midnight + 10 bid/ask columns). */
  'oanda-intraday-bars',
  /** OANDA/Lean hour or daily quote bars (`YYYYMMDD HH:mm` + 10 bid/ask columns). */
  'oanda-bars',
  /** MT5 bars written by the Python package (`time,open,...,tick_volume[,spread,real_volume]`). */
  'mt5-bars',
  /** MT5 terminal tick export (tab-separated, `<DATE> <TIME> <BID> <ASK> <LAST> <VOLUME> <FLAGS>`). */
  'mt5-terminal-ticks',
  /** MT5 terminal bar export (tab-separated, `<DATE> <TIME> <OPEN> ... <TICKVOL> <VOL> <SPREAD>`). */
  'mt5-terminal-bars',
] as const;

/** One file layout the importers understand. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Narrows a string to a known import format. */
export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * Broker server clock of an MT5 file: a fixed number of hours east of UTC, or
 * `'eet'` = the common "New York close" rule (UTC+2, UTC+3 while US daylight
 * saving time is in force).
 */
export type ServerOffset = number | 'eet';

/** One rejected line of an imported file. */
export type ImportError = Readonly<{
  /** The path as given to the importer. */
  file: string;
  /** 1-based physical line number (a header counts as line 1). */
  line: number;
  /** Why the line was rejected. */
  message: string;
  /** The raw line, truncated to 200 characters. */
  text: string;
}>;

/** What one step of an import yields; the caller writes it in one transaction. */
export type ImportBatch = Readonly<{
  ticks: Tick[];
  candles: Candle[];
  errors: ImportError[];
  /** The layout the file was read as (detected or given). */
  format: ImportFormat;
}>;

/** How to read one file. */
export type ImportOptions = Readonly<{
  /** Whose recording the file is; stamped on every tick and candle. */
  source: ImportSource;
  /** Canonical symbol to stamp, e.g. `BTCUSD`. */
  symbol: string;
  /** Explicit layout; detected from the file name and first line when omitted. */
  format?: ImportFormat;
  /** Timeframe of a bar file; read from the file name when omitted. */
  timeframe?: Timeframe;
  /** `skip`: report bad lines in `errors` and go on; `stop`: throw `ImportAbortedError` at the first one. */
  onError: 'skip' | 'stop';
  /** MT5 only (required there): broker server clock, hours east of UTC or `'eet'`. */
  serverOffset?: ServerOffset;
  /** OANDA tick/second/minute files: the UTC date (`YYYYMMDD` or `YYYY-MM-DD`), instead of the file name's. */
  dateOverride?: string;
  /** Ticks + candles + errors per yielded batch (default 5000). */
  batchSize?: number;
}>;

/** Resolved per-file settings handed to a row parser. */
export type ParserContext = Readonly<{
  /** Base name of the file (used to read timeframe and date). */
  fileName: string;
  source: ImportSource;
  symbol: string;
  /** `[source]`, shared by every candle of the file. */
  sources: readonly Source[];
  timeframe: Timeframe | undefined;
  serverOffset: ServerOffset | undefined;
  dateOverride: string | undefined;
}>;

/**
 * Turns the lines of one file into ticks or candles. `parse` gets every
 * non-blank line in order (`first` for the first one, which may be a header)
 * and returns a tick, a candle, or null for a header; it throws `RowError` for
 * a line that breaks the format or the data invariants.
 */
export interface RowParser {
  parse(text: string, first: boolean): Tick | Candle | null;
}
