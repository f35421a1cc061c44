/** Side of an order or position. */
export type Side = 'buy' | 'sell';

/**
 * MT5 trade server return codes UTP uses. Only DONE, PLACED and DONE_PARTIAL
 * are successes.
 */
export const RETCODE = {
  DONE: 10009,
  PLACED: 10008,
  DONE_PARTIAL: 10010,
  REJECT: 10006,
  INVALID: 10013,
  INVALID_VOLUME: 10014,
  INVALID_PRICE: 10015,
  INVALID_STOPS: 10016,
  TRADE_DISABLED: 10017,
  MARKET_CLOSED: 10018,
  NO_MONEY: 10019,
  NO_QUOTES: 10021,
  TIMEOUT: 10012,
  NO_CONNECTION: 10031,
  POSITION_CLOSED: 10036,
  CLOSE_ONLY: 10044,
} as const;

/** True for the only retcodes that mean the request succeeded. */
export function isSuccessRetcode(retcode: number): boolean {
  return retcode === RETCODE.DONE || retcode === RETCODE.PLACED || retcode === RETCODE.DONE_PARTIAL;
}

/** Broker rules of a symbol the venue enforces. */
export type SymbolRules = Readonly<{
  symbol: string;
  /** Price step. */
  point: number;
  digits: number;
  /** Minimum distance of SL/TP from the current price, in points. */
  stopsLevel: number;
  volumeMin: number;
  volumeMax: number;
  volumeStep: number;
  /** Value of a 1.0 price move for 1.0 lot, in account currency. */
  contractSize: number;
}>;

/** A market order request (SL/TP at entry optional). */
export type OrderRequest = Readonly<{
  symbol: string;
  side: Side;
  volume: number;
  sl: number | null;
  tp: number | null;
  /** Idempotency key: a second request with the same key returns the first result. */
  idempotencyKey: string;
  comment?: string;
}>;

/** An open position at the venue. */
export type Position = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  volume: number;
  openPrice: number;
  openTime: number;
  sl: number | null;
  tp: number | null;
  /** Floating profit in account currency at the last price. */
  profit: number;
  comment: string;
}>;

/** Balance, equity and margin of the account. */
export type Account = Readonly<{
  currency: string;
  balance: number;
  equity: number;
  /** equity - balance. */
  floating: number;
  tsEvent: number;
}>;

/** Answer of a venue to any trade request. */
export type TradeResult = Readonly<{
  retcode: number;
  ok: boolean;
  message: string;
  ticket: string | null;
  price: number | null;
  volume: number | null;
  /** How the fill price was obtained (e.g. `ask`, or `last trade + half spread: no quote`). */
  fillNote: string | null;
  tsEvent: number;
}>;
