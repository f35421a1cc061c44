import type { Candle } from '../../core/types/Candle.js';
import { checkPeriod } from './options.js';
import type { StreamingCalculator } from './StreamingCalculator.js';

/** What EMA reads from a candle: its close. Any `Candle` fits. */
export type EmaInput = Pick<Candle, 'close'>;

/**
 * Exponential moving average of closes, SMA-seeded, streaming, O(1) per
 * update.
 *
 * Definition, for period n and closes C_1, C_2, ...:
 * - k = 2 / (n + 1);
 * - EMA_n = (C_1 + ... + C_n) / n: the first value, on the n-th candle, is the
 *   simple mean of the first n closes (SMA seeding, as TA-Lib and StockCharts
 *   do). trading-signals' `EMA` instead seeds with C_1 and so differs in its
 *   early values;
 * - EMA_t = EMA_{t-1} + k * (C_t - EMA_{t-1}) for t > n.
 *
 * The result is null for the first n - 1 inputs (`requiredInputs` = n).
 * `addValue`/`replaceValue` take a bare price (e.g. a fused close) on the same
 * state. `replace` amends the last input from the state before it, any number
 * of times; `replace` before any `add` acts as `add`.
 */
export class Ema implements StreamingCalculator<EmaInput, number> {
  /** Inputs needed for the first EMA: the period. */
  readonly requiredInputs: number;
  private readonly period: number;
  private readonly k: number;
  private count = 0;
  private sum = 0;
  private ema = Number.NaN;
  private savedCount = 0;
  private savedSum = 0;
  private savedEma = Number.NaN;
  private result: number | null = null;

  /** @param period n (>= 1). @throws ConfigError unless an integer >= 1. */
  constructor(period: number) {
    this.period = checkPeriod('EMA period', period);
    this.requiredInputs = this.period;
    this.k = 2 / (this.period + 1);
  }

  /** Takes the next candle's close; returns the EMA including it, or null in warm-up. */
  add(candle: EmaInput): number | null {
    return this.addValue(candle.close);
  }

  /** Replaces the last candle's close (acts as `add` when there is none). */
  replace(candle: EmaInput): number | null {
    return this.replaceValue(candle.close);
  }

  /** Takes the next price. */
  addValue(price: number): number | null {
    this.savedCount = this.count;
    this.savedSum = this.sum;
    this.savedEma = this.ema;
    return this.step(price);
  }

  /** Replaces the last price (acts as `addValue` when there is none). */
  replaceValue(price: number): number | null {
    if (this.count === 0) return this.addValue(price);
    this.count = this.savedCount;
    this.sum = this.savedSum;
    this.ema = this.savedEma;
    return this.step(price);
  }

  /** The current EMA, or null during warm-up. */
  getResult(): number | null {
    return this.result;
  }

  /** True once `requiredInputs` inputs arrived. */
  get isStable(): boolean {
    return this.result !== null;
  }

  private step(price: number): number | null {
    const n = this.period;
    if (this.count >= n) {
      this.ema += this.k * (price - this.ema);
    } else {
      this.count += 1;
      this.sum += price;
      if (this.count === n) this.ema = this.sum / n;
    }
    this.result = this.count >= n ? this.ema : null;
    return this.result;
  }
}
