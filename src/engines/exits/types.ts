/**
 * Types of intelligent exits: ATR trailing scaled by the volatility state and
 * the VIX, partial exit plans in R, and time stops. Actions have the shape of
 * DTMS actions (`DtmsAction` with exit rules) so the coordinator can compare
 * both engines' proposals for one position.
 */
import type { Candle } from '../../core/types/Candle.js';
import type { Side } from '../../core/types/Trading.js';
import type { VolatilityState } from '../../core/types/Volatility.js';
import type { DtmsAction, DtmsActionKind, DtmsPrice } from '../dtms/index.js';

/** What exits can ask the venue to do (a hedge only ever comes from DTMS). */
export type ExitActionKind = Exclude<DtmsActionKind, 'hedge'>;

/** Which exit rule produced an action or a decline. */
export type ExitRule = 'vol_trail' | 'partial_plan' | 'time_stop' | 'stop_hit';

/**
 * One exit action, same fields as a `DtmsAction` (value = new stop for
 * `modify_sl`, otherwise a volume), plus `engine: 'exits'` so a merged log
 * tells the two engines apart.
 */
export type ExitAction = Readonly<Omit<DtmsAction, 'kind' | 'rule'> & { kind: ExitActionKind; rule: ExitRule; engine: 'exits' }>;

/** An exit action evaluated and declined, with why. */
export type ExitDeclined = ExitAction & Readonly<{ declined: true }>;

/** Trailing-distance multiplier per volatility state. */
export type VolatilityMultipliers = Readonly<Record<VolatilityState, number>>;

/** One step of a partial exit plan: at `r` R of progress close `fraction` of the initial volume. */
export type PartialTarget = Readonly<{ r: number; fraction: number }>;

/** Tunable exit rules; every field has a default in `DEFAULT_EXITS_CONFIG`. */
export type ExitsConfig = Readonly<{
  /** Base trailing distance in ATR before scaling (default 2.5). */
  atrTrailK: number;
  /** Multiplier of the base distance per volatility state; null state counts as `normal` (default calm 0.7, normal 1, expanding 1.25, extreme 0.6). */
  volatilityMultipliers: VolatilityMultipliers;
  /** VIX at or below which the distance is not widened (default 20). */
  vixReference: number;
  /** Widening per VIX point above the reference (default 0.02, i.e. +2% per point). */
  vixSlope: number;
  /** Cap of the VIX factor (default 1.5). */
  vixMaxFactor: number;
  /** Noise floor: the trail distance is never below this many ATR except in `extreme` (default 2). */
  minDistanceAtrK: number;
  /** Best progress, in R, after which trailing starts (default 1). */
  trailActivationR: number;
  /** Smallest tightening, in ATR, for which a trail stop is sent (default 0.25). */
  minTrailStepAtr: number;
  /** Partial exit plan, ascending R (default 1.5R: 1/3, 3R: 1/3 of the initial volume). */
  partialPlan: readonly PartialTarget[];
  /** Minutes after the open by which the position must have reached `timeStopR`, else it is closed (default 120; 0 = off). */
  timeStopMinutes: number;
  /** Best progress, in R, that cancels the time stop (default 0.5). */
  timeStopR: number;
  /** Factor of `timeStopMinutes` while the state is `extreme` (default 0.5: faster exits). */
  extremeTimeStopFactor: number;
  /** Minimum distance of a stop from the price, in price units (the broker's stops level; default 0): a trail stop closer than it is declined. */
  minStopDistance: number;
  /** Price decimals stops are rounded to (default 2). */
  priceDigits: number;
  /** Volume step (default 0.001). */
  volumeStep: number;
  /** Smallest volume a partial may close or leave open (default 0.001). */
  volumeMin: number;
}>;

/** Defaults of every exit rule. */
export const DEFAULT_EXITS_CONFIG: ExitsConfig = Object.freeze({
  atrTrailK: 2.5,
  volatilityMultipliers: Object.freeze({ calm: 0.7, normal: 1, expanding: 1.25, extreme: 0.6 }),
  vixReference: 20,
  vixSlope: 0.02,
  vixMaxFactor: 1.5,
  minDistanceAtrK: 2,
  trailActivationR: 1,
  minTrailStepAtr: 0.25,
  partialPlan: Object.freeze([Object.freeze({ r: 1.5, fraction: 1 / 3 }), Object.freeze({ r: 3, fraction: 1 / 3 })]),
  timeStopMinutes: 120,
  timeStopR: 0.5,
  extremeTimeStopFactor: 0.5,
  minStopDistance: 0,
  priceDigits: 2,
  volumeStep: 0.001,
  volumeMin: 0.001,
});

/** A partial target of one position, with its price and whether it was handled. */
export type PlannedPartial = Readonly<{ r: number; fraction: number; price: number; done: boolean }>;

/** The whole, immutable exit state of one position; each step returns a new one. */
export type ExitsState = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  openPrice: number;
  openTime: number;
  initialSl: number;
  /** R = |openPrice - initialSl|, > 0. */
  risk: number;
  initialVolume: number;
  volume: number;
  /** Current protective stop as exits knows it (only ever tightened). */
  sl: number;
  /** Best favourable progress seen, in R (candle extremes and price). */
  bestR: number;
  partials: readonly PlannedPartial[];
  /** Trailing distance of the last step with an ATR, in price, or null. */
  trailDistance: number | null;
  lastVolatilityState: VolatilityState | null;
  lastVix: number | null;
  closed: boolean;
  lastStepAt: number | null;
}>;

/** What the market did since the previous step. */
export type ExitsMarket = Readonly<{
  price: DtmsPrice;
  atr: number | null;
  /** Candles closed since the previous step, oldest first. */
  candles: readonly Candle[];
  volatilityState: VolatilityState | null;
  /** Latest VIX reading, null when none. */
  vix: number | null;
}>;

/** Result of one pure exits step. */
export type ExitsStepResult = Readonly<{ state: ExitsState; actions: readonly ExitAction[]; considered: readonly ExitDeclined[] }>;

/** What starting exit management of a position needs. */
export type ExitsOpen = Readonly<{ ticket: string; symbol: string; side: Side; openPrice: number; openTime: number; sl: number; volume: number }>;

/** The exit plan of one position as `get_exit_plans` shows it. */
export type ExitPlan = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  status: 'open' | 'closed';
  sl: number;
  volume: number;
  risk: number;
  bestR: number;
  trail: Readonly<{ active: boolean; activationR: number; activationPrice: number; distance: number | null; volatilityState: VolatilityState | null; vix: number | null }>;
  partials: readonly PlannedPartial[];
  timeStop: Readonly<{ enabled: boolean; deadline: number | null; minR: number; satisfied: boolean }>;
}>;
