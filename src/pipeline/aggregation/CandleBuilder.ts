import type { Candle, CandleBasis } from '../../core/types/Candle.js';
import { candleCloseTime } from '../../core/types/Candle.js';
import type { Source } from '../../core/types/Source.js';
import { SOURCES } from '../../core/types/Source.js';
import type { Tick } from '../../core/types/Tick.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import { TIMEFRAME_MS } from '../../core/types/Timeframe.js';
import { FixedSum } from './FixedSum.js';

const SOURCE_BIT: Readonly<Record<string, number>> = Object.fromEntries(SOURCES.map((s, i) => [s, 1 << i]));
const SOURCE_LISTS: (readonly Source[] | undefined)[] = [];
const NO_SOURCES: readonly Source[] = Object.freeze([]);

/** Bit of `source` in a source mask (0 for an unknown source). */
export function sourceBit(source: Source): number {
  return SOURCE_BIT[source] ?? 0;
}

/** The frozen, shared list of sources in a bit mask (one list per mask, so snapshots do not allocate it). */
export function sourcesOf(mask: number): readonly Source[] {
  if (mask === 0) return NO_SOURCES;
  let list = SOURCE_LISTS[mask];
  if (list === undefined) {
    list = Object.freeze(SOURCES.filter((_, i) => (mask & (1 << i)) !== 0));
    SOURCE_LISTS[mask] = list;
  }
  return list;
}

/**
 * The price a tick contributes to a candle of `basis`: the trade print for
 * `trade`, the bid, the ask, or (bid+ask)/2 for `mid`. Null when the tick does
 * not carry that price (a quote for a trade candle, a trade for a bid candle).
 */
export function basisPrice(tick: Tick, basis: CandleBasis): number | null {
  switch (basis) {
    case 'trade':
      return tick.last;
    case 'bid':
      return tick.bid;
    case 'ask':
      return tick.ask;
    case 'mid':
      return tick.bid === null || tick.ask === null ? null : midPrice(tick.bid, tick.ask);
  }
}

/**
 * (bid + ask) / 2 rounded to 8 decimals (Binance's precision), so the mid of
 * 1309.371 and 1309.373 is 1309.372 and not 1309.3719999999998.
 */
export function midPrice(bid: number, ask: number): number {
  return Math.round(((bid + ask) / 2) * 1e8) / 1e8;
}

/**
 * A closed candle for an interval without ticks: O=H=L=C = the previous close,
 * zero volume and trades, `tsEvent` = the interval's close time, as Binance
 * emits empty minutes.
 */
export function emptyCandle(
  symbol: string,
  timeframe: Timeframe,
  basis: CandleBasis,
  openTime: number,
  price: number,
  tsInit: number,
  sources: readonly Source[] = NO_SOURCES,
): Candle {
  return {
    symbol,
    timeframe,
    openTime,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    quoteVolume: 0,
    trades: 0,
    takerBuyVolume: 0,
    takerBuyQuoteVolume: 0,
    basis,
    sources,
    closed: true,
    tsEvent: candleCloseTime(openTime, TIMEFRAME_MS[timeframe]),
    tsInit,
  };
}

const scratchVolume = new FixedSum();
const scratchQuote = new FixedSum();

/**
 * Accumulates one candle of one symbol, timeframe and price basis from ticks,
 * with exact 8-decimal volume sums, and produces immutable `Candle` snapshots.
 * Reused across intervals with `reset`, so the hot path allocates nothing.
 *
 * Basis `trade`: price = `tick.last`, volume = `tick.volume`, trades +=
 * `tick.trades`, taker-buy sums when `tick.takerSide === 'buy'`. Quote bases
 * (`mid`, `bid`, `ask`): price from the quote, volume = `tick.volume`, trades
 * counts ticks. Ticks without the basis price are ignored. Open and close follow
 * `tsEvent` (ties keep arrival order), so slight reordering inside the interval
 * does not change them.
 */
export class CandleBuilder {
  private start = 0;
  private count = 0;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private firstTs = 0;
  private lastTs = 0;
  private tradeCount = 0;
  private sourceMask = 0;
  private readonly vol = new FixedSum();
  private readonly quote = new FixedSum();
  private readonly takerVol = new FixedSum();
  private readonly takerQuote = new FixedSum();
  private readonly countsTrades: boolean;

