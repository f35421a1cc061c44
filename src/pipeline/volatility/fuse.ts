import type { Candle, CandleBasis, Source } from '../../core/index.js';
import { candleCloseTime, TIMEFRAME_MS } from '../../core/index.js';
import { weightsByAge, type SourceWeights } from '../calibration/weights.js';

/** One source's M5 candle as the fused close sees it. */
export type SourceCandle = Readonly<{ source: Source; candle: Candle }>;

/** Price basis of broker-terms values: Binance prices plus the offset are broker mids. */
function brokerBasis(source: Source, basis: CandleBasis): 'mid' | 'bid' | 'ask' {
  if (source === 'binance' || basis === 'trade' || basis === 'mid') return 'mid';
  return basis;
}

/** Shifts a broker-terms value from one basis to another with the spread; null when a spread is needed and unknown. */
function rebase(value: number, from: 'mid' | 'bid' | 'ask', to: 'mid' | 'bid' | 'ask', spread: number | null): number | null {
  if (from === to) return value;
  if (spread === null || !Number.isFinite(spread)) return null;
  const half = spread / 2;
  const mid = from === 'bid' ? value + half : from === 'ask' ? value - half : value;
  return to === 'bid' ? mid - half : to === 'ask' ? mid + half : mid;
}

/**
 * The basis the fused close is expressed in: broker mid when Binance is
 * primary (Binance + offset is a broker mid), else the primary candle's basis.
 */
export function fusedBasis(primarySource: Source, primary: Candle): 'mid' | 'bid' | 'ask' {
  return brokerBasis(primarySource, primary.basis);
}

/**
 * A candle's close in broker terms in the `target` basis: a Binance close plus
 * the offset (a broker mid), a broker close as it is, shifted by half the
 * broker spread when its basis differs from the target. Null when the needed
 * offset or spread is unknown.
 */
export function brokerClose(sc: SourceCandle, target: 'mid' | 'bid' | 'ask', offset: number | null, spread: number | null): number | null {
  const { source, candle } = sc;
  if (source === 'binance') {
    if (offset === null || !Number.isFinite(offset)) return null;
    return rebase(candle.close + offset, 'mid', target, spread);
  }
  return rebase(candle.close, brokerBasis(source, candle.basis), target, spread);
}

/**
 * Freshness × quality weights of M5 candles: a candle's age is the time from
 * its last fact (`tsEvent`) to its end (or to `now` while it forms); a candle
 * without ticks (`trades` 0) carries no weight. Same formula as the offset
 * engine's reconciliation, with a candle-scale time constant.
 */
export function candleWeights(
  candles: readonly SourceCandle[],
  now: number,
  tauMs: number,
  quality: Readonly<Partial<Record<Source, number>>>,
): SourceWeights {
  const items: Array<{ source: Source; ageMs: number; quality: number }> = [];
  for (const { source, candle } of candles) {
    if (candle.trades === 0) continue;
    const end = Math.min(now, candleCloseTime(candle.openTime, TIMEFRAME_MS[candle.timeframe]));
    items.push({ source, ageMs: end - candle.tsEvent, quality: quality[source] ?? 1 });
  }
  return weightsByAge(items, tauMs);
}

/**
 * Weighted close of the sources that can be expressed in broker terms, with
 * the candle weights renormalised over them. Null when none can.
 */
export function fusedClose(
  candles: readonly SourceCandle[],
  weights: SourceWeights,
  target: 'mid' | 'bid' | 'ask',
  offset: number | null,
  spread: number | null,
): { value: number | null; sources: Source[] } {
  let sum = 0;
  let total = 0;
  const sources: Source[] = [];
  for (const sc of candles) {
    const w = weights[sc.source] ?? 0;
    if (!(w > 0)) continue;
    const v = brokerClose(sc, target, offset, spread);
    if (v === null) continue;
    sum += v * w;
    total += w;
    sources.push(sc.source);
  }
  return { value: total > 0 ? sum / total : null, sources };
}
