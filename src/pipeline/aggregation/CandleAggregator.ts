import type { Clock } from '../../core/clock/Clock.js';
import { InvalidRequestError } from '../../core/errors.js';
import type { Candle, CandleBasis } from '../../core/types/Candle.js';
import type { Tick } from '../../core/types/Tick.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import { TIMEFRAMES, TIMEFRAME_MS } from '../../core/types/Timeframe.js';
import { CandleBuilder, basisPrice, emptyCandle, sourceBit, sourcesOf } from './CandleBuilder.js';
import { FixedSum } from './FixedSum.js';

/** Options of one `CandleAggregator`. */
export type CandleAggregatorOptions = Readonly<{
  /** Canonical symbol of the price stream; ticks of other symbols are ignored. */
  symbol: string;
  /** Price the candles are built from. */
  basis: CandleBasis;
  /** Timeframes to build (default: all seven). Order does not matter. */
  timeframes?: readonly Timeframe[];
  /** Receives every closed candle, empty ones included: timeframe ascending, then time ascending. */
  onClosed?: (candle: Candle) => void;
  /** Called when `onClosed` throws; the aggregator keeps going either way. */
  onError?: (error: unknown, candle: Candle) => void;
  /** Stamps `tsInit` of every candle it produces. */
  clock: Clock;
}>;

/** Counters of one aggregator since construction. */
export type CandleAggregatorStats = Readonly<{
  /** Ticks added to the candles. */
  ticks: number;
  /** Ticks without the basis price, or of another symbol. */
  ignoredTicks: number;
  /** Ticks with a non-finite price or time, or a negative or non-finite volume. */
  invalidTicks: number;
  /** Ticks older than the open interval of the finest timeframe, dropped. */
  lateTicks: number;
  /** Closed candles emitted, empty ones included. */
  closedCandles: number;
  /** Of those, candles of intervals without ticks. */
  emptyCandles: number;
  /** Times `onClosed` threw. */
  callbackErrors: number;
}>;

const NOOP = (): void => {};

/**
 * Builds UTC-aligned candles for every configured timeframe from one price
 * stream (one symbol, one basis), the way Binance builds klines.
 *
 * A tick belongs to the interval `floor(tsEvent / size)`. When a tick lands in
 * a later interval, the forming candle is closed and emitted, then every
 * interval in between is emitted as an empty candle (O=H=L=C = previous close,
 * zero volume and trades); the same holds for every timeframe. A tick older than
 * the open interval of the finest timeframe is late: it is counted and dropped
 * for all timeframes, so closed candles never change and higher timeframes stay
 * equal to the roll-up of lower ones. `closeUntil(ts)` does the same closing when
 * time passes without ticks. The per-tick path allocates nothing.
 */
export class CandleAggregator {
  /** Configured timeframes, lowest first. */
  readonly timeframes: readonly Timeframe[];
  /** Canonical symbol of the stream. */
  readonly symbol: string;
  /** Price basis of every candle built. */
  readonly basis: CandleBasis;

  private readonly clock: Clock;
  private readonly onClosed: (candle: Candle) => void;
  private readonly onError: ((error: unknown, candle: Candle) => void) | undefined;
  private readonly sizes: number[];
  private readonly builders: CandleBuilder[];
  /** Per timeframe: open time of the earliest interval not yet emitted. */
  private readonly cursors: number[];
  /** Per timeframe: whether the builder holds ticks for the interval at the cursor. */
  private readonly forming: boolean[];
  /** Per timeframe: close of the last emitted candle. */
  private readonly lastClose: number[];
  private started = false;
  /** Ticks with tsEvent below this are late (the finest timeframe's cursor). */
  private watermark = Number.NEGATIVE_INFINITY;
  /** End of the finest open interval while every timeframe has a forming candle, else -Infinity (fast path). */
  private formingEnd = Number.NEGATIVE_INFINITY;
  private readonly tickVolume = new FixedSum();
  private readonly tickQuote = new FixedSum();

  /** Bit mask of the sources of every tick this aggregator took: empty candles carry them too. */
  private seenSources = 0;
  private nTicks = 0;
  private nIgnored = 0;
  private nInvalid = 0;
  private nLate = 0;
  private nClosed = 0;
  private nEmpty = 0;
  private nCallbackErrors = 0;

  constructor(options: CandleAggregatorOptions) {
    const wanted = options.timeframes ?? TIMEFRAMES;
    for (const tf of wanted) {
      if (!(TIMEFRAMES as readonly string[]).includes(tf)) throw new InvalidRequestError(`unknown timeframe: ${tf}`);
    }
    if (wanted.length === 0) throw new InvalidRequestError('CandleAggregator needs at least one timeframe');
    this.timeframes = Object.freeze(TIMEFRAMES.filter((tf) => wanted.includes(tf)));
    this.symbol = options.symbol;
    this.basis = options.basis;
    this.clock = options.clock;
    this.onClosed = options.onClosed ?? NOOP;
    this.onError = options.onError;
    this.sizes = this.timeframes.map((tf) => TIMEFRAME_MS[tf]);
    this.builders = this.timeframes.map((tf) => new CandleBuilder(this.symbol, tf, this.basis));
    this.cursors = this.timeframes.map(() => 0);
    this.forming = this.timeframes.map(() => false);
    this.lastClose = this.timeframes.map(() => Number.NaN);
  }

