import type { ActiveZone, StructureEvent } from '../structure/types.js';
import { isoOf, round8, TIMEFRAME_WEIGHTS } from './rules.js';
import type { AnalysedTimeframe, AnalysisZone, KeyLevel, KeyLevelKind } from './types.js';

/** Where a price level or zone lies against the current price. */
export type Placement = Readonly<{ distance: number; side: 'above' | 'below' | 'inside'; near: number }>;

/**
 * Placement of the zone [bottom, top] against `price`: inside (distance 0,
 * nearest edge = the price), above (distance = bottom - price > 0) or below
 * (distance = top - price < 0). A single level is a zone with top = bottom.
 */
export function placement(price: number, top: number, bottom: number): Placement {
  if (price >= bottom && price <= top) return { distance: 0, side: 'inside', near: price };
  if (bottom > price) return { distance: round8(bottom - price), side: 'above', near: bottom };
  return { distance: round8(top - price), side: 'below', near: top };
}

/**
 * The price range of an active zone still in play: an order block is its
 * whole candle range [low, high] until mitigated (first touch ends it); a
 * fair-value gap is its unfilled part: [bottom, deepest fill] for a bullish
 * gap (it fills from the top down), [deepest fill, top] for a bearish one.
 */
export function liveRange(zone: ActiveZone): { top: number; bottom: number } {
  const e = zone.event;
  const top = e.top as number;
  const bottom = e.bottom as number;
  if (e.kind !== 'fvg') return { top, bottom };
  return zone.bullish ? { top: zone.reached, bottom } : { top, bottom: zone.reached };
}

/** An active zone of a timeframe in the analysis shape, placed against `price`. */
export function toZone(timeframe: AnalysedTimeframe, zone: ActiveZone, price: number): AnalysisZone {
  const { top, bottom } = liveRange(zone);
  const p = placement(price, top, bottom);
  return {
    timeframe,
    kind: zone.event.kind === 'fvg' ? 'fvg' : 'order_block',
    direction: zone.event.direction,
    top,
    bottom,
    distance: p.distance,
    side: p.side,
    formedAt: isoOf(zone.event.formedAt),
    confirmedAt: isoOf(zone.event.confirmedAt),
  };
}

const KIND_ORDER: Readonly<Record<KeyLevelKind, number>> = { swing_high: 0, swing_low: 1, order_block: 2, fvg: 3, vwap: 4 };

/**
 * Total order of zones by distance to price: |distance| ascending, then
 * timeframe weight descending (the higher timeframe first), then kind, then
 * newer first, then top ascending. Stable and input-order independent.
 */
export function compareZones(a: AnalysisZone, b: AnalysisZone): number {
  return (
    Math.abs(a.distance) - Math.abs(b.distance) ||
    TIMEFRAME_WEIGHTS[b.timeframe] - TIMEFRAME_WEIGHTS[a.timeframe] ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.formedAt < b.formedAt ? 1 : a.formedAt > b.formedAt ? -1 : 0) ||
    a.top - b.top
  );
}

/** Total order of key levels: |distance|, timeframe weight descending, kind, price, formation time. */
export function compareLevels(a: KeyLevel, b: KeyLevel): number {
  return (
    Math.abs(a.distance) - Math.abs(b.distance) ||
    TIMEFRAME_WEIGHTS[b.timeframe] - TIMEFRAME_WEIGHTS[a.timeframe] ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.price - b.price ||
    ((a.formedAt ?? '') < (b.formedAt ?? '') ? -1 : (a.formedAt ?? '') > (b.formedAt ?? '') ? 1 : 0)
  );
}

/** A zone as a key level; its price is the edge nearest to `price` (the price itself when inside). */
export function zoneLevel(z: AnalysisZone, price: number): KeyLevel {
  return {
    timeframe: z.timeframe,
    kind: z.kind,
    direction: z.direction,
    price: z.side === 'inside' ? price : z.side === 'above' ? z.bottom : z.top,
    top: z.top,
    bottom: z.bottom,
    distance: z.distance,
    side: z.side,
    formedAt: z.formedAt,
  };
}

/** An untaken swing (resting liquidity) as a key level placed against `price`. */
export function swingLevel(timeframe: AnalysedTimeframe, swing: StructureEvent, price: number): KeyLevel {
  const level = swing.level as number;
  const p = placement(price, level, level);
  return {
    timeframe,
    kind: swing.kind === 'swing_high' ? 'swing_high' : 'swing_low',
    direction: swing.direction,
    price: level,
    top: null,
    bottom: null,
    distance: p.distance,
    side: p.side,
    formedAt: isoOf(swing.formedAt),
  };
}

/** A session VWAP as a key level placed against `price`. */
export function vwapLevel(timeframe: AnalysedTimeframe, vwap: number, price: number): KeyLevel {
  const p = placement(price, vwap, vwap);
  return { timeframe, kind: 'vwap', direction: null, price: vwap, top: null, bottom: null, distance: p.distance, side: p.side, formedAt: null };
}

/** The `n` nearest of `items` under `compare` (a sorted copy; the input is left as is). */
export function nearest<T>(items: readonly T[], n: number, compare: (a: T, b: T) => number): T[] {
  return [...items].sort(compare).slice(0, n);
}
