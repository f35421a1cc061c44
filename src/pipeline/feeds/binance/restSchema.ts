/**
 * Wire shapes of the Binance REST answers the feed uses (aggTrades, klines,
 * exchangeInfo, error bodies), as zod schemas validated at the boundary, plus
 * the request weights and the aggTrade → Tick conversion. Objects are loose:
 * Binance adds fields over time (USD-M `nq`, new filters).
 *
 * @see /work/shared/research/protocols.md A.6-A.7
 */
import { z } from 'zod';
import type { ArchiveKline } from './archive.js';
import type { BinanceMarket } from '../../../core/types/SymbolSpec.js';
import type { Tick } from '../../../core/types/Tick.js';
import { tradeTick, type BinanceTimeUnit } from './mapOutcome.js';
import { DECIMAL_RE, DecimalString } from './schema.js';

const Int = z.number().int();

/** One item of `GET /api/v3/aggTrades` or `/fapi/v1/aggTrades`: `{a,p,q,f,l,T,m,M}` (USD-M without `M`). */
export const RestAggTradeSchema = z.looseObject({
  a: Int,
  p: DecimalString,
  q: DecimalString,
  f: Int,
  l: Int,
  T: Int,
  m: z.boolean(),
  M: z.boolean().optional(),
});
/** A REST aggregate trade. */
export type RestAggTrade = z.infer<typeof RestAggTradeSchema>;

/** The aggTrades answer: chronological items. */
export const RestAggTradesSchema = z.array(RestAggTradeSchema);

/** One klines row: open time, OHLC, volume, close time, quote volume, trades, taker-buy base/quote, ignore. */
export const RestKlineRowSchema = z
  .tuple([Int, DecimalString, DecimalString, DecimalString, DecimalString, DecimalString, Int, DecimalString, Int, DecimalString, DecimalString])
  .rest(z.unknown());

/** The klines answer. */
export const RestKlinesSchema = z.array(RestKlineRowSchema);

/** A kline as the REST client returns it (decimal strings kept exact): the archive's kline row without its tag. */
export type RestKline = Omit<ArchiveKline, 'kind'>;

/** One listed instrument in exchangeInfo (spot and USD-M share these fields). */
export const ExchangeSymbolSchema = z.looseObject({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  /** USD-M only: `PERPETUAL`, `TRADIFI_PERPETUAL`, `CURRENT_QUARTER`... */
  contractType: z.string().optional(),
});
/** An exchangeInfo symbol entry. */
export type ExchangeSymbol = z.infer<typeof ExchangeSymbolSchema>;

/** The exchangeInfo answer (only the parts the feed reads). */
export const ExchangeInfoSchema = z.looseObject({
  timezone: z.string(),
  serverTime: z.number(),
  rateLimits: z.array(z.looseObject({ rateLimitType: z.string(), interval: z.string(), intervalNum: Int, limit: Int })),
  symbols: z.array(ExchangeSymbolSchema),
});
/** A parsed exchangeInfo answer. */
export type ExchangeInfo = z.infer<typeof ExchangeInfoSchema>;

/** Binance's error body: `{"code":-1121,"msg":"Invalid symbol."}`. */
export const RestErrorSchema = z.looseObject({ code: z.number().int(), msg: z.string() });

/** Request weight of an endpoint (Binance's published weights). */
export function restWeight(market: BinanceMarket, endpoint: 'aggTrades' | 'klines' | 'exchangeInfo', limit = 500): number {
  if (market === 'spot') return endpoint === 'aggTrades' ? 4 : endpoint === 'klines' ? 2 : 20;
  if (endpoint === 'aggTrades') return 20;
  if (endpoint === 'exchangeInfo') return 1;
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

/** Converts a REST aggregate trade to the tick a WebSocket frame of it would give; null when a value is invalid. */
export function restAggTradeTick(symbol: string, t: RestAggTrade, tsInit: number, timeUnit: BinanceTimeUnit = 'MILLISECOND'): Tick | null {
  const price = Number(t.p);
  const size = Number(t.q);
  if (!DECIMAL_RE.test(t.p) || !DECIMAL_RE.test(t.q) || !(price > 0) || !(size >= 0) || t.l < t.f) return null;
  const out = tradeTick(symbol, price, size, t.a, t.l - t.f + 1, t.m, timeUnit === 'MICROSECOND' ? t.T / 1000 : t.T, tsInit);
  return out.kind === 'tick' ? out.tick : null;
}
