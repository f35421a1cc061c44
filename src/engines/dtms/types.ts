/**
 * Types of DTMS (dynamic trade management): the per-position state, the
 * market input of one step, the configuration of its rules and the actions
 * (taken and declined) a step produces.
 */
import type { Candle } from '../../core/types/Candle.js';
import type { StructureEvent } from '../../core/types/Structure.js';
import type { Side } from '../../core/types/Trading.js';
import type { VolatilityState } from '../../core/types/Volatility.js';

/**
 * Phase of a managed position: the furthest milestone it reached.
 * - `monitoring`: opened, stop at its initial level.
 * - `breakeven`: stop moved to entry (plus buffer).
 * - `trailing`: stop moved beyond breakeven behind structure or ATR.
 * - `partial_taken`: at least one partial target was closed.
 * - `hedged`: a hedge was requested on a confirmed reversal.
 * - `closed`: closed by DTMS (invalidation) or stopped out at the venue; terminal.
 * Phases only move forward (see `DTMS_TRANSITIONS`); the rules that already
 * apply keep applying (a `partial_taken` position still trails).
 */
export type DtmsPhase = 'monitoring' | 'breakeven' | 'trailing' | 'partial_taken' | 'hedged' | 'closed';

/** Phases in their forward order. */
export const DTMS_PHASES: readonly DtmsPhase[] = Object.freeze([
  'monitoring',
  'breakeven',
  'trailing',
  'partial_taken',
  'hedged',
  'closed',
]);

/**
 * Allowed transitions: from each phase to any later phase (milestones can be
 * skipped, e.g. a partial target reached before any trailing, or an
 * invalidation close from `monitoring`), never backwards; `closed` is terminal.
 */
export const DTMS_TRANSITIONS: Readonly<Record<DtmsPhase, readonly DtmsPhase[]>> = Object.freeze({
  monitoring: ['breakeven', 'trailing', 'partial_taken', 'hedged', 'closed'],
  breakeven: ['trailing', 'partial_taken', 'hedged', 'closed'],
  trailing: ['partial_taken', 'hedged', 'closed'],
  partial_taken: ['hedged', 'closed'],
  hedged: ['closed'],
  closed: [],
});

/** Tunable rules of DTMS; every field has a default in `DEFAULT_DTMS_CONFIG`. */
export type DtmsConfig = Readonly<{
  /** Favourable move, in R (initial risk), at which the stop goes to breakeven (default 1). */
  breakevenR: number;
  /** Buffer beyond entry of the breakeven stop, in R (default 0.1). */
  breakevenBufferR: number;
  /** ATR multiple of the ATR trailing distance from the price (default 2). */
  atrTrailK: number;
  /** Distance beyond the latest confirmed swing of the structure trail, in ATR (default 0.1). */
  swingBufferAtr: number;
  /** Smallest tightening, in ATR, for which a trail stop is sent (breakeven and CHOCH moves always are; default 0.25). */
  minTrailStepAtr: number;
  /** R multiples at which a partial is taken, ascending (default [2]). */
  partialTargetsR: readonly number[];
  /** Fraction of the current volume closed at each partial target (default 0.5). */
  partialFraction: number;
  /** ATR multiple of the stop distance from the price after a CHOCH against the position (default 1). */
  chochTightenAtrK: number;
  /** Whether a confirmed reversal (CHOCH then BOS against) opens a hedge (default false). */
  allowHedge: boolean;
  /** Fraction of the current volume the hedge covers (default 1). */
  hedgeFraction: number;
  /** Minimum distance of a stop from the exit price, in price units (default 0). */
  minStopDistance: number;
  /** Price decimals stops are rounded to (default 2). */
  priceDigits: number;
  /** Volume step (default 0.001). */
  volumeStep: number;
  /** Smallest volume a partial may close or leave open (default 0.001). */
  volumeMin: number;
}>;

/** The defaults of every DTMS rule. */
export const DEFAULT_DTMS_CONFIG: DtmsConfig = Object.freeze({
  breakevenR: 1,
  breakevenBufferR: 0.1,
  atrTrailK: 2,
  swingBufferAtr: 0.1,
  minTrailStepAtr: 0.25,
  partialTargetsR: Object.freeze([2]),
  partialFraction: 0.5,
  chochTightenAtrK: 1,
  allowHedge: false,
  hedgeFraction: 1,
  minStopDistance: 0,
  priceDigits: 2,
  volumeStep: 0.001,
  volumeMin: 0.001,
});

/** The whole, immutable state of one managed position; each step returns a new one. */
export type DtmsState = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  openPrice: number;
  openTime: number;
  /** Stop at entry; defines R. */
  initialSl: number;
  /** R = |openPrice - initialSl|, > 0. */
  risk: number;
  /** A candle close beyond it invalidates the trade (default: the initial stop). */
  invalidation: number;
  /** Volume at entry. */
  initialVolume: number;
  /** Volume still open after partials. */
  volume: number;
  /** Current protective stop (only ever tightened). */
  sl: number;
  phase: DtmsPhase;
  /** Partial targets already taken (count of `partialTargetsR` done, in order). */
  targetsTaken: number;
  /** Latest confirmed swing low / high after the open (level), null before one. */
  swingLow: number | null;
  swingHigh: number | null;
  /** Confirm time of the latest CHOCH against the position, null if none. */
  chochAgainstAt: number | null;
  /** Confirm time of the latest BOS against the position after that CHOCH, null if none. */
  bosAgainstAt: number | null;
  /** Time of the last step, null before the first. */
  lastStepAt: number | null;
}>;

/** Current prices; the exit side (bid for a long, ask for a short) is used, `last` when it is null. */
export type DtmsPrice = Readonly<{ bid: number | null; ask: number | null; last: number | null }>;

/** What the market did since the previous step. */
export type DtmsMarket = Readonly<{
  price: DtmsPrice;
  /** Current ATR of the managed timeframe, null in warm-up (ATR rules then decline). */
  atr: number | null;
  /** Candles that closed since the previous step, oldest first. */
  candles: readonly Candle[];
  /** Structure events confirmed since the previous step, in emission order. */
  events: readonly StructureEvent[];
  volatilityState: VolatilityState | null;
}>;

/** What DTMS can ask the venue to do. */
export type DtmsActionKind = 'modify_sl' | 'partial_close' | 'close' | 'hedge';

/** Which rule produced an action or a decline. */
export type DtmsRule = 'breakeven' | 'trail' | 'choch_tighten' | 'partial' | 'hedge' | 'invalidation' | 'stop_hit';

/**
 * One action (for `modify_sl` the new stop, otherwise a volume) with its
 * reason and the data that triggered it; a row of `dtms_actions`.
 */
export type DtmsAction = Readonly<{
  kind: DtmsActionKind;
  ticket: string;
  rule: DtmsRule;
  /** Time of the step (the `now` input). */
  at: number;
  /** New stop (modify_sl) or volume (partial_close, close, hedge). */
  value: number;
  reason: string;
  data: Readonly<Record<string, number | string | null>>;
}>;

/** An action evaluated and declined, with why; also a row of `dtms_actions`. */
export type DtmsDeclined = DtmsAction & Readonly<{ declined: true }>;

/** Result of one pure step. */
export type DtmsStepResult = Readonly<{
  state: DtmsState;
  actions: readonly DtmsAction[];
  considered: readonly DtmsDeclined[];
}>;

/** What opening a managed position needs. */
export type DtmsOpen = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  openPrice: number;
  openTime: number;
  sl: number;
  volume: number;
  /** Level a candle must close beyond to invalidate the trade; defaults to `sl`. */
  invalidation?: number;
}>;