  /**
   * Adds one tick to every timeframe, closing (and gap-filling) candles it
   * leaves behind. Returns true when the tick was used.
   */
  add(tick: Tick): boolean {
    const price = basisPrice(tick, this.basis);
    if (price === null || tick.symbol !== this.symbol) {
      this.nIgnored++;
      return false;
    }
    const ts = tick.tsEvent;
    const volume = tick.volume;
    const bit = sourceBit(tick.source);
    this.seenSources |= bit;
    if (!Number.isFinite(price) || !Number.isFinite(ts) || !(volume >= 0) || volume === Infinity) {
      this.nInvalid++;
      return false;
    }
    if (ts < this.watermark) {
      this.nLate++;
      return false;
    }
    const tv = this.tickVolume.reset();
    const tq = this.tickQuote.reset();
    if (volume !== 0) {
      tv.add(volume);
      tq.add(price * volume);
    }
    const { sizes, cursors, forming, builders } = this;
    const n = sizes.length;
    const trades = tick.trades;
    const buy = tick.takerSide === 'buy';
    this.nTicks++;
    if (ts < this.formingEnd) {
      // Same finest interval as the previous tick, so the same interval in every timeframe.
      for (let i = 0; i < n; i++) (builders[i] as CandleBuilder).addValues(price, ts, trades, bit, buy, tv, tq);
      return true;
    }
    for (let i = 0; i < n; i++) {
      const size = sizes[i] as number;
      const bucket = Math.floor(ts / size) * size;
      const builder = builders[i] as CandleBuilder;
      if (!this.started) {
        cursors[i] = bucket;
        builder.reset(bucket);
      } else if (bucket !== cursors[i]) {
        this.emitUntil(i, bucket);
        builder.reset(bucket);
      } else if (!forming[i]) {
        builder.reset(bucket);
      }
      forming[i] = true;
      builder.addValues(price, ts, trades, bit, buy, tv, tq);
    }
    this.started = true;
    this.watermark = cursors[0] as number;
    this.formingEnd = this.watermark + (sizes[0] as number);
    return true;
  }

  /**
   * Closes every candle whose interval ends at or before `ts` (epoch ms) and
   * emits the empty intervals up to there, so candles close when time passes
   * without ticks. Ticks before the resulting open interval are late. Returns
   * the number of candles emitted. Does nothing before the first tick (there is
   * no previous close to fill with).
   */
  closeUntil(ts: number): number {
    if (!this.started || !Number.isFinite(ts)) return 0;
    const before = this.nClosed;
    this.formingEnd = Number.NEGATIVE_INFINITY;
    const { sizes, cursors } = this;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i] as number;
      const bucket = Math.floor(ts / size) * size;
      if (bucket > (cursors[i] as number)) this.emitUntil(i, bucket);
    }
    this.watermark = cursors[0] as number;
    return this.nClosed - before;
  }

  /** The candle still forming in `timeframe` (closed: false), or null when its interval has no tick yet. */
  openCandle(timeframe: Timeframe): Candle | null {
    const i = this.timeframes.indexOf(timeframe);
    if (i < 0) throw new InvalidRequestError(`timeframe ${timeframe} is not aggregated for ${this.symbol}`);
    if (!this.forming[i]) return null;
    return (this.builders[i] as CandleBuilder).snapshot(false, this.clock.now());
  }

  /** Close of the last candle emitted in `timeframe`, or null before the first one. */
  lastClosedPrice(timeframe: Timeframe): number | null {
    const i = this.timeframes.indexOf(timeframe);
    const value = i < 0 ? Number.NaN : (this.lastClose[i] as number);
    return Number.isNaN(value) ? null : value;
  }

  /** Counters since construction. */
  stats(): CandleAggregatorStats {
    return {
      ticks: this.nTicks,
      ignoredTicks: this.nIgnored,
      invalidTicks: this.nInvalid,
      lateTicks: this.nLate,
      closedCandles: this.nClosed,
      emptyCandles: this.nEmpty,
      callbackErrors: this.nCallbackErrors,
    };
  }

  /** Emits timeframe `i` from its cursor up to (not including) the interval at `bucket`. */
  private emitUntil(i: number, bucket: number): void {
    const size = this.sizes[i] as number;
    const builder = this.builders[i] as CandleBuilder;
    const tf = this.timeframes[i] as Timeframe;
    let cursor = this.cursors[i] as number;
    const tsInit = this.clock.now();
    if (this.forming[i]) {
      this.forming[i] = false;
      this.lastClose[i] = builder.close;
      this.cursors[i] = cursor += size;
      this.emit(builder.snapshot(true, tsInit), false);
    }
    while (cursor < bucket) {
      const candle = emptyCandle(this.symbol, tf, this.basis, cursor, this.lastClose[i] as number, tsInit, sourcesOf(this.seenSources));
      this.cursors[i] = cursor += size;
      this.emit(candle, true);
    }
  }

  private emit(candle: Candle, empty: boolean): void {
    this.nClosed++;
    if (empty) this.nEmpty++;
    try {
      this.onClosed(candle);
    } catch (error) {
      this.nCallbackErrors++;
      this.onError?.(error, candle);
    }
  }
}
