import type { Candle } from '../../core/types/Candle.js';
import { checkPeriod, trueRange } from './options.js';
import type { StreamingCalculator } from './StreamingCalculator.js';

/** What ATR reads from a candle. Any `Candle` fits. */
export type AtrInput = Pick<Candle, 'high' | 'low' | 'close'>;

/**
 * Average True Range after Wilder (1978), streaming, O(1) per update, a
 * handful of numbers of state.
 *
 * Definition, for period n (default 14) and candles 1, 2, ... t:
 * - TR_1 = H_1 - L_1 (no previous close yet); TR_t = max(H_t - L_t,
 *   |H_t - C_{t-1}|, |L_t - C_{t-1}|) for t >= 2 (the previous candle's close).
 * - ATR_n = (TR_1 + ... + TR_n) / n: the first ATR, on the n-th candle, is the
 *   simple mean of the first n true ranges.
 * - ATR_t = (ATR_{t-1} * (n - 1) + TR_t) / n for t > n (Wilder smoothing,
 *   alpha = 1/n).
 *
 * This is Wilder's and StockCharts' convention (and trading-signals' `ATR`).
 * TA-Lib differs: it drops TR_1 and publishes its first ATR one candle later.
 * The result is null for the first n - 1 candles (`requiredInputs` = n).
 *
 * `replace` amends the last candle (the open one): it recomputes from the
 * state before the last `add`, any number of times. `replace` before any `add`
 * acts as `add`.
 */
export class Atr implements StreamingCalculator<AtrInput, number> {
  /** Candles needed for the first ATR: the period. */
  readonly requiredInputs: number;
  private readonly period: number;
  private count = 0;
  private prevClose = Number.NaN;
  private sum = 0;
  private atr = Number.NaN;
  private savedCount = 0;
  private savedPrevClose = Number.NaN;
  private savedSum = 0;
  private savedAtr = Number.NaN;
  private result: number | null = null;

  /** @param period Wilder period n (default 14). @throws ConfigError unless an integer >= 1. */
  constructor(period = 14) {
    this.period = checkPeriod('ATR period', period);
    this.requiredInputs = this.period;
  }

  /** Takes the next candle; returns ATR including it, or null in warm-up. */
  add(candle: AtrInput): number | null {
    this.savedCount = this.count;
    this.savedPrevClose = this.prevClose;
    this.savedSum = this.sum;
    this.savedAtr = this.atr;
    return this.step(candle.high, candle.low, candle.close);
  }

  /** Replaces the last candle (acts as `add` when there is none) and returns the recomputed ATR. */
  replace(candle: AtrInput): number | null {
    if (this.count === 0) return this.add(candle);
    this.count = this.savedCount;
    this.prevClose = this.savedPrevClose;
    this.sum = this.savedSum;
    this.atr = this.savedAtr;
    return this.step(candle.high, candle.low, candle.close);
  }

  /** The current ATR, or null during warm-up. */
  getResult(): number | null {
    return this.result;
  }

  /** True once `requiredInputs` candles arrived. */
  get isStable(): boolean {
    return this.result !== null;
  }

  private step(high: number, low: number, close: number): number | null {
    const tr = trueRange(high, low, this.prevClose);
    const n = this.period;
    this.prevClose = close;
    if (this.count >= n) {
      this.atr = (this.atr * (n - 1) + tr) / n;
    } else {
      this.count += 1;
      this.sum += tr;
      if (this.count === n) this.atr = this.sum / n;
    }
    this.result = this.count >= n ? this.atr : null;
    return this.result;
  }
}
