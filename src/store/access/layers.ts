import type { Candle, Source, Tick, Timeframe } from '../../core/index.js';
import type { TickRangeQuery } from '../repos/TickRepo.js';

/**
 * The RAM layer as the access layer sees it (the pipeline's `TickRing`
 * satisfies it structurally; store does not import pipeline).
 */
export interface TickWindow {
  /** Event time from which the window holds every tick of `symbol` it was given, or null when it holds none. */
  coveredFrom(symbol: string): number | null;
  /** Ticks of `symbol` with tsEvent in [from, to), in order, at most `limit`, optionally of one source. */
  ticks(symbol: string, from: number, to: number, limit: number, source?: Source): Tick[];
}

/** The SQLite tick layer (`TickRepo`, unified_ticks): the first `limit` ticks with tsEvent in [from, to] (inclusive). */
export interface TickHistory {
  rangeTicks(query: TickRangeQuery): Tick[];
}

/** What an archive day file holds: raw ticks, or candles of one timeframe (the archive's own `ArchiveKind`). */
export type ArchiveDayKind = 'ticks' | `candles-${Timeframe}`;

/**
 * The Parquet archive as the access layer reads it: one file per symbol,
 * kind and UTC day. Only days that were written, read back and verified are
 * listed; a listed day is complete and immutable (so the access layer caches
 * its reads). The store's `Archive` class satisfies it as it is.
 */
export interface ArchiveReader {
  /** UTC days (`YYYY-MM-DD`, ascending) with a complete file of a symbol and kind. */
  listDays(symbol: string, kind: ArchiveDayKind): readonly string[];
  /** Archived ticks of `symbol` with from <= tsEvent <= to (inclusive), in unified_ticks read order, every source. */
  readTicks(symbol: string, from: number, to: number): Promise<readonly Tick[]>;
  /** Archived candles of `symbol` and `timeframe` with from <= openTime <= to (inclusive), oldest first, every source key. */
  readCandles(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<readonly Candle[]>;
}

/**
 * Stored ticks of a symbol from `from` (inclusive) to `to` (exclusive), in
 * pages of `pageSize`, ascending: how a restart refills the RAM buffer from
 * unified_ticks (`TickBuffer.start(symbols, (s, from) => tickPages(store.ticks, s, from))`).
 */
export function* tickPages(history: TickHistory, symbol: string, from: number, to = Number.MAX_SAFE_INTEGER, pageSize = 50_000): Generator<Tick[]> {
  let t = from;
  let skip = 0;
  for (;;) {
    const rows = history.rangeTicks({ symbol, from: t, to: to - 1, limit: pageSize + skip });
    const page = rows.slice(skip);
    if (page.length > 0) yield page;
    if (rows.length < pageSize + skip) return;
    const lastTs = (rows[rows.length - 1] as Tick).tsEvent;
    skip = lastTs === t ? skip + page.length : trailingEqual(rows, lastTs);
    t = lastTs;
  }
}

/** How many ticks at the end of `rows` have tsEvent `ts`. */
export function trailingEqual(rows: readonly Tick[], ts: number): number {
  let k = 0;
  for (let i = rows.length - 1; i >= 0 && (rows[i] as Tick).tsEvent === ts; i--) k++;
  return k;
}
