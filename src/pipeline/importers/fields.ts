import { TIMEFRAME_MS } from '../../core/index.js';
import type { Candle, CandleBasis, TakerSide, Tick, Timeframe } from '../../core/index.js';
import { RowError } from './errors.js';
import type { ParserContext } from './types.js';

/** Latest accepted event time (2100-01-01 UTC): anything later is a unit mistake (µs or ns read as ms). */
export const MAX_TS_MS = 4_102_444_800_000;

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Parses a plain decimal cell (no NaN/Infinity words, no thousands separators); throws `RowError`. */
export function parseNumber(text: string | undefined, name: string): number {
  const t = text?.trim() ?? '';
  if (!NUMBER.test(t)) throw new RowError(`${name} is not a number: ${JSON.stringify(text ?? null)}`);
  const n = Number(t);
  if (!Number.isFinite(n)) throw new RowError(`${name} is not finite: ${t}`);
  return n;
}

/** Parses a price: finite and strictly positive. */
export function parsePrice(text: string | undefined, name: string): number {
  const n = parseNumber(text, name);
  if (n <= 0) throw new RowError(`${name} must be positive: ${n}`);
  return n;
}

/** Parses a size or volume: finite and not negative. */
export function parseSize(text: string | undefined, name: string): number {
  const n = parseNumber(text, name);
  if (n < 0) throw new RowError(`${name} is negative: ${n}`);
  return n;
}

/** Checks an event time in epoch ms: finite, after 1970, before 2100. */
export function checkTime(ms: number, name: string): number {
  if (!Number.isFinite(ms) || ms < 0 || ms >= MAX_TS_MS) throw new RowError(`${name} is not a plausible epoch ms: ${ms}`);
  return ms;
}

const DATE = /^(\d{4})[-.]?(\d{2})[-.]?(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * Reads a wall-clock date (`YYYY-MM-DD`, `YYYY.MM.DD` or `YYYYMMDD`) and an
 * optional time (`HH:mm`, `HH:mm:ss`, `HH:mm:ss.fff`) as if it were UTC, and
 * returns that instant in epoch ms. Impossible dates (Feb 30, 25:00) throw.
 */
export function parseWallTime(date: string | undefined, time: string | undefined, name: string): number {
  const d = DATE.exec(date?.trim() ?? '');
  const t = time === undefined || time.trim() === '' ? ['', '00', '00'] : TIME.exec(time.trim());
  if (d === null || t === null) throw new RowError(`${name} is not a date/time: ${JSON.stringify(`${date ?? ''} ${time ?? ''}`.trim())}`);
  const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [h, mi, s] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  const ms = t[4] === undefined ? 0 : Number(t[4].padEnd(3, '0'));
  const value = Date.UTC(y, mo - 1, da, h, mi, s, ms);
  const check = new Date(value);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== da || h > 23 || mi > 59 || s > 59) {
    throw new RowError(`${name} is not a valid date/time: ${JSON.stringify(`${date ?? ''} ${time ?? ''}`.trim())}`);
  }
  return value;
}

/** Builds a two-sided quote tick; rejects a crossed book and bad times. */
export function quoteTick(ctx: ParserContext, tsEvent: number, bid: number, ask: number, seq: number | null): Tick {
  checkTime(tsEvent, 'time');
  if (bid > ask) throw new RowError(`crossed book: bid ${bid} > ask ${ask}`);
  return {
    symbol: ctx.symbol,
    source: ctx.source,
    tsEvent,
    tsInit: tsEvent,
    bid,
    ask,
    last: null,
    volume: 0,
    trades: 0,
    takerSide: null,
    seq,
    offset: 0,
  };
}

/** Fields of a trade tick beyond the context. */
export type TradeFields = {
  tsEvent: number;
  price: number;
  volume: number;
  trades: number;
  takerSide: TakerSide | null;
  seq: number | null;
  bid?: number | null;
  ask?: number | null;
};

/** Builds a trade tick (optionally with the quote in force); rejects bad times and sizes. */
export function tradeTick(ctx: ParserContext, f: TradeFields): Tick {
  checkTime(f.tsEvent, 'time');
  if (!(f.price > 0) || !Number.isFinite(f.price)) throw new RowError(`price must be positive: ${f.price}`);
  if (!(f.volume >= 0)) throw new RowError(`size is negative: ${f.volume}`);
  const bid = f.bid ?? null;
  const ask = f.ask ?? null;
  if (bid !== null && ask !== null && bid > ask) throw new RowError(`crossed book: bid ${bid} > ask ${ask}`);
  return {
    symbol: ctx.symbol,
    source: ctx.source,
    tsEvent: f.tsEvent,
    tsInit: f.tsEvent,
    bid,
    ask,
    last: f.price,
    volume: f.volume,
    trades: f.trades,
    takerSide: f.takerSide,
    seq: f.seq,
    offset: 0,
  };
}

/** Fields of an imported candle beyond the context. */
export type CandleFields = {
  timeframe: Timeframe;
  basis: CandleBasis;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume?: number;
  trades?: number;
  takerBuyVolume?: number;
  takerBuyQuoteVolume?: number;
};

/** Checks low <= open, close <= high on one OHLC set; `what` names it in the message. */
export function checkOhlc(open: number, high: number, low: number, close: number, what = 'candle'): void {
  if (!(low <= open && low <= close && open <= high && close <= high)) {
    throw new RowError(`${what} breaks low <= open,close <= high: O=${open} H=${high} L=${low} C=${close}`);
  }
}

/** Builds a closed imported candle (tsEvent = close time = openTime + size - 1); checks OHLC sanity. */
export function closedCandle(ctx: ParserContext, f: CandleFields): Candle {
  checkTime(f.openTime, 'open time');
  checkOhlc(f.open, f.high, f.low, f.close);
  const tsEvent = f.openTime + TIMEFRAME_MS[f.timeframe] - 1;
  return {
    symbol: ctx.symbol,
    timeframe: f.timeframe,
    openTime: f.openTime,
    open: f.open,
    high: f.high,
    low: f.low,
    close: f.close,
    volume: f.volume,
    quoteVolume: f.quoteVolume ?? 0,
    trades: f.trades ?? 0,
    takerBuyVolume: f.takerBuyVolume ?? 0,
    takerBuyQuoteVolume: f.takerBuyQuoteVolume ?? 0,
    basis: f.basis,
    sources: ctx.sources,
    closed: true,
    tsEvent,
    tsInit: tsEvent,
  };
}

/** Splits a CSV line on commas (the recorded formats never quote fields). */
export function splitCsv(text: string): string[] {
  return text.split(',');
}

/** True when a line's first field does not start like a number, i.e. it is a header. */
export function looksLikeHeader(firstField: string | undefined): boolean {
  return !/^\s*[-+]?[\d.]/.test(firstField ?? '');
}

/** Throws when a later line looks like text; only the first line may be a header. */
export function rejectStrayHeader(first: boolean): null {
  if (first) return null;
  throw new RowError('not a data row (only the first line may be a header)');
}
