/**
 * Causal market-structure events (bus topic `structure.event`), produced by
 * the pipeline's structure detectors and stored in `structure_events`.
 */
import type { Timeframe } from './Timeframe.js';

/**
 * Every kind of market-structure event. Primary events describe something the
 * market formed (`swing_high`, `swing_low`, `bos`, `choch`, `order_block`,
 * `fvg`, `liquidity_sweep`); update events report what later happened to a
 * zone (`order_block_mitigated`, `fvg_partial_fill`, `fvg_filled`) as new
 * events that reference it, so no event is ever changed after it was emitted.
 */
export const STRUCTURE_EVENT_KINDS = [
  'swing_high',
  'swing_low',
  'bos',
  'choch',
  'order_block',
  'order_block_mitigated',
  'fvg',
  'fvg_partial_fill',
  'fvg_filled',
  'liquidity_sweep',
] as const;

/** One of the structure event kinds. */
export type StructureEventKind = (typeof STRUCTURE_EVENT_KINDS)[number];

/**
 * Which side an event favours. A swing high is `bearish` (a top price turned
 * down from), a swing low `bullish`; a break is bullish when it closed above a
 * swing high; a sweep of a swing high is `bearish` (buy-side liquidity taken,
 * close back below); zones and their updates carry the direction of the zone.
 */
export type StructureDirection = 'bullish' | 'bearish';

/**
 * One confirmed, immutable market-structure fact of one symbol and timeframe.
 * It is emitted once, at the close of the candle that confirmed it, and never
 * changed afterwards (the detector freezes it).
 */
export type StructureEvent = Readonly<{
  /**
   * Deterministic id: `symbol:timeframe:kind:direction:formedAt:confirmedAt`,
   * plus `:anchor` (the `formedAt` of the referenced swing or zone) for sweeps,
   * fills and mitigations, which can hit several targets on one candle.
   */
  id: string;
  kind: StructureEventKind;
  direction: StructureDirection;
  symbol: string;
  timeframe: Timeframe;
  /** The one price of the event: swing price, broken or swept swing level, deepest fill or mitigation price; null for zones. */
  level: number | null;
  /** Upper bound of the event's zone (order block, gap, sweep wick); null when it has no zone. */
  top: number | null;
  /** Lower bound of the event's zone; null when it has no zone. */
  bottom: number | null;
  /** Open time (epoch ms UTC) of the candle that formed it (see each kind's definition). */
  formedAt: number;
  /** Close time (inclusive epoch ms UTC, `openTime + size - 1`) of the candle whose close confirmed it. */
  confirmedAt: number;
  /** Ids of the related earlier (or same-candle) events: the swing broken, the break that made an order block, the zone filled. */
  refs: readonly string[];
}>;
