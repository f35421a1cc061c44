import type { Candle } from './types/Candle.js';
import type { FeedStatus } from './types/FeedStatus.js';
import type { Gap } from './types/Gap.js';
import type { Source } from './types/Source.js';
import type { Account, OrderRequest, Position, TradeResult } from './types/Trading.js';
import type { MarketSnapshot } from './types/MarketSnapshot.js';
import type { Tick } from './types/Tick.js';
import type { Timeframe } from './types/Timeframe.js';

/** A component with an explicit lifecycle; `stop` is safe to call twice. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A market data feed (Binance connection group, MT5 bridge, replay). */
export interface MarketDataSource extends Lifecycle {
  /** Stable id, e.g. `binance-spot`. */
  readonly id: string;
  /** Current health and counters. */
  status(): FeedStatus;
}

/** Query for a range of candles; `from`/`to` are open times, inclusive, epoch ms. */
export type CandleQuery = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  /** Source key, e.g. `binance`; omitted = the symbol's primary. */
  source?: string;
  from?: number;
  to?: number;
  /** Most rows to return. */
  limit: number;
  /** `asc` from `from` onwards, or `desc` = the latest `limit` rows (returned ascending). */
  order?: 'asc' | 'desc';
}>;

/** Durable candle history (implemented by the SQLite store). */
export interface CandleStore {
  upsertCandles(candles: readonly Candle[]): void;
  queryCandles(query: CandleQuery): Candle[];
}

/** Durable tick history (implemented by the SQLite store). */
export interface TickStore {
  insertTicks(ticks: readonly Tick[]): void;
  countTicks(symbol?: string): number;
}

/**
 * The live side of the market as the pipeline holds it in memory: last
 * trade/quote per symbol and the candles still forming. Implemented by the
 * pipeline, read by the data access layer and the tools.
 */
export interface LiveMarketView {
  /** Latest snapshot of a symbol (null fields when nothing arrived yet). */
  snapshot(symbol: string): MarketSnapshot;
  /** The forming candle of a symbol and timeframe from its primary stream, or null. */
  openCandle(symbol: string, timeframe: Timeframe): Candle | null;
  /** Source key of the candle stream that is primary for the symbol (e.g. `binance`). */
  primaryCandleSource(symbol: string): string;
  /** Source currently feeding the unified stream of a symbol, or null when none is live. */
  activeSource(symbol: string): Source | null;
  /** Gaps of a symbol: still open, how many were filled, and ranges that could not be filled. */
  gaps(symbol: string): Readonly<{ open: readonly Gap[]; filled: number; unfillable: readonly Gap[] }>;
}

/**
 * Where orders go: the built-in paper venue or MT5 through the bridge. Every
 * method answers with an MT5-style retcode; stops live at the venue (SL on the
 * position), so UTP stopping is never fatal to an open position.
 */
export interface ExecutionVenue {
  readonly id: string;
  placeOrder(request: OrderRequest): Promise<TradeResult>;
  modifyPosition(ticket: string, sl: number | null, tp: number | null): Promise<TradeResult>;
  /** Closes `volume` of the position (all of it when null). */
  closePosition(ticket: string, volume: number | null): Promise<TradeResult>;
  positions(): readonly Position[];
  account(): Account;
}