  constructor(
    readonly symbol: string,
    readonly timeframe: Timeframe,
    readonly basis: CandleBasis,
  ) {
    this.countsTrades = basis === 'trade';
  }

  /** Open time (epoch ms UTC) of the interval being built. */
  get openTime(): number {
    return this.start;
  }

  /** True until the first tick of the interval has been added. */
  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Close price so far (NaN while empty). */
  get close(): number {
    return this.count === 0 ? Number.NaN : this.c;
  }

  /** Starts a new, empty interval at `openTime`. */
  reset(openTime: number): this {
    this.start = openTime;
    this.count = 0;
    this.tradeCount = 0;
    this.sourceMask = 0;
    this.vol.reset();
    this.quote.reset();
    this.takerVol.reset();
    this.takerQuote.reset();
    return this;
  }

  /**
   * Adds a tick (whatever its time: the caller decides which interval it
   * belongs to). Returns false, changing nothing, when the tick lacks the basis price.
   */
  add(tick: Tick): boolean {
    const price = basisPrice(tick, this.basis);
    if (price === null) return false;
    scratchVolume.reset();
    scratchQuote.reset();
    if (tick.volume !== 0) {
      scratchVolume.add(tick.volume);
      scratchQuote.add(price * tick.volume);
    }
    this.addPriced(price, tick, scratchVolume, scratchQuote);
    return true;
  }

  /**
   * Hot path for callers that feed several builders with one tick: `price` is
   * the basis price, `volume` and `quoteVolume` the tick's exact amounts
   * (volume and price x volume, each rounded to 8 decimals), computed once.
   */
  addPriced(price: number, tick: Tick, volume: FixedSum, quoteVolume: FixedSum): void {
    this.addValues(price, tick.tsEvent, tick.trades, SOURCE_BIT[tick.source] ?? 0, tick.takerSide === 'buy', volume, quoteVolume);
  }

  /**
   * `addPriced` with the tick already read: its `tsEvent`, `trades`, source
   * bit (`sourceBit`) and whether the taker bought. For a caller feeding
   * several builders with one tick, so the tick is read once, not per builder.
   */
  addValues(price: number, ts: number, trades: number, sourceBit: number, takerBuy: boolean, volume: FixedSum, quoteVolume: FixedSum): void {
    if (this.count === 0) {
      this.o = this.h = this.l = this.c = price;
      this.firstTs = this.lastTs = ts;
    } else {
      if (price > this.h) this.h = price;
      if (price < this.l) this.l = price;
      if (ts < this.firstTs) {
        this.firstTs = ts;
        this.o = price;
      }
      if (ts >= this.lastTs) {
        this.lastTs = ts;
        this.c = price;
      }
    }
    this.count++;
    this.tradeCount += this.countsTrades ? trades : 1;
    this.sourceMask |= sourceBit;
    this.vol.addFixed(volume);
    this.quote.addFixed(quoteVolume);
    if (takerBuy) {
      this.takerVol.addFixed(volume);
      this.takerQuote.addFixed(quoteVolume);
    }
  }

  /**
   * The candle as it stands: `closed` marks the final version, `tsInit` is when
   * we produced it. While empty, an empty candle at price NaN (callers use
   * `emptyCandle` with the previous close instead).
   */
  snapshot(closed: boolean, tsInit: number): Candle {
    if (this.count === 0) {
      return { ...emptyCandle(this.symbol, this.timeframe, this.basis, this.start, Number.NaN, tsInit), closed };
    }
    return {
      symbol: this.symbol,
      timeframe: this.timeframe,
      openTime: this.start,
      open: this.o,
      high: this.h,
      low: this.l,
      close: this.c,
      volume: this.vol.value(),
      quoteVolume: this.quote.value(),
      trades: this.tradeCount,
      takerBuyVolume: this.takerVol.value(),
      takerBuyQuoteVolume: this.takerQuote.value(),
      basis: this.basis,
      sources: sourcesOf(this.sourceMask),
      closed,
      tsEvent: this.lastTs,
      tsInit,
    };
  }
}
