import type { Candle, CandleStore, Timeframe } from '../../core/index.js';

type Entry = { rows: Candle[]; seeded: boolean; exhaustive: boolean };

/**
 * The newest closed candles of every (symbol, source, timeframe) in RAM, so the
 * questions asked most ("the latest N bars") never touch SQLite. Fed by every
 * closed candle; seeded lazily from the store on first use and merged with
 * whatever closed since (the recorder may not have written it yet).
 */
export class RecentCandles {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: CandleStore,
    private readonly capacity = 1_000,
  ) {}

  /** Takes a candle that just closed. */
  add(candle: Candle): void {
    const key = keyOf(candle.symbol, candle.sources.join('+'), candle.timeframe);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { rows: [], seeded: false, exhaustive: false };
      this.entries.set(key, entry);
    }
    insert(entry.rows, candle);
    if (entry.rows.length > this.capacity) {
      entry.rows.splice(0, entry.rows.length - this.capacity);
      entry.exhaustive = false;
    }
  }

  /**
   * The latest `limit` closed candles (ascending) opening at or before `to`,
   * plus whether older ones exist; null when RAM cannot answer for sure (the
   * caller then asks the store).
   */
  latest(symbol: string, source: string, timeframe: Timeframe, limit: number, to?: number): { rows: Candle[]; hasMore: boolean } | null {
    if (limit > this.capacity) return null;
    const entry = this.seeded(symbol, source, timeframe);
    const rows = entry.rows;
    let end = rows.length;
    if (to !== undefined) while (end > 0 && (rows[end - 1] as Candle).openTime > to) end--;
    if (end >= limit + 1) return { rows: rows.slice(end - limit, end), hasMore: true };
    if (entry.exhaustive) return { rows: rows.slice(0, end), hasMore: false };
    return null;
  }

  private seeded(symbol: string, source: string, timeframe: Timeframe): Entry {
    const key = keyOf(symbol, source, timeframe);
    let entry = this.entries.get(key);
    if (entry?.seeded) return entry;
    const stored = this.store.queryCandles({ symbol, timeframe, source, limit: this.capacity, order: 'desc' });
    entry ??= { rows: [], seeded: false, exhaustive: false };
    const merged = entry.rows;
    for (const c of stored) if (!merged.some((m) => m.openTime === c.openTime)) insert(merged, c);
    if (merged.length > this.capacity) merged.splice(0, merged.length - this.capacity);
    entry.seeded = true;
    entry.exhaustive = stored.length < this.capacity && merged.length < this.capacity;
    this.entries.set(key, entry);
    return entry;
  }
}

function keyOf(symbol: string, source: string, timeframe: string): string {
  return `${symbol}|${source}|${timeframe}`;
}

/** Inserts in open-time order, replacing a candle of the same open time (appends in the common case). */
function insert(rows: Candle[], candle: Candle): void {
  const last = rows[rows.length - 1];
  if (!last || last.openTime < candle.openTime) {
    rows.push(candle);
    return;
  }
  let i = rows.length - 1;
  while (i >= 0 && (rows[i] as Candle).openTime > candle.openTime) i--;
  if (i >= 0 && (rows[i] as Candle).openTime === candle.openTime) rows[i] = candle;
  else rows.splice(i + 1, 0, candle);
}
