/**
 * Row parsers for Binance's public-data archives (data.binance.vision): spot and
 * USD-M `trades`, `aggTrades`, `klines` and `bookTicker` CSV files, with or
 * without a header row, timestamps in milliseconds or (spot from 2025-01-01)
 * microseconds. Prices and sizes stay decimal strings exactly as archived, so a
 * replay can send them byte for byte as the WebSocket would.
 *
 * @see https://github.com/binance/binance-public-data
 */

/** Archive datasets this module understands. */
export type ArchiveKind = 'trades' | 'aggTrades' | 'klines' | 'bookTicker';

/** One aggregate trade row, in the field names of the WebSocket `aggTrade` event. */
export type ArchiveAggTrade = Readonly<{
  kind: 'aggTrades';
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  /** Trade time, epoch ms (fraction kept when the archive had microseconds). */
  T: number;
  m: boolean;
  M: boolean;
}>;

/** One raw trade row, in the field names of the WebSocket `trade` event. */
export type ArchiveTrade = Readonly<{
  kind: 'trades';
  t: number;
  p: string;
  q: string;
  /** Quote quantity as archived. */
  quoteQty: string;
  T: number;
  m: boolean;
  M: boolean;
}>;

/** One kline row (official 12 columns). */
export type ArchiveKline = Readonly<{
  kind: 'klines';
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  closeTime: number;
  quoteVolume: string;
  trades: number;
  takerBuyVolume: string;
  takerBuyQuoteVolume: string;
}>;

/** One best-bid/offer row, in the field names of the WebSocket `bookTicker` event. */
export type ArchiveBookTicker = Readonly<{
  kind: 'bookTicker';
  u: number;
  b: string;
  B: string;
  a: string;
  A: string;
  /** Transaction time, epoch ms. */
  T: number;
  /** Event time, epoch ms. */
  E: number;
}>;

/** Any parsed archive row. */
export type ArchiveRow = ArchiveAggTrade | ArchiveTrade | ArchiveKline | ArchiveBookTicker;

/** Result of parsing one line: a row, a header/blank line to skip, or an error message. */
export type ArchiveLineResult = { ok: true; row: ArchiveRow } | { ok: true; row: null } | { ok: false; error: string };

const COLUMNS: Readonly<Record<ArchiveKind, readonly number[]>> = {
  // accepted column counts per dataset (spot vs USD-M layouts differ)
  aggTrades: [7, 8],
  trades: [6, 7],
  klines: [12],
  bookTicker: [7],
};

/**
 * Converts an archive timestamp to epoch ms. Spot archives from 2025 use
 * microseconds (16 digits); anything above 1e14 is taken as microseconds.
 */
export function archiveTimeToMs(raw: number): number {
  return raw > 1e14 ? raw / 1000 : raw;
}

/** Guesses the dataset of an archive from its file name (`BTCUSDT-aggTrades-2026-01-01.csv`). */
export function detectArchiveKind(fileName: string): ArchiveKind | null {
  const name = fileName.toLowerCase();
  if (name.includes('aggtrades')) return 'aggTrades';
  if (name.includes('bookticker')) return 'bookTicker';
  if (name.includes('trades')) return 'trades';
  if (/-(1s|1m|3m|5m|15m|30m|1h|2h|4h|6h|8h|12h|1d)[-_.]/.test(name)) return 'klines';
  return null;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

function decimal(value: string | undefined, name: string): string {
  if (value === undefined || !DECIMAL.test(value)) throw new Error(`${name} is not a decimal: ${JSON.stringify(value)}`);
  return value;
}

function int(value: string | undefined, name: string): number {
  if (value === undefined || !INTEGER.test(value)) throw new Error(`${name} is not an integer: ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} is out of range: ${value}`);
  return n;
}

function bool(value: string | undefined, name: string): boolean {
  const v = value?.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`${name} is not a boolean: ${JSON.stringify(value)}`);
}

function positive(value: string, name: string): string {
  if (value.startsWith('-')) throw new Error(`${name} is negative: ${value}`);
  return value;
}

/**
 * Parses one CSV line of an archive of `kind`. A header line (first field not
 * numeric) and a blank line give `row: null`; a malformed line gives an error
 * that names the offending column.
 */
export function parseArchiveLine(kind: ArchiveKind, line: string): ArchiveLineResult {
  const text = line.trim();
  if (text === '') return { ok: true, row: null };
  const cols = text.split(',');
  if (!/^\d/.test(cols[0] ?? '')) return { ok: true, row: null };
  if (!COLUMNS[kind].includes(cols.length)) {
    return { ok: false, error: `expected ${COLUMNS[kind].join(' or ')} columns for ${kind}, got ${cols.length}` };
  }
  try {
    return { ok: true, row: parseColumns(kind, cols) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function parseColumns(kind: ArchiveKind, c: string[]): ArchiveRow {
  switch (kind) {
    case 'aggTrades':
      return {
        kind,
        a: int(c[0], 'agg_trade_id'),
        p: positive(decimal(c[1], 'price'), 'price'),
        q: positive(decimal(c[2], 'quantity'), 'quantity'),
        f: int(c[3], 'first_trade_id'),
        l: int(c[4], 'last_trade_id'),
        T: archiveTimeToMs(int(c[5], 'transact_time')),
        m: bool(c[6], 'is_buyer_maker'),
        M: c.length > 7 ? bool(c[7], 'is_best_match') : true,
      };
    case 'trades':
      return c.length === 7
        ? {
            kind,
            t: int(c[0], 'trade_id'),
            p: positive(decimal(c[1], 'price'), 'price'),
            q: positive(decimal(c[2], 'qty'), 'qty'),
            quoteQty: decimal(c[3], 'quote_qty'),
            T: archiveTimeToMs(int(c[4], 'time')),
            m: bool(c[5], 'is_buyer_maker'),
            M: bool(c[6], 'is_best_match'),
          }
        : {
            kind,
            t: int(c[0], 'id'),
            p: positive(decimal(c[1], 'price'), 'price'),
            q: positive(decimal(c[2], 'qty'), 'qty'),
            quoteQty: decimal(c[3], 'quote_qty'),
            T: archiveTimeToMs(int(c[4], 'time')),
            m: bool(c[5], 'is_buyer_maker'),
            M: true,
          };
    case 'klines':
      return {
        kind,
        openTime: archiveTimeToMs(int(c[0], 'open_time')),
        open: decimal(c[1], 'open'),
        high: decimal(c[2], 'high'),
        low: decimal(c[3], 'low'),
        close: decimal(c[4], 'close'),
        volume: positive(decimal(c[5], 'volume'), 'volume'),
        closeTime: archiveTimeToMs(int(c[6], 'close_time')),
        quoteVolume: decimal(c[7], 'quote_volume'),
        trades: int(c[8], 'count'),
        takerBuyVolume: decimal(c[9], 'taker_buy_volume'),
        takerBuyQuoteVolume: decimal(c[10], 'taker_buy_quote_volume'),
      };
    case 'bookTicker':
      return {
        kind,
        u: int(c[0], 'update_id'),
        b: positive(decimal(c[1], 'best_bid_price'), 'best_bid_price'),
        B: positive(decimal(c[2], 'best_bid_qty'), 'best_bid_qty'),
        a: positive(decimal(c[3], 'best_ask_price'), 'best_ask_price'),
        A: positive(decimal(c[4], 'best_ask_qty'), 'best_ask_qty'),
        T: archiveTimeToMs(int(c[5], 'transaction_time')),
        E: archiveTimeToMs(int(c[6], 'event_time')),
      };
  }
}
