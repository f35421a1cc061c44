/**
 * Wire shapes of the MT5 bridge protocol (DESIGN.md §5), as zod schemas that
 * mirror `schemas/mt5-bridge.schema.json` (a test keeps the two in step).
 * Newline-delimited JSON, one object a line; every message carries `v` (1),
 * `type`, `seq` (per connection, monotonic) and `ts` (sender wall clock, ms).
 * Objects are loose: a newer Expert Advisor may add fields without breaking
 * an older bridge. All MT5 times are broker server time, as MT5 gives them.
 *
 * @see /work/shared/research/protocols.md Part B.2, B.3, B.5
 */
import { z } from 'zod';

/** Protocol version carried in `v`. */
export const MT5_PROTOCOL_VERSION = 1;

/** Bar timeframes the bridge exchanges (the core timeframes MT5 has). */
export const MT5_TIMEFRAMES = ['M1', 'M5', 'M15', 'H1', 'H4', 'D1'] as const;

/** One bar timeframe of the bridge protocol. */
export type Mt5Timeframe = (typeof MT5_TIMEFRAMES)[number];

/** `MqlTick.flags` bits: what changed in a tick. */
export const TICK_FLAG = { BID: 2, ASK: 4, LAST: 8, VOLUME: 16, BUY: 32, SELL: 64 } as const;

/** Request types that change the account and therefore carry an idempotency key. */
export const TRADING_TYPES = ['order', 'modify_sltp', 'close'] as const;

const Int = z.int();
const Count = z.int().min(0);
const Price = z.number().min(0);
const Sym = z.string().min(1).max(64);
const ReqId = z.string().min(1).max(64);
const IdempotencyKey = z.string().min(1).max(64);
const Tf = z.enum(MT5_TIMEFRAMES);
/** Trade-server clock minus UTC, seconds (±14 h). */
const OffsetSec = z.int().min(-50_400).max(50_400);

function message<T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) {
  return z.looseObject({ v: z.literal(MT5_PROTOCOL_VERSION), type: z.literal(type), seq: Count, ts: Count, ...shape });
}

/** One symbol the terminal serves, as announced in `hello`. */
export const SymbolInfoSchema = z.looseObject({
  sym: Sym,
  digits: z.int().min(0).max(12),
  point: z.number().positive(),
  /** SYMBOL_TRADE_STOPS_LEVEL, points. */
  stopsLevel: Count,
  volumeStep: z.number().positive(),
  volumeMin: z.number().positive().optional(),
  volumeMax: z.number().positive().optional(),
  /** `time_msc` of the last tick the EA sent for this symbol (server time), 0 = none yet. */
  lastTickMsc: Count,
});
/** A symbol entry of `hello`. */
export type SymbolInfo = z.infer<typeof SymbolInfoSchema>;

/** EA → UTP, first message of a connection. */
export const HelloSchema = message('hello', {
  login: Count,
  server: z.string().max(128),
  build: Count,
  company: z.string().max(128),
  /** `TimeTradeServer() - TimeGMT()`, seconds. */
  serverUtcOffsetSec: OffsetSec,
  /** Trade-server time when the offset was measured, ms. */
  serverTimeMsc: Count,
  symbols: z.array(SymbolInfoSchema).max(256),
  eaVersion: z.string().max(32).optional(),
});
/** A parsed `hello`. */
export type HelloMessage = z.infer<typeof HelloSchema>;

/** EA → UTP: the server-UTC offset again (hourly and whenever it changes, e.g. at DST). */
export const OffsetSchema = message('offset', { serverUtcOffsetSec: OffsetSec, serverTimeMsc: Count });
/** A parsed `offset`. */
export type OffsetMessage = z.infer<typeof OffsetSchema>;

/** EA → UTP: one `MqlTick` of a symbol (unchanged fields carry their previous values). */
export const TickSchema = message('tick', { sym: Sym, tmsc: Count, bid: Price, ask: Price, last: Price, vol: Price, flags: Count });
/** A parsed `tick`. */
export type TickMessage = z.infer<typeof TickSchema>;

