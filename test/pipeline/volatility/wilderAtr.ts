import type { Candle } from '../../../src/core/index.js';
import type { StreamingCalculator } from '../../../src/pipeline/indicators/StreamingCalculator.js';

/**
 * A tiny textbook Wilder ATR for the tests (J. W. Wilder, 1978): TR = max(H-L,
 * |H-Cprev|, |L-Cprev|) (H-L for the first candle); the first ATR is the mean
 * of the first `period` TRs, then ATR = (ATR_prev × (period-1) + TR) / period.
 */
export class WilderAtr implements StreamingCalculator<Candle, number> {
  readonly requiredInputs: number;
  private trs: number[] = [];
  private atrs: Array<number | null> = [];
  private closes: number[] = [];

  constructor(private readonly period = 14) {
    this.requiredInputs = period;
  }

  get isStable(): boolean {
    return this.closes.length >= this.period;
  }

  add(c: Candle): number | null {
    const prevClose = this.closes[this.closes.length - 1];
    const tr = prevClose === undefined ? c.high - c.low : Math.max(c.high - c.low, Math.abs(c.high - prevClose), Math.abs(c.low - prevClose));
    this.trs.push(tr);
    this.closes.push(c.close);
    const n = this.trs.length;
    const prevAtr = this.atrs[n - 2] ?? null;
    let atr: number | null = null;
    if (n === this.period) atr = this.trs.reduce((a, b) => a + b, 0) / this.period;
    else if (n > this.period && prevAtr !== null) atr = (prevAtr * (this.period - 1) + tr) / this.period;
    this.atrs.push(atr);
    return atr;
  }

  replace(c: Candle): number | null {
    if (this.closes.length === 0) return this.add(c);
    this.trs.pop();
    this.closes.pop();
    this.atrs.pop();
    return this.add(c);
  }

  getResult(): number | null {
    return this.atrs[this.atrs.length - 1] ?? null;
  }
}

/** Wilder ATR of a whole series, index-aligned with it (null in warm-up). */
export function wilderAtrSeries(candles: readonly Candle[], period = 14): Array<number | null> {
  const atr = new WilderAtr(period);
  return candles.map((c) => atr.add(c));
}
