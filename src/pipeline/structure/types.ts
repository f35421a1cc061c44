import type { Candle } from '../../core/types/Candle.js';
import type { StructureDirection, StructureEvent } from '../../core/types/Structure.js';
import type { Timeframe } from '../../core/types/Timeframe.js';

export { STRUCTURE_EVENT_KINDS } from '../../core/types/Structure.js';
export type { StructureDirection, StructureEvent, StructureEventKind } from '../../core/types/Structure.js';

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