/** EA → UTP: one closed bar (bid prices; `t` = open time, server time, seconds). */
export const BarSchema = message('bar', {
  sym: Sym,
  tf: Tf,
  t: Count,
  o: z.number().positive(),
  h: z.number().positive(),
  l: z.number().positive(),
  c: z.number().positive(),
  tickVol: Count,
  /** Spread in points. */
  spread: Count,
});
/** A parsed `bar`. */
export type BarMessage = z.infer<typeof BarSchema>;

/** EA → UTP: account snapshot. */
export const AccountSchema = message('account', {
  balance: z.number(),
  equity: z.number(),
  margin: z.number().min(0),
  freeMargin: z.number(),
  currency: z.string().max(16),
  leverage: Count,
});
/** A parsed `account`. */
export type AccountMessage = z.infer<typeof AccountSchema>;

/** One open position. */
export const PositionSchema = z.looseObject({
  ticket: Count,
  sym: Sym,
  type: z.enum(['buy', 'sell']),
  volume: z.number().positive(),
  priceOpen: z.number().positive(),
  /** 0 = none. */
  sl: Price,
  /** 0 = none. */
  tp: Price,
  profit: z.number(),
  swap: z.number(),
  comment: z.string().max(64),
  magic: Count,
  timeMsc: Count,
});
/** A position of a `positions` message. */
export type Position = z.infer<typeof PositionSchema>;

/** EA → UTP: every open position (the full list, replacing the previous one). */
export const PositionsSchema = message('positions', { positions: z.array(PositionSchema).max(1000) });
/** A parsed `positions`. */
export type PositionsMessage = z.infer<typeof PositionsSchema>;

/** EA → UTP: heartbeat, every second even when markets are closed. */
export const HeartbeatSchema = message('hb', {});
/** A parsed `hb`. */
export type HeartbeatMessage = z.infer<typeof HeartbeatSchema>;

/** EA → UTP: the answer to a request, correlated by `reqId`. */
export const RespSchema = message('resp', {
  reqId: ReqId,
  ok: z.boolean(),
  /** MT5 retcode (10009 done, 10008 placed, 10010 partial) or 0 for non-trading requests. */
  retcode: Int,
  message: z.string().max(1024),
  data: z.record(z.string(), z.unknown()).nullable(),
});
/** A parsed `resp`. */
export type RespMessage = z.infer<typeof RespSchema>;

/** Every message the EA (or the simulator) sends. */
export const EaMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  OffsetSchema,
  TickSchema,
  BarSchema,
  AccountSchema,
  PositionsSchema,
  HeartbeatSchema,
  RespSchema,
]);
/** Any EA → UTP message. */
export type EaMessage = z.infer<typeof EaMessageSchema>;

/** A history tick row: `[tmsc, bid, ask, last, vol, flags]`. */
export const HistoryTickRowSchema = z.tuple([Count, Price, Price, Price, Price, Count]);
/** A history bar row: `[t, o, h, l, c, tickVol, spread]`. */
export const HistoryBarRowSchema = z.tuple([
  Count,
  z.number().positive(),
  z.number().positive(),
  z.number().positive(),
  z.number().positive(),
  Count,
  Count,
]);

/** `resp.data` of a `history` request for ticks; `more` = truncated at `max`, ask again from the last `tmsc`. */
export const HistoryTicksDataSchema = z.looseObject({
  sym: Sym,
  kind: z.literal('ticks'),
  ticks: z.array(HistoryTickRowSchema),
  more: z.boolean(),
});
/** Parsed tick history. */
export type HistoryTicksData = z.infer<typeof HistoryTicksDataSchema>;

/** `resp.data` of a `history` request for closed bars, oldest first; `more` = truncated at `max`. */
export const HistoryBarsDataSchema = z.looseObject({
  sym: Sym,
  kind: z.literal('bars'),
  tf: Tf,
  bars: z.array(HistoryBarRowSchema),
  more: z.boolean(),
});
/** Parsed bar history. */
export type HistoryBarsData = z.infer<typeof HistoryBarsDataSchema>;

