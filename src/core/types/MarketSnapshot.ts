import type { Source } from './Source.js';

/** The last trade print of a symbol. */
export type LastTrade = Readonly<{ price: number; size: number; source: Source; tsEvent: number; tsInit: number }>;

/** The last two-sided quote of a symbol. */
export type LastQuote = Readonly<{ bid: number; ask: number; source: Source; tsEvent: number; tsInit: number }>;

/**
 * What the pipeline knows right now about one symbol: the last trade and the
 * last quote (either may be missing: a trades-only recording has no quote).
 */
export type MarketSnapshot = Readonly<{
  symbol: string;
  lastTrade: LastTrade | null;
  lastQuote: LastQuote | null;
  /** Ticks accepted for this symbol since start. */
  ticks: number;
}>;
