import type { CandleBasis } from '../../core/index.js';
import { archiveTimeToMs } from '../feeds/binance/archive.js';
import { RowError } from './errors.js';
import { closedCandle, looksLikeHeader, parseNumber, parsePrice, parseSize, quoteTick, rejectStrayHeader, splitCsv } from './fields.js';
import { requireTimeframe } from './detect.js';
import type { ParserContext, RowParser } from './types.js';

/** Column positions, taken from the header when there is one. */
type Columns = Readonly<Record<string, number>>;

function columnsOf(header: string[], names: readonly string[]): Columns {
  const index: Record<string, number> = {};
  for (const name of names) {
    const i = header.findIndex((h) => h.trim().toLowerCase() === name);
    if (i < 0) throw new RowError(`header has no ${name} column`);
    index[name] = i;
  }
  return index;
}

function defaultColumns(names: readonly string[]): Columns {
  return Object.fromEntries(names.map((n, i) => [n, i]));
}

function epochMs(text: string | undefined): number {
  const raw = parseNumber(text, 'timestamp_ms');
  if (!Number.isInteger(raw)) throw new RowError(`timestamp_ms is not an integer: ${text}`);
  return archiveTimeToMs(raw);
}

const TICK_COLUMNS = ['timestamp_ms', 'ask', 'bid', 'ask_volume', 'bid_volume'] as const;
const BAR_COLUMNS = ['timestamp_ms', 'open', 'high', 'low', 'close', 'volume'] as const;

function at(c: string[], cols: Columns, name: string): string | undefined {
  return c[cols[name] ?? -1];
}

/**
 * Row parser for decoded Dukascopy ticks `timestamp_ms,ask,bid,ask_volume,bid_volume`
 * (header optional, columns matched by name): quote ticks, volume 0, no seq.
 */
export function dukascopyTickParser(ctx: ParserContext): RowParser {
  let cols = defaultColumns(TICK_COLUMNS);
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) {
        rejectStrayHeader(first);
        cols = columnsOf(c, TICK_COLUMNS);
        return null;
      }
      if (c.length !== TICK_COLUMNS.length) throw new RowError(`expected ${TICK_COLUMNS.length} columns, got ${c.length}`);
      parseSize(at(c, cols, 'ask_volume'), 'ask_volume');
      parseSize(at(c, cols, 'bid_volume'), 'bid_volume');
      const ts = epochMs(at(c, cols, 'timestamp_ms'));
      return quoteTick(ctx, ts, parsePrice(at(c, cols, 'bid'), 'bid'), parsePrice(at(c, cols, 'ask'), 'ask'), null);
    },
  };
}

/**
 * Row parser for decoded Dukascopy candles `timestamp_ms,open,high,low,close,volume`:
 * closed candles of the timeframe in the file name (`_h1_`), basis `ask` when
 * the name says ASK, else `bid` (Dukascopy publishes bid and ask candles).
 */
export function dukascopyBarParser(ctx: ParserContext): RowParser {
  const timeframe = requireTimeframe(ctx, 'Dukascopy candle');
  const basis: CandleBasis = /(^|[^a-z])ask([^a-z]|$)/i.test(ctx.fileName) ? 'ask' : 'bid';
  let cols = defaultColumns(BAR_COLUMNS);
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) {
        rejectStrayHeader(first);
        cols = columnsOf(c, BAR_COLUMNS);
        return null;
      }
      if (c.length !== BAR_COLUMNS.length) throw new RowError(`expected ${BAR_COLUMNS.length} columns, got ${c.length}`);
      return closedCandle(ctx, {
        timeframe,
        basis,
        openTime: epochMs(at(c, cols, 'timestamp_ms')),
        open: parsePrice(at(c, cols, 'open'), 'open'),
        high: parsePrice(at(c, cols, 'high'), 'high'),
        low: parsePrice(at(c, cols, 'low'), 'low'),
        close: parsePrice(at(c, cols, 'close'), 'close'),
        volume: parseSize(at(c, cols, 'volume'), 'volume'),
      });
    },
  };
}
