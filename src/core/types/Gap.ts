import type { Source } from './Source.js';

/** Where a gap stands: still missing, filled from REST or the bridge, or known to be unfillable. */
export type GapState = 'open' | 'filled' | 'unfillable';

/**
 * A range of market data a feed missed (reconnect, stall, sleep). Detected from
 * venue sequence ids or time; filled from REST (Binance) or history requests
 * (MT5); what cannot be filled stays reported, never hidden.
 */
export type Gap = Readonly<{
  /** Stable id, e.g. `binance-spot:BTCUSD:aggTrade:3800402495`. */
  id: string;
  symbol: string;
  source: Source;
  feed: string;
  /** Venue time range missed, epoch ms (inclusive bounds; `to` may equal `from`). */
  from: number;
  to: number;
  /** Venue sequence ids missed, when the venue has them. */
  fromSeq: number | null;
  toSeq: number | null;
  state: GapState;
  /** Why it opened, and (when closed) how it was closed or why it could not be. */
  reason: string;
  /** Ticks recovered when filled. */
  recovered: number;
  tsInit: number;
}>;
