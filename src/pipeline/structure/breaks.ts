import type { Candle } from '../../core/types/Candle.js';
import { makeEvent } from './events.js';
import { trackAfterHigh, trackAfterLow } from './swings.js';
import type { ActiveZone, StructureConfig, StructureDirection, StructureEvent, StructureSwing } from './types.js';

/** What one candle did to the structure swings: updated swings and trend, new events, new order blocks. */
export type BreakOutcome = Readonly<{
  swingHigh: StructureSwing | null;
  swingLow: StructureSwing | null;
  trend: StructureDirection | null;
  events: readonly StructureEvent[];
  orderBlocks: readonly StructureEvent[];
}>;

/**
 * Breaks of structure by one closed candle, tested against the swings
 * confirmed before it.
 *
 * Close-based break: a candle breaks the current (latest confirmed, not yet
 * broken) swing high when its close is strictly above the swing's level, and
 * the current swing low when its close is strictly below it; a wick alone
 * never breaks. A swing breaks at most once. The break is a `bos` when its
 * direction equals the trend (the direction of the previous break) or when
 * there was no previous break, and a `choch` when it is against the trend; the
 * trend then takes the break's direction. Event: `level` = the swing level,
 * `formedAt` = the breaking candle's open time, `confirmedAt` its close time,
 * `refs` = [swing id].
 *
 * Order block of a bullish break of swing high S (bar s) by candle b: the
 * impulse origin o is the candle with the lowest low among s..b (both
 * included, the latest one on ties); the order block is the latest bearish
 * candle (close < open) among s..o. Its zone is that candle's [low, high];
 * `formedAt` = its open time, `confirmedAt` = b's close time, `refs` =
 * [break id, swing id]. Mirror for a bearish break (highest high, latest
 * bullish candle). No order block when there is no such candle, or when the
 * same candle is already an order block of that direction that is still
 * watched (not mitigated, not dropped by the zone limit).
 */
export function detectBreaks(
  config: StructureConfig,
  swingHigh: StructureSwing | null,
  swingLow: StructureSwing | null,
  trend: StructureDirection | null,
  activeBlocks: readonly ActiveZone[],
  candle: Candle,
  confirmedAt: number,
): BreakOutcome {
  const events: StructureEvent[] = [];
  const orderBlocks: StructureEvent[] = [];
  let high = swingHigh;
  let low = swingLow;
  let nextTrend = trend;
  if (high !== null && !high.broken) {
    const tracker = trackAfterHigh(high.tracker, candle);
    if (candle.close > (high.event.level as number)) {
      nextTrend = emitBreak(config, high, tracker.orderBlock, 'bullish', nextTrend, activeBlocks, candle, confirmedAt, events, orderBlocks);
      high = { ...high, broken: true, tracker };
    } else if (tracker !== high.tracker) {
      high = { ...high, tracker };
    }
  }
  if (low !== null && !low.broken) {
    const tracker = trackAfterLow(low.tracker, candle);
    if (candle.close < (low.event.level as number)) {
      nextTrend = emitBreak(config, low, tracker.orderBlock, 'bearish', nextTrend, activeBlocks, candle, confirmedAt, events, orderBlocks);
      low = { ...low, broken: true, tracker };
    } else if (tracker !== low.tracker) {
      low = { ...low, tracker };
    }
  }
  return { swingHigh: high, swingLow: low, trend: nextTrend, events, orderBlocks };
}

function emitBreak(
  config: StructureConfig,
  swing: StructureSwing,
  block: Candle | null,
  direction: StructureDirection,
  trend: StructureDirection | null,
  activeBlocks: readonly ActiveZone[],
  candle: Candle,
  confirmedAt: number,
  events: StructureEvent[],
  orderBlocks: StructureEvent[],
): StructureDirection {
  const kind = trend === null || trend === direction ? 'bos' : 'choch';
  const brk = makeEvent(config, {
    kind,
    direction,
    level: swing.event.level as number,
    formedAt: candle.openTime,
    confirmedAt,
    refs: [swing.event.id],
  });
  events.push(brk);
  if (block !== null && !activeBlocks.some((z) => z.event.direction === direction && z.event.formedAt === block.openTime)) {
    const ob = makeEvent(config, {
      kind: 'order_block',
      direction,
      top: block.high,
      bottom: block.low,
      formedAt: block.openTime,
      confirmedAt,
      refs: [brk.id, swing.event.id],
    });
    events.push(ob);
    orderBlocks.push(ob);
  }
  return direction;
}
