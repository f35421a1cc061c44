/**
 * What mapping a Binance frame can produce: a tick, a typed "not a tick"
 * (control reply, serverShutdown, kline), or a counted drop with its reason.
 */
import type { Tick } from '../../../core/types/Tick.js';
import type { KlineEvent } from './schema.js';

/** Timestamp unit of a connection: spot accepts `timeUnit=MICROSECOND` in the URL. */
export type BinanceTimeUnit = 'MILLISECOND' | 'MICROSECOND';

/** Why a frame was dropped. */
export const DROP_REASONS = [
  'invalid_json',
  'schema_mismatch',
  'unknown_stream',
  'unknown_symbol',
  'non_finite',
  'negative_size',
  'non_positive_price',
  'crossed_book',
] as const;

/** Reason a frame was counted and dropped. */
export type DropReason = (typeof DROP_REASONS)[number];

/** A reply to a control message we sent (SUBSCRIBE, LIST_SUBSCRIPTIONS...), or its error. */
export type ControlOutcome = {
  kind: 'control';
  id: string | number | null;
  result: unknown;
  error: { code: number; msg: string } | null;
};

/** Result of mapping one frame. */
export type MapOutcome =
  | { kind: 'tick'; tick: Tick }
  | ControlOutcome
  /** The server announced it is going away; reconnect now. `tsEvent` in ms. */
  | { kind: 'shutdown'; tsEvent: number }
  /** A kline update (not a tick); `symbol` is canonical, times stay in the connection's unit. */
  | { kind: 'kline'; symbol: string; event: KlineEvent }
  | { kind: 'drop'; reason: DropReason; detail: string };

/** A dropped-frame outcome. */
export type DropOutcome = Extract<MapOutcome, { kind: 'drop' }>;

/** Running counters of a mapper (frames in, outcomes out). */
export type MapperCounters = {
  frames: number;
  ticks: number;
  trades: number;
  quotes: number;
  controls: number;
  shutdowns: number;
  klines: number;
  dropped: number;
  /** Frames answered without JSON.parse (templates or scanner). */
  fastPath: number;
  byReason: Record<DropReason, number>;
};

/** Builds a drop outcome. */
export function drop(reason: DropReason, detail: string): DropOutcome {
  return { kind: 'drop', reason, detail };
}

/** Builds a trade tick outcome from validated numbers (`trades` = l − f + 1). */
export function tradeTick(
  symbol: string,
  price: number,
  size: number,
  seq: number,
  trades: number,
  buyerMaker: boolean,
  tsEvent: number,
  tsInit: number,
): MapOutcome {
  const tick: Tick = {
    symbol,
    source: 'binance',
    tsEvent,
    tsInit,
    bid: null,
    ask: null,
    last: price,
    volume: size,
    trades,
    takerSide: buyerMaker ? 'sell' : 'buy',
    seq,
    offset: 0,
  };
  return { kind: 'tick', tick };
}

/** Builds a quote tick outcome from validated numbers. */
export function quoteTick(symbol: string, bid: number, ask: number, seq: number, tsEvent: number, tsInit: number): MapOutcome {
  const tick: Tick = {
    symbol,
    source: 'binance',
    tsEvent,
    tsInit,
    bid,
    ask,
    last: null,
    volume: 0,
    trades: 0,
    takerSide: null,
    seq,
    offset: 0,
  };
  return { kind: 'tick', tick };
}
