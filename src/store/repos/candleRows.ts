import { DataIntegrityError, isSource, type Candle, type CandleBasis, type Source, type Timeframe } from '../../core/index.js';

/**
 * Columns a candle read selects, in the order {@link rowsToCandles} indexes
 * them. Symbol, timeframe and source key are the query's own (the primary key
 * prefix), so they are not read back per row.
 */
export const CANDLE_READ_COLUMNS =
  'open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, ' +
  'basis, closed, ts_event, ts_init, atr, vwap, volatility_state, structure_label, structure_json';

/** One row of {@link CANDLE_READ_COLUMNS} as better-sqlite3 returns it in raw (array) mode. */
export type CandleReadRow = readonly unknown[];

/**
 * Candles of one symbol, timeframe and source key from raw rows (the fast
 * path: no per-row keyed object from the driver, no spread, the source key
 * parsed once per query). `reverse` maps rows read newest first back to
 * oldest first. Candles carry `analytics` only when a derived column is set,
 * exactly as a row-by-row mapping would.
 */
export function rowsToCandles(rows: readonly CandleReadRow[], symbol: string, timeframe: Timeframe, sourceKey: string, reverse = false): Candle[] {
  const n = rows.length;
  if (n === 0) return [];
  const sources = parseSources(sourceKey);
  const out = new Array<Candle>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as unknown[];
    const c: { -readonly [K in keyof Candle]: Candle[K] } = {
      symbol,
      timeframe,
      openTime: r[0] as number,
      open: r[1] as number,
      high: r[2] as number,
      low: r[3] as number,
      close: r[4] as number,
      volume: r[5] as number,
      quoteVolume: r[6] as number,
      trades: r[7] as number,
      takerBuyVolume: r[8] as number,
      takerBuyQuoteVolume: r[9] as number,
      basis: r[10] as CandleBasis,
      sources: sources.slice(),
      closed: r[11] === 1,
      tsEvent: r[12] as number,
      tsInit: r[13] as number,
    };
    const atr = r[14] as number | null;
    const vwap = r[15] as number | null;
    const volatilityState = r[16] as string | null;
    const structureLabel = r[17] as string | null;
    const structureJson = r[18] as string | null;
    if (atr !== null || vwap !== null || volatilityState !== null || structureLabel !== null || structureJson !== null) {
      c.analytics = { atr, vwap, volatilityState, structureLabel, structureJson };
    }
    out[reverse ? n - 1 - i : i] = c;
  }
  return out;
}

/** The sources of a stored source key (`binance+mt5` -> [binance, mt5]); an unknown name is a data integrity error. */
export function parseSources(key: string): Source[] {
  if (key === '') return [];
  const parts = key.split('+');
  for (const p of parts) if (!isSource(p)) throw new DataIntegrityError(`stored candle has unknown source ${p} in ${key}`);
  return parts as Source[];
}
