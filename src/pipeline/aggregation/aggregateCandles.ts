import { InvalidRequestError } from '../../core/errors.js';
import type { Candle } from '../../core/types/Candle.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import { TIMEFRAME_MS } from '../../core/types/Timeframe.js';
import { emptyCandle, sourceBit, sourcesOf } from './CandleBuilder.js';
import { FixedSum } from './FixedSum.js';

/** True for a candle of an interval without ticks (as Binance emits empty minutes). */
export function isEmptyCandle(candle: Candle): boolean {
  return candle.trades === 0 && candle.volume === 0;
}

/**
 * Rolls lower-timeframe candles (one symbol, one basis, one timeframe, open
 * times ascending) up into `timeframe`, by the rules the live aggregator uses:
 * UTC-aligned intervals, O = first and C = last non-empty candle, H/L over the
 * non-empty candles, exact 8-decimal sums of volume, quote volume and taker-buy
 * volumes, trades summed, sources merged. An interval whose candles are all
 * empty or missing (between the first and last input) becomes an empty candle
 * at the previous close. Used for imported klines and for cross-checks.
 *
 * Sums are exact when each input field is an 8-decimal value below 2^26 (about
 * 6.7e7, as 1m klines almost always are): roll up from the lowest timeframe, not from
 * already rolled-up candles with larger totals. A result is `closed` when all
 * of its inputs are; `tsEvent` is the last fact's time (the close time when
 * empty) and `tsInit` the latest input `tsInit`.
 * @throws InvalidRequestError on mixed symbols, bases or timeframes, a source
 *   timeframe that does not divide `timeframe`, or open times not ascending.
 */
export function aggregateCandles(candles: readonly Candle[], timeframe: Timeframe): Candle[] {
  const out: Candle[] = [];
  let allSources = 0;
  for (const c of candles) for (const source of c.sources) allSources |= sourceBit(source);
  const first = candles[0];
  if (first === undefined) return out;
  const size = TIMEFRAME_MS[timeframe];
  const lowerSize = TIMEFRAME_MS[first.timeframe];
  if (lowerSize > size || size % lowerSize !== 0) {
    throw new InvalidRequestError(`cannot roll ${first.timeframe} candles up into ${timeframe}`);
  }
  const { symbol, basis } = first;
  const volume = new FixedSum();
  const quoteVolume = new FixedSum();
  const takerVolume = new FixedSum();
  const takerQuote = new FixedSum();
  let bucket = Number.NaN;
  let count = 0;
  let open = 0;
  let high = 0;
  let low = 0;
  let close = 0;
  let trades = 0;
  let mask = 0;
  let tsEvent = 0;
  let tsInit = 0;
  let closed = true;
  let emptyPrice = Number.NaN;
  let prevClose = Number.NaN;
  let prevOpenTime = Number.NEGATIVE_INFINITY;

  const flush = (): void => {
    if (count === 0) {
      const price = Number.isNaN(prevClose) ? emptyPrice : prevClose;
      out.push({ ...emptyCandle(symbol, timeframe, basis, bucket, price, tsInit, sourcesOf(allSources)), closed });
      prevClose = price;
      return;
    }
    out.push({
      symbol,
      timeframe,
      openTime: bucket,
      open,
      high,
      low,
      close,
      volume: volume.value(),
      quoteVolume: quoteVolume.value(),
      trades,
      takerBuyVolume: takerVolume.value(),
      takerBuyQuoteVolume: takerQuote.value(),
      basis,
      sources: sourcesOf(mask),
      closed,
      tsEvent,
      tsInit,
    });
    prevClose = close;
  };

  for (const candle of candles) {
    if (candle.symbol !== symbol || candle.basis !== basis || candle.timeframe !== first.timeframe) {
      throw new InvalidRequestError(
        `aggregateCandles needs one symbol, basis and timeframe; got ${candle.symbol}/${candle.basis}/${candle.timeframe} after ${symbol}/${basis}/${first.timeframe}`,
      );
    }
    if (!(candle.openTime > prevOpenTime)) {
      throw new InvalidRequestError(`candle open times must ascend (${candle.openTime} after ${prevOpenTime})`);
    }
    prevOpenTime = candle.openTime;
    const b = Math.floor(candle.openTime / size) * size;
    if (b !== bucket) {
      if (!Number.isNaN(bucket)) {
        flush();
        // Whole intervals without any input candle: empty, at the previous close.
        for (let gap = bucket + size; gap < b && !Number.isNaN(prevClose); gap += size) {
          out.push(emptyCandle(symbol, timeframe, basis, gap, prevClose, tsInit, sourcesOf(allSources)));
        }
      }
      bucket = b;
      count = trades = mask = 0;
      tsInit = Number.NEGATIVE_INFINITY;
      closed = true;
      volume.reset();
      quoteVolume.reset();
      takerVolume.reset();
      takerQuote.reset();
    }
    if (candle.tsInit > tsInit) tsInit = candle.tsInit;
    if (!candle.closed) closed = false;
    if (isEmptyCandle(candle)) {
      emptyPrice = candle.close;
      continue;
    }
    if (count === 0) {
      open = candle.open;
      high = candle.high;
      low = candle.low;
      tsEvent = candle.tsEvent;
    } else {
      if (candle.high > high) high = candle.high;
      if (candle.low < low) low = candle.low;
      if (candle.tsEvent > tsEvent) tsEvent = candle.tsEvent;
    }
    close = candle.close;
    count++;
    trades += candle.trades;
    for (const source of candle.sources) mask |= sourceBit(source);
    volume.add(candle.volume);
    quoteVolume.add(candle.quoteVolume);
    takerVolume.add(candle.takerBuyVolume);
    takerQuote.add(candle.takerBuyQuoteVolume);
  }
  flush();
  return out;
}

