import type { Candle } from '../../core/types/Candle.js';
import type { Timeframe } from '../../core/types/Timeframe.js';

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

/** Tuning of the detector; every field has a default in `DEFAULT_STRUCTURE_OPTIONS`. */
export type StructureOptions = Readonly<{
  /** Bars left of a fractal swing whose extreme must be strictly exceeded (default 2). */
  leftBars: number;
  /** Bars right of a fractal swing that must close before it is confirmed; their extremes may equal it (default 2). */
  rightBars: number;
  /** Unswept, unbroken swing levels kept per side for liquidity sweeps; the oldest is dropped beyond it (default 50). */
  maxLiquidityLevels: number;
  /** Unmitigated order blocks and unfilled gaps kept per kind; the oldest is dropped beyond it (default 100). */
  maxActiveZones: number;
}>;

/** The series a detector follows plus its options. */
export type StructureConfig = StructureOptions &
  Readonly<{
    symbol: string;
    timeframe: Timeframe;
  }>;

/**
 * What the candles since the current structure swing were, for finding the
 * order block when that swing breaks: the most extreme candle against the break
 * (latest on ties) and the last opposite-colour candle at or before it.
 */
export type ImpulseTracker = Readonly<{
  /** Lowest low (swing high side) or highest high (swing low side) from the swing bar on. */
  extreme: number;
  /** Latest opposite-colour candle seen from the swing bar on. */
  lastOpposite: Candle | null;
  /** The order block if the swing broke now: latest opposite-colour candle at or before the extreme candle. */
  orderBlock: Candle | null;
}>;

/** The confirmed swing that the next break in its direction will break. */
export type StructureSwing = Readonly<{
  event: StructureEvent;
  /** True once a close went beyond it; it breaks only once. */
  broken: boolean;
  tracker: ImpulseTracker;
}>;

/** An unmitigated order block or unfilled gap still watched for later price action. */
export type ActiveZone = Readonly<{
  event: StructureEvent;
  /** True for a bullish zone (price above it, reached from above). */
  bullish: boolean;
  /** Deepest price reached into the zone so far (gaps; blocks keep their near edge): starts at the zone's near edge (top if bullish, bottom if bearish). */
  reached: number;
}>;

/** The whole state of one detector, immutable: each step returns a new one. */
export type StructureState = Readonly<{
  config: StructureConfig;
  /** Closed candles seen so far. */
  count: number;
  /** The last closed candles, oldest first (enough for a fractal and a three-candle gap). */
  window: readonly Candle[];
  /** Direction of the last break, null before the first one. */
  trend: StructureDirection | null;
  /** Latest confirmed swing high (the level a bullish break closes above). */
  swingHigh: StructureSwing | null;
  /** Latest confirmed swing low (the level a bearish break closes below). */
  swingLow: StructureSwing | null;
  /** Swing highs not yet swept nor closed above, oldest first. */
  liquidityHighs: readonly StructureEvent[];
  /** Swing lows not yet swept nor closed below, oldest first. */
  liquidityLows: readonly StructureEvent[];
  /** Order blocks not yet mitigated, oldest first. */
  orderBlocks: readonly ActiveZone[];
  /** Fair-value gaps not yet fully filled, oldest first. */
  gaps: readonly ActiveZone[];
}>;

/** Result of one pure step: the next state and the events the candle confirmed (in emission order). */
export type StructureStep = Readonly<{
  state: StructureState;
  events: readonly StructureEvent[];
}>;
