import type { LastQuote, LastTrade, MarketSnapshot, Tick } from '../../core/index.js';

type Entry = { lastTrade: LastTrade | null; lastQuote: LastQuote | null; ticks: number };

/**
 * The in-memory "now" of every symbol: last trade and last quote with their
 * venue and receive times. Updated on every accepted tick; read by tools.
 */
export class MarketStateBook {
  private readonly entries = new Map<string, Entry>();

  /** Records an accepted tick. */
  apply(tick: Tick): void {
    let entry = this.entries.get(tick.symbol);
    if (!entry) {
      entry = { lastTrade: null, lastQuote: null, ticks: 0 };
      this.entries.set(tick.symbol, entry);
    }
    entry.ticks++;
    if (tick.last !== null) {
      entry.lastTrade = { price: tick.last, size: tick.volume, source: tick.source, tsEvent: tick.tsEvent, tsInit: tick.tsInit };
    }
    if (tick.bid !== null && tick.ask !== null) {
      entry.lastQuote = { bid: tick.bid, ask: tick.ask, source: tick.source, tsEvent: tick.tsEvent, tsInit: tick.tsInit };
    }
  }

  /** Snapshot of a symbol; fields are null until data arrives. */
  snapshot(symbol: string): MarketSnapshot {
    const entry = this.entries.get(symbol);
    return { symbol, lastTrade: entry?.lastTrade ?? null, lastQuote: entry?.lastQuote ?? null, ticks: entry?.ticks ?? 0 };
  }
}
