/**
 * Wire shapes of Binance market-data WebSocket frames (spot and USD-M), as zod
 * schemas. Objects are `looseObject`: Binance adds fields over time (USD-M
 * `nq`, `st`, `ps`) and unknown fields must not break ingest. Prices and sizes
 * are decimal strings on the wire; converting them is the mapper's job, so a
 * value like `"NaN"` passes the schema and is refused by the mapper with a
 * precise reason.
 *
 * @see /work/shared/research/protocols.md Part A.2-A.3
 */
import { z } from 'zod';

/** A price or quantity as Binance sends it: a decimal string such as `"87648.21000000"`. */
export const DecimalString = z.string();

/** Strict grammar of a wire decimal (what Binance actually sends). */
export const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** An integer id or epoch time (ms, or µs with `timeUnit=MICROSECOND`). */
const Int = z.number().int();

/** Combined-stream envelope (`/stream?streams=a/b`): the stream name and the bare event. */
export const CombinedEnvelopeSchema = z.looseObject({
  stream: z.string(),
  data: z.unknown(),
});
/** A combined-stream frame before its payload is known. */
export type CombinedEnvelope = z.infer<typeof CombinedEnvelopeSchema>;

/** `<symbol>@aggTrade`: one taker order's fills at one price (spot real time; USD-M merged within 100 ms). */
export const AggTradeSchema = z.looseObject({
  e: z.literal('aggTrade'),
  /** Event time. */
  E: Int,
  /** Symbol, upper case. */
  s: z.string(),
  /** Aggregate trade id (gap-fill key). */
  a: Int,
  p: DecimalString,
  q: DecimalString,
  /** USD-M only: quantity without RPI fills. */
  nq: DecimalString.optional(),
  /** First and last underlying trade id. */
  f: Int,
  l: Int,
  /** Trade time. */
  T: Int,
  /** Buyer is maker: true means the taker sold. */
  m: z.boolean(),
  /** Spot only, ignore. */
  M: z.boolean().optional(),
  /** USD-M after the CM migration: product type. */
  st: z.number().optional(),
});
/** A parsed aggTrade event. */
export type AggTradeEvent = z.infer<typeof AggTradeSchema>;

/** Spot `<symbol>@bookTicker`: best bid/ask with no event type and no timestamp. */
export const SpotBookTickerSchema = z.looseObject({
  /** Order-book update id, monotonic per symbol. */
  u: Int,
  s: z.string(),
  b: DecimalString,
  B: DecimalString,
  a: DecimalString,
  A: DecimalString,
});
/** A parsed spot bookTicker event. */
export type SpotBookTickerEvent = z.infer<typeof SpotBookTickerSchema>;

/** USD-M `<symbol>@bookTicker`: as spot plus event type, event and transaction time. */
export const FuturesBookTickerSchema = z.looseObject({
  e: z.literal('bookTicker'),
  u: Int,
  E: Int,
  T: Int,
  s: z.string(),
  b: DecimalString,
  B: DecimalString,
  a: DecimalString,
  A: DecimalString,
});
/** A parsed USD-M bookTicker event. */
export type FuturesBookTickerEvent = z.infer<typeof FuturesBookTickerSchema>;

/** Either bookTicker flavour: `E`/`T` present only on USD-M. */
export const BookTickerSchema = z.looseObject({
  e: z.literal('bookTicker').optional(),
  u: Int,
  E: Int.optional(),
  T: Int.optional(),
  s: z.string(),
  b: DecimalString,
  B: DecimalString,
  a: DecimalString,
  A: DecimalString,
});
/** A parsed bookTicker of either market. */
export type BookTickerEvent = z.infer<typeof BookTickerSchema>;

/** Spot `<symbol>@trade`: one raw trade. */
export const TradeSchema = z.looseObject({
  e: z.literal('trade'),
  E: Int,
  s: z.string(),
  /** Trade id. */
  t: Int,
  p: DecimalString,
  q: DecimalString,
  T: Int,
  m: z.boolean(),
  M: z.boolean().optional(),
});
/** A parsed trade event. */
export type TradeEvent = z.infer<typeof TradeSchema>;

/** The candle inside a kline event. */
export const KlinePayloadSchema = z.looseObject({
  /** Open time. */
  t: Int,
  /** Close time (inclusive). */
  T: Int,
  s: z.string(),
  /** Interval, e.g. `1m`. */
  i: z.string(),
  f: Int,
  L: Int,
  o: DecimalString,
  c: DecimalString,
  h: DecimalString,
  l: DecimalString,
  v: DecimalString,
  n: Int,
  /** True once the kline is closed and final. */
  x: z.boolean(),
  q: DecimalString,
  V: DecimalString,
  Q: DecimalString,
});
/** A parsed kline candle. */
export type KlinePayload = z.infer<typeof KlinePayloadSchema>;

/** `<symbol>@kline_<interval>`: the candle being formed (or just closed). */
export const KlineSchema = z.looseObject({
  e: z.literal('kline'),
  E: Int,
  s: z.string(),
  k: KlinePayloadSchema,
});
/** A parsed kline event. */
export type KlineEvent = z.infer<typeof KlineSchema>;

/** Spot notice that the server is going away; the client should reconnect at once. */
export const ServerShutdownSchema = z.looseObject({
  e: z.literal('serverShutdown'),
  E: Int,
});
/** A parsed serverShutdown event. */
export type ServerShutdownEvent = z.infer<typeof ServerShutdownSchema>;

/** Request id of a control message: signed 64-bit int, alphanumeric string up to 36 chars, or null. */
export const ControlIdSchema = z.union([z.number().int(), z.string().max(36), z.null()]);

/** Reply to a control message: `{"result":null,"id":1}` or `{"result":["btcusdt@aggTrade"],"id":3}`. */
export const ControlReplySchema = z.looseObject({
  result: z.unknown(),
  id: ControlIdSchema,
});
/** A parsed control reply. */
export type ControlReply = z.infer<typeof ControlReplySchema>;

/** Error reply to a control message: `{"error":{"code":2,"msg":"..."},"id":1}`. */
export const ControlErrorSchema = z.looseObject({
  error: z.looseObject({ code: z.number(), msg: z.string() }),
  id: ControlIdSchema.optional(),
});
/** A parsed control error. */
export type ControlError = z.infer<typeof ControlErrorSchema>;

/** Live control message a client sends (`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, properties). */
export const ControlRequestSchema = z.looseObject({
  method: z.enum(['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY']),
  params: z.array(z.unknown()).optional(),
  id: ControlIdSchema,
});
/** A parsed control request. */
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

/** Kind of a stream, from its name: `btcusdt@aggTrade` → `aggTrade`, `btcusdt@kline_1m` → `kline`. */
export type StreamKind = 'aggTrade' | 'trade' | 'bookTicker' | 'kline' | 'other';

/** Splits a stream name into lowercase instrument and kind (`!serverShutdown` has no instrument). */
export function parseStreamName(stream: string): { instrument: string; kind: StreamKind; name: string } {
  const at = stream.indexOf('@');
  if (at < 0) return { instrument: '', kind: 'other', name: stream };
  const instrument = stream.slice(0, at).toLowerCase();
  const rest = stream.slice(at + 1);
  const end = rest.indexOf('@');
  const name = end < 0 ? rest : rest.slice(0, end);
  let kind: StreamKind = 'other';
  if (name === 'aggTrade' || name === 'trade' || name === 'bookTicker') kind = name;
  else if (name.startsWith('kline_')) kind = 'kline';
  return { instrument, kind, name };
}
