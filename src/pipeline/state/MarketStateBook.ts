import type { LastQuote, LastTrade, MarketSnapshot, Tick } from '../../core/index.js';

/** What the book keeps per key: references to the last trade and quote ticks (immutable), no copies. */
export type BookEntry = { trade: Tick | null; quote: Tick | null; ticks: number };

/**
 * The in-memory "now" of every symbol: last trade and last quote with their
 * venue and receive times. Updated on every accepted tick without allocating
 * (it keeps references to the immutable ticks); snapshots are built on read.
 */
export class MarketStateBook {
  private readonly entries = new Map<string, BookEntry>();

  /** Records an accepted tick under its symbol (or another key). */
  apply(tick: Tick, key: string = tick.symbol): void {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { trade: null, quote: null, ticks: 0 };
      this.entries.set(key, entry);
    }
    applyToEntry(entry, tick);
  }

  /** Snapshot of a symbol (or key); fields are null until data arrives. */
  snapshot(symbol: string, key: string = symbol): MarketSnapshot {
    return snapshotOf(symbol, this.entries.get(key));
  }
}

/** Updates one entry with an accepted tick. */
export function applyToEntry(entry: BookEntry, tick: Tick): void {
  entry.ticks++;
  if (tick.last !== null) entry.trade = tick;
  if (tick.bid !== null && tick.ask !== null) entry.quote = tick;
}

/** Builds the snapshot of an entry. */
export function snapshotOf(symbol: string, entry: BookEntry | undefined): MarketSnapshot {
  const t = entry?.trade ?? null;
  const q = entry?.quote ?? null;
  const lastTrade: LastTrade | null = t ? { price: t.last as number, size: t.volume, source: t.source, tsEvent: t.tsEvent, tsInit: t.tsInit } : null;
  const lastQuote: LastQuote | null = q ? { bid: q.bid as number, ask: q.ask as number, source: q.source, tsEvent: q.tsEvent, tsInit: q.tsInit } : null;
  return { symbol, lastTrade, lastQuote, ticks: entry?.ticks ?? 0 };
}
