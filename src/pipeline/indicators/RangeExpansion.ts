import type { Candle } from '../../core/types/Candle.js';
import { Atr } from './Atr.js';
import { checkPeriod } from './options.js';
import type { StreamingCalculator } from './StreamingCalculator.js';

/** What range expansion reads from a candle. Any `Candle` fits. */
export type RangeExpansionInput = Pick<Candle, 'high' | 'low' | 'close'>;

/** The yardstick the current range is divided by. */
export type RangeExpansionBaseline = 'atr' | 'meanRange';

/** Tuning of range expansion. */
export type RangeExpansionOptions = Readonly<{
  /** n: candles in the baseline (default 14). */
  period?: number;
  /** `atr` (default): Wilder ATR(n) of the previous candles; `meanRange`: mean high - low of the previous n candles. */
  baseline?: RangeExpansionBaseline;
}>;

/**
 * Range expansion: how large the current candle is against the recent
 * volatility of the candles before it (1 = an ordinary candle, 2 = twice the
 * usual size). Streaming, O(1) per update.
 *
 * Definition, for candle t with range R_t = H_t - L_t:
 * - `atr` (default): RE_t = R_t / ATR_{t-1}, where ATR_{t-1} is Wilder's
 *   ATR(n) (see `Atr`) over candles 1..t-1, the current candle excluded.
 * - `meanRange`: RE_t = R_t / ((R_{t-n} + ... + R_{t-1}) / n), the mean range
 *   of the n previous candles.
 * Either way the first value is on candle n + 1 (`requiredInputs` = n + 1);
 * null before. When the baseline is 0 (n perfectly flat candles) RE_t is 0 if
 * R_t is 0 and +Infinity otherwise: any move out of a dead market is an
 * expansion.
 *
 * `replace` amends the last candle from the state before it, any number of
 * times; before any `add` it acts as `add`.
 */
export class RangeExpansion implements StreamingCalculator<RangeExpansionInput, number> {
  /** Candles needed for the first value: the period + 1. */
  readonly requiredInputs: number;
  private readonly period: number;
  private readonly useAtr: boolean;
  private readonly atr: Atr;
  private readonly ring: Float64Array;
  private count = 0;
  private head = 0;
  private sum = 0;
  /** Baseline of the last candle (from the candles before it), NaN while unknown. */
  private base = Number.NaN;
  private savedCount = 0;
  private savedHead = 0;
  private savedSum = 0;
  private savedEvicted = 0;
  private result: number | null = null;

  /** @throws ConfigError unless the period is an integer >= 1. */
  constructor(options: RangeExpansionOptions = {}) {
    this.period = checkPeriod('range expansion period', options.period ?? 14);
    this.useAtr = (options.baseline ?? 'atr') === 'atr';
    this.requiredInputs = this.period + 1;
    this.atr = new Atr(this.period);
    this.ring = new Float64Array(this.useAtr ? 0 : this.period);
  }

  /** Takes the next candle; returns its range expansion, or null in warm-up. */
  add(candle: RangeExpansionInput): number | null {
    this.savedCount = this.count;
    if (this.useAtr) {
      this.base = this.atr.getResult() ?? Number.NaN;
      this.atr.add(candle);
    } else {
      this.base = this.count >= this.period ? this.sum / this.period : Number.NaN;
      this.savedHead = this.head;
      this.savedSum = this.sum;
      this.savedEvicted = this.ring[this.head] ?? 0;
      this.push(candle.high - candle.low);
    }
    if (this.count <= this.period) this.count += 1;
    return this.ratio(candle.high - candle.low);
  }

  /** Replaces the last candle (acts as `add` when there is none) and returns its recomputed range expansion. */
  replace(candle: RangeExpansionInput): number | null {
    if (this.count === 0) return this.add(candle);
    if (this.useAtr) {
      this.atr.replace(candle);
    } else {
      this.head = this.savedHead;
      this.sum = this.savedSum;
      this.ring[this.head] = this.savedEvicted;
      this.push(candle.high - candle.low);
    }
    this.count = this.savedCount + (this.savedCount <= this.period ? 1 : 0);
    return this.ratio(candle.high - candle.low);
  }

  /** The last candle's range expansion, or null during warm-up. */
  getResult(): number | null {
    return this.result;
  }

  /** True once `requiredInputs` candles arrived. */
  get isStable(): boolean {
    return this.result !== null;
  }

  /** The baseline the last candle was divided by (ATR or mean range of the candles before it), or null in warm-up. */
  get baseline(): number | null {
    return Number.isNaN(this.base) ? null : this.base;
  }

  private ratio(range: number): number | null {
    const base = this.base;
    if (Number.isNaN(base)) this.result = null;
    else if (base > 0) this.result = range / base;
    else this.result = range === 0 ? 0 : Number.POSITIVE_INFINITY;
    return this.result;
  }

  /** Writes the newest range over the oldest; re-adds the window from scratch once per lap so rounding cannot drift. */
  private push(range: number): void {
    const ring = this.ring;
    const old = ring[this.head] ?? 0;
    ring[this.head] = range;
    this.head += 1;
    if (this.head === this.period) {
      this.head = 0;
      let s = 0;
      for (let i = 0; i < ring.length; i++) s += ring[i] ?? 0;
      this.sum = s;
    } else {
      this.sum += range - old;
    }
  }
}
