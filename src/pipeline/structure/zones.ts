import type { Candle } from '../../core/types/Candle.js';
import { NO_EVENTS, makeEvent } from './events.js';
import type { ActiveZone, StructureConfig, StructureEvent } from './types.js';

/** Zones still watched after one candle, and the update events that candle caused. */
export type ZoneOutcome = Readonly<{ zones: readonly ActiveZone[]; events: readonly StructureEvent[] }>;

/** Appends to an oldest-first list and drops the oldest entries beyond `max`. */
export function pushBounded<T>(list: readonly T[], items: readonly T[], max: number): readonly T[] {
  if (items.length === 0) return list;
  const next = list.slice(Math.max(0, list.length + items.length - max));
  for (const item of items) next.push(item);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * Order-block mitigation by one closed candle after the block was confirmed:
 * a bullish block [bottom, top] is mitigated by the first later candle whose
 * low is at or below its top (price traded back into the zone); a bearish one
 * by the first later candle whose high is at or above its bottom. Emits
 * `order_block_mitigated` (same direction, `top`/`bottom` = the block's zone,
 * `level` = that candle's low (high), `formedAt`/`confirmedAt` = the candle's
 * open/close time, `refs` = [block id]) and stops watching the block.
 */
export function mitigateOrderBlocks(config: StructureConfig, zones: readonly ActiveZone[], candle: Candle, confirmedAt: number): ZoneOutcome {
  let events: StructureEvent[] | null = null;
  let kept: ActiveZone[] | null = null;
  for (let i = 0; i < zones.length; i++) {
    const zone = zones[i] as ActiveZone;
    const bullish = zone.bullish;
    const hit = bullish ? candle.low <= zone.reached : candle.high >= zone.reached;
    if (!hit) {
      kept?.push(zone);
      continue;
    }
    const ob = zone.event;
    events ??= [];
    kept ??= zones.slice(0, i);
    events.push(
      makeEvent(config, {
        kind: 'order_block_mitigated',
        direction: ob.direction,
        level: bullish ? candle.low : candle.high,
        top: ob.top as number,
        bottom: ob.bottom as number,
        formedAt: candle.openTime,
        confirmedAt,
        refs: [ob.id],
        anchor: ob.formedAt,
      }),
    );
  }
  return { zones: kept ?? zones, events: events ?? NO_EVENTS };
}

/**
 * The fair-value gap completed by the last of three consecutive closed
 * candles c1, c2, c3 (the last three of `window`): bullish when
 * c1.high < c3.low (zone [c1.high, c3.low]), bearish when c1.low > c3.high
 * (zone [c3.high, c1.low]). `formedAt` = c2's open time (the displacement
 * candle), `confirmedAt` = c3's close time. Null when there is no gap.
 */
export function detectGap(config: StructureConfig, window: readonly Candle[], confirmedAt: number): StructureEvent | null {
  const n = window.length;
  if (n < 3) return null;
  const c1 = window[n - 3] as Candle;
  const c2 = window[n - 2] as Candle;
  const c3 = window[n - 1] as Candle;
  if (c1.high < c3.low) {
    return makeEvent(config, { kind: 'fvg', direction: 'bullish', top: c3.low, bottom: c1.high, formedAt: c2.openTime, confirmedAt });
  }
  if (c1.low > c3.high) {
    return makeEvent(config, { kind: 'fvg', direction: 'bearish', top: c1.low, bottom: c3.high, formedAt: c2.openTime, confirmedAt });
  }
  return null;
}

/**
 * Fill tracking of open gaps by one closed candle after the gap's c3. A
 * bullish gap [bottom, top] (price above it) fills from the top down: the
 * candle enters it when its low is strictly below `top`; it is fully filled
 * when the low is at or below `bottom` (`fvg_filled`, `level` = bottom, the gap
 * stops being watched); otherwise, when the low is strictly below the deepest
 * price reached before (the top at first), it is a `fvg_partial_fill` with
 * `level` = that low (the gap still open is [bottom, level]). A bearish gap
 * mirrors this with highs, filling from the bottom up. Both events carry the
 * gap's original `top`/`bottom`, the gap's direction, the candle's open/close
 * time and `refs` = [gap id]. Wicks count; at most one event per gap per candle.
 */
export function fillGaps(config: StructureConfig, zones: readonly ActiveZone[], candle: Candle, confirmedAt: number): ZoneOutcome {
  let events: StructureEvent[] | null = null;
  let kept: ActiveZone[] | null = null;
  for (let i = 0; i < zones.length; i++) {
    const zone = zones[i] as ActiveZone;
    // `reached` lies strictly inside the gap, so a full fill is always deeper too: one test decides the common no-hit case.
    if (zone.bullish ? candle.low >= zone.reached : candle.high <= zone.reached) {
      kept?.push(zone);
      continue;
    }
    const gap = zone.event;
    const top = gap.top as number;
    const bottom = gap.bottom as number;
    const bullish = zone.bullish;
    const price = bullish ? candle.low : candle.high;
    const full = bullish ? price <= bottom : price >= top;
    events ??= [];
    kept ??= zones.slice(0, i);
    events.push(
      makeEvent(config, {
        kind: full ? 'fvg_filled' : 'fvg_partial_fill',
        direction: gap.direction,
        level: full ? (bullish ? bottom : top) : price,
        top,
        bottom,
        formedAt: candle.openTime,
        confirmedAt,
        refs: [gap.id],
        anchor: gap.formedAt,
      }),
    );
    if (!full) kept.push({ event: gap, bullish, reached: price });
  }
  return { zones: kept ?? zones, events: events ?? NO_EVENTS };
}

/** A newly confirmed gap or order block as a watched zone: nothing of it reached yet. */
export function openZone(event: StructureEvent): ActiveZone {
  const bullish = event.direction === 'bullish';
  return { event, bullish, reached: (bullish ? event.top : event.bottom) as number };
}
