// Independent readings of one timeframe, from the textbook loops of test/pipeline/indicators/reference.ts and the
// batch detectStructure events (not the analysis code): what analyzeMarket must report.
import { TIMEFRAME_MS, type Candle, type Timeframe } from '../../../src/core/index.js';
import { detectStructure, type StructureEvent } from '../../../src/pipeline/index.js';
import { referenceAtr, referenceEma } from '../indicators/reference.js';

const DAY = 86_400_000;
const r8 = (x: number) => Math.round(x * 1e8) / 1e8;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A zone still open at the end of the series, in its unfilled extent. */
export type RefZone = { kind: 'order_block' | 'fvg'; direction: string; top: number; bottom: number; formedAt: number };

/** What one timeframe's candles say, computed without the analysis code. */
export type Reference = {
  atr: number | null;
  atrPercentile: number | null;
  rangeExpansion: number | null;
  vwap: number | null;
  ema20: number | null;
  ema50: number | null;
  events: StructureEvent[];
  lastBreak: StructureEvent | null;
  lastSwingHigh: StructureEvent | null;
  lastSwingLow: StructureEvent | null;
  /** Swings no later candle traded beyond (high above a swing high, low below a swing low). */
  untakenHighs: number[];
  untakenLows: number[];
  zones: RefZone[];
  /** Bias points by the documented rule: trend +-2, price vs VWAP +-1, EMA20 vs EMA50 +-1. */
  points: number;
};

/** The reference reading of `candles` (one symbol and timeframe, closed, no empty ones) against `price`. */
export function reference(candles: readonly Candle[], symbol: string, timeframe: Timeframe, price: number): Reference {
  const atrSeries = referenceAtr(candles, 14);
  const atr = atrSeries[atrSeries.length - 1] ?? null;
  const values = atrSeries.filter((v): v is number => v !== null);
  const last = candles[candles.length - 1]!;
  const prevAtr = atrSeries[atrSeries.length - 2] ?? null;
  const day = Math.floor(last.openTime / DAY);
  // Session VWAP of the UTC day of the last candle, summed oldest first.
  const session = candles.filter((c) => Math.floor(c.openTime / DAY) === day);
  let pv = 0;
  let v = 0;
  for (const c of session) {
    if (c.volume === 0) continue;
    pv += ((c.high + c.low + c.close) / 3) * c.volume;
    v += c.volume;
  }
  const vwap = v > 0 ? pv / v : null;
  const ema20 = referenceEma(candles, 20).at(-1) ?? null;
  const ema50 = referenceEma(candles, 50).at(-1) ?? null;
  const events = detectStructure(candles, symbol, timeframe);
  const breaks = events.filter((e) => e.kind === 'bos' || e.kind === 'choch');
  const lastBreak = breaks[breaks.length - 1] ?? null;
  const size = TIMEFRAME_MS[timeframe];
  const after = (e: StructureEvent) => candles.filter((c) => c.openTime > e.confirmedAt - size + 1);
  const untakenHighs = events.filter((e) => e.kind === 'swing_high' && after(e).every((c) => c.high <= e.level!)).map((e) => e.level!);
  const untakenLows = events.filter((e) => e.kind === 'swing_low' && after(e).every((c) => c.low >= e.level!)).map((e) => e.level!);
  const refs = (kind: string) => new Set(events.filter((e) => e.kind === kind).flatMap((e) => e.refs));
  const mitigated = refs('order_block_mitigated');
  const filled = refs('fvg_filled');
  const zones: RefZone[] = [];
  for (const e of events) {
    if (e.kind === 'order_block' && !mitigated.has(e.id)) zones.push({ kind: 'order_block', direction: e.direction, top: e.top!, bottom: e.bottom!, formedAt: e.formedAt });
    if (e.kind === 'fvg' && !filled.has(e.id)) {
      const fills = events.filter((f) => f.kind === 'fvg_partial_fill' && f.refs.includes(e.id)).map((f) => f.level!);
      const bullish = e.direction === 'bullish';
      const top = bullish && fills.length > 0 ? Math.min(...fills) : e.top!;
      const bottom = !bullish && fills.length > 0 ? Math.max(...fills) : e.bottom!;
      zones.push({ kind: 'fvg', direction: e.direction, top, bottom, formedAt: e.formedAt });
    }
  }
  const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);
  const points =
    (lastBreak === null ? 0 : lastBreak.direction === 'bullish' ? 2 : -2) +
    (vwap === null ? 0 : sign(price - vwap)) +
    (ema20 === null || ema50 === null ? 0 : sign(ema20 - ema50));
  return {
    atr: atr === null ? null : r8(atr),
    atrPercentile: atr === null || values.length < 10 ? null : r4((100 * values.filter((x) => x <= atr).length) / values.length),
    rangeExpansion: prevAtr === null ? null : r4((last.high - last.low) / prevAtr),
    vwap: vwap === null ? null : r8(vwap),
    ema20: ema20 === null ? null : r8(ema20),
    ema50: ema50 === null ? null : r8(ema50),
    events,
    lastBreak,
    lastSwingHigh: events.filter((e) => e.kind === 'swing_high').at(-1) ?? null,
    lastSwingLow: events.filter((e) => e.kind === 'swing_low').at(-1) ?? null,
    untakenHighs,
    untakenLows,
    zones,
    points,
  };
}

/** The documented volatility thresholds, restated: extreme, expanding, calm, normal (first match). */
export function regime(re: number, pct: number): string {
  if (re >= 2.5 || pct >= 95) return 'extreme';
  if (re >= 1.5 || pct >= 80) return 'expanding';
  if (re < 0.75 && pct <= 25) return 'calm';
  return 'normal';
}

/** Distance of the zone [bottom, top] to `price` (0 inside), as a plain number. */
export function zoneDistance(price: number, top: number, bottom: number): number {
  if (price >= bottom && price <= top) return 0;
  return bottom > price ? bottom - price : top - price;
}
