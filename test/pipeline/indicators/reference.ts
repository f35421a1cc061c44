// Textbook reference computations, written from the definitions as plain loops over the whole series (no streaming
// state, no shared code with src/pipeline/indicators). Each returns one value per bar, null where undefined.
import type { Candle } from '../../../src/core/index.js';

type Hlc = Pick<Candle, 'high' | 'low' | 'close'>;

/** True range of every bar: TR_0 = H - L, TR_i = max(H - L, |H - C_{i-1}|, |L - C_{i-1}|). */
export function referenceTrueRanges(candles: readonly Hlc[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i]!;
    if (i === 0) {
      out.push(c.high - c.low);
      continue;
    }
    const prevClose = candles[i - 1]!.close;
    out.push(Math.max(c.high - c.low, Math.abs(c.high - prevClose), Math.abs(c.low - prevClose)));
  }
  return out;
}

/** Wilder ATR(n): null for bars 0..n-2, the mean of TR_0..TR_{n-1} at bar n-1, then (ATR*(n-1) + TR)/n. */
export function referenceAtr(candles: readonly Hlc[], n: number): (number | null)[] {
  const tr = referenceTrueRanges(candles);
  const out: (number | null)[] = [];
  let atr = 0;
  for (let i = 0; i < candles.length; i++) {
    if (i < n - 1) {
      out.push(null);
    } else if (i === n - 1) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += tr[j]!;
      atr = sum / n;
      out.push(atr);
    } else {
      atr = (atr * (n - 1) + tr[i]!) / n;
      out.push(atr);
    }
  }
  return out;
}

/** EMA(n) of closes, SMA seed: null before bar n-1, mean of the first n closes at n-1, then k*C + (1-k)*EMA, k = 2/(n+1). */
export function referenceEma(candles: readonly Pick<Candle, 'close'>[], n: number): (number | null)[] {
  const k = 2 / (n + 1);
  const out: (number | null)[] = [];
  let ema = 0;
  for (let i = 0; i < candles.length; i++) {
    if (i < n - 1) {
      out.push(null);
    } else if (i === n - 1) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += candles[j]!.close;
      ema = sum / n;
      out.push(ema);
    } else {
      ema = k * candles[i]!.close + (1 - k) * ema;
      out.push(ema);
    }
  }
  return out;
}

/**
 * Session VWAP at every bar, recomputed from scratch: walk back over the bars of the same session
 * (`sessionOf(openTime)` equal, contiguous) and take sum(TP*V)/sum(V), TP = (H+L+C)/3; null when the session so far has
 * no volume.
 */
export function referenceVwap(candles: readonly Candle[], sessionOf: (openTime: number) => number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < candles.length; i++) {
    const session = sessionOf(candles[i]!.openTime);
    let start = i;
    while (start > 0 && sessionOf(candles[start - 1]!.openTime) === session) start--;
    let pv = 0;
    let v = 0;
    for (let j = start; j <= i; j++) {
      const c = candles[j]!;
      if (c.volume === 0) continue;
      pv += ((c.high + c.low + c.close) / 3) * c.volume;
      v += c.volume;
    }
    out.push(v > 0 ? pv / v : null);
  }
  return out;
}

/** Range expansion with the ATR baseline: (H_i - L_i) / ATR(n) at bar i-1; null before bar n. */
export function referenceRangeExpansionAtr(candles: readonly Hlc[], n: number): (number | null)[] {
  const atr = referenceAtr(candles, n);
  return candles.map((c, i) => {
    const base = i === 0 ? null : atr[i - 1]!;
    if (base === null) return null;
    const range = c.high - c.low;
    return base > 0 ? range / base : range === 0 ? 0 : Number.POSITIVE_INFINITY;
  });
}

/** Range expansion with the mean-range baseline: (H_i - L_i) / mean(H - L of bars i-n..i-1); null before bar n. */
export function referenceRangeExpansionMean(candles: readonly Hlc[], n: number): (number | null)[] {
  return candles.map((c, i) => {
    if (i < n) return null;
    let sum = 0;
    for (let j = i - n; j < i; j++) sum += candles[j]!.high - candles[j]!.low;
    const base = sum / n;
    const range = c.high - c.low;
    return base > 0 ? range / base : range === 0 ? 0 : Number.POSITIVE_INFINITY;
  });
}

/** First bar where two series differ beyond `rel` (relative), or null if they agree at every bar (nulls must match). */
export function firstMismatch(actual: readonly (number | null)[], expected: readonly (number | null)[], rel = 1e-9): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === null || e === null) {
      if (a !== e) return `bar ${i}: ${String(a)} != ${String(e)}`;
      continue;
    }
    if (a === e) continue;
    if (!(Math.abs(a - e) <= rel * Math.max(Math.abs(a), Math.abs(e)))) return `bar ${i}: ${a} != ${e}`;
  }
  return null;
}

/** Largest relative difference between two series over the bars where both are numbers. */
export function maxRelativeError(actual: readonly (number | null)[], expected: readonly (number | null)[]): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a == null || e == null || a === e) continue;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(Math.abs(a), Math.abs(e)));
  }
  return worst;
}
