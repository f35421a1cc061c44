import type { Source } from './Source.js';

/** Aggressor side of a trade: `buy` when the buyer took liquidity. */
export type TakerSide = 'buy' | 'sell';

/**
 * One market fact from one source: a trade (`last` and `volume` set) or a
 * top-of-book quote (`bid` and `ask` set), or both. Immutable; derived data
 * (offset-adjusted, fused) is a new tick, never a mutation of this one.
 */
export type Tick = Readonly<{
  /** Canonical (broker) symbol, e.g. `BTCUSD`. */
  symbol: string;
  /** Source that produced the tick. */
  source: Source;
  /** Venue time of the event, epoch ms UTC. */
  tsEvent: number;
  /** Time we received it, epoch ms UTC. */
  tsInit: number;
  /** Best bid, or null when the fact is a trade only. */
  bid: number | null;
  /** Best ask, or null when the fact is a trade only. */
  ask: number | null;
  /** Trade price, or null when the fact is a quote only. */
  last: number | null;
  /** Traded size in base units (0 for a pure quote). */
  volume: number;
  /** Number of exchange trades this tick stands for (aggTrade: l - f + 1; quote: 0). */
  trades: number;
  /** Aggressor side of the trade, null for quotes or when unknown. */
  takerSide: TakerSide | null;
  /** Venue sequence id (aggTrade `a`, bookTicker `u`, trade id), null when the venue has none. */
  seq: number | null;
  /** Price offset added to the venue price to express it in broker terms (0 = none applied). */
  offset: number;
}>;

/** True when the tick carries a trade print. */
export function isTrade(tick: Tick): boolean {
  return tick.last !== null;
}

/** True when the tick carries a two-sided quote. */
export function isQuote(tick: Tick): boolean {
  return tick.bid !== null && tick.ask !== null;
}