/** UTP → EA: which symbols to stream, and which bar timeframes to send as they close. */
export const SubscribeSchema = message('subscribe', { symbols: z.array(Sym).max(256), bars: z.array(Tf).max(6) });
/** A parsed `subscribe`. */
export type SubscribeMessage = z.infer<typeof SubscribeSchema>;

/** UTP → EA: ticks or closed bars of a symbol from `fromMsc` (inclusive, server time) to `toMsc` (inclusive, default now). */
export const HistorySchema = message('history', {
  reqId: ReqId,
  sym: Sym,
  kind: z.enum(['ticks', 'bars']),
  tf: Tf.optional(),
  fromMsc: Count,
  toMsc: Count.optional(),
  max: z.int().min(1).max(100_000),
}).refine((m) => m.kind !== 'bars' || m.tf !== undefined, { message: 'tf is required when kind is bars', path: ['tf'] });
/** A parsed `history`. */
export type HistoryMessage = z.infer<typeof HistorySchema>;

/** UTP → EA: open a position; the comment carries the idempotency key (see `Mt5Venue`). */
export const OrderSchema = message('order', {
  reqId: ReqId,
  idempotencyKey: IdempotencyKey,
  sym: Sym,
  side: z.enum(['buy', 'sell']),
  orderType: z.enum(['market', 'limit', 'stop']),
  volume: z.number().positive(),
  price: Price.optional(),
  sl: Price.optional(),
  tp: Price.optional(),
  deviation: Count.optional(),
  comment: z.string().max(31).optional(),
  magic: Count.optional(),
});
/** A parsed `order`. */
export type OrderMessage = z.infer<typeof OrderSchema>;

/** UTP → EA: change SL/TP of an open position (0 = remove). */
export const ModifySltpSchema = message('modify_sltp', { reqId: ReqId, idempotencyKey: IdempotencyKey, ticket: Count, sl: Price, tp: Price });
/** A parsed `modify_sltp`. */
export type ModifySltpMessage = z.infer<typeof ModifySltpSchema>;

/** UTP → EA: close a position, fully or `volume` of it. */
export const CloseSchema = message('close', {
  reqId: ReqId,
  idempotencyKey: IdempotencyKey,
  ticket: Count,
  volume: z.number().positive().optional(),
  deviation: Count.optional(),
});
/** A parsed `close`. */
export type CloseMessage = z.infer<typeof CloseSchema>;

/** UTP → EA: liveness probe; the EA answers with a `resp`. */
export const PingSchema = message('ping', { reqId: ReqId });
/** A parsed `ping`. */
export type PingMessage = z.infer<typeof PingSchema>;

/** Every message the bridge sends to the EA. */
export const UtpMessageSchema = z.discriminatedUnion('type', [
  SubscribeSchema,
  HistorySchema,
  OrderSchema,
  ModifySltpSchema,
  CloseSchema,
  PingSchema,
]);
/** Any UTP → EA message. */
export type UtpMessage = z.infer<typeof UtpMessageSchema>;

/** Every message type of the protocol with its schema (both directions), for tests and tools. */
export const MESSAGE_SCHEMAS = {
  hello: HelloSchema,
  offset: OffsetSchema,
  tick: TickSchema,
  bar: BarSchema,
  account: AccountSchema,
  positions: PositionsSchema,
  hb: HeartbeatSchema,
  resp: RespSchema,
  subscribe: SubscribeSchema,
  history: HistorySchema,
  order: OrderSchema,
  modify_sltp: ModifySltpSchema,
  close: CloseSchema,
  ping: PingSchema,
} as const;

/** Request types the bridge may send with `request()` (they all get a `resp`). */
export type Mt5RequestMessage = HistoryMessage | OrderMessage | ModifySltpMessage | CloseMessage | PingMessage;
