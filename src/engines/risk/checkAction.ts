/**
 * The risk decision on one trade action: trading state, then news blackout,
 * then volatility gating. Pure: `(state, action, context, now) → decision`;
 * a denial is a value with a reason and the rule, never an exception.
 */
import type { EconomicEvent } from './calendar/EconomicEvent.js';
import { activeBlackout, DEFAULT_BLACKOUT, type BlackoutConfig } from './NewsBlackout.js';
import type { RiskAction, RiskDecision, TradingState } from './types.js';

/** Volatility gating: M1-based entries pause while the symbol's volatility state is one of `pausedStates`. */
export type GatingConfig = Readonly<{ enabled: boolean; pausedStates: readonly string[] }>;

/** Default gating: on, paused in `calm`. */
export const DEFAULT_GATING: GatingConfig = { enabled: true, pausedStates: ['calm'] };

/** What the decision needs besides the trading state. */
export type RiskContext = Readonly<{
  /** Selected blackout events (see `selectEvents`), sorted by time. */
  events: readonly EconomicEvent[];
  blackout: BlackoutConfig;
  gating: GatingConfig;
  /** Latest volatility state per symbol (e.g. `calm`, from the M5 bridge); missing = unknown, not gated. */
  volatility: Readonly<Record<string, string>>;
}>;

/** Context with no events, default windows, default gating and no volatility readings. */
export const DEFAULT_RISK_CONTEXT: RiskContext = { events: [], blackout: DEFAULT_BLACKOUT, gating: DEFAULT_GATING, volatility: {} };

/**
 * True when a stop change moves the stop towards the price (buy: higher,
 * sell: lower) or adds a stop where there was none. Without side and both
 * levels, falls back to `!increasesExposure`.
 */
export function isStopTightening(action: RiskAction): boolean {
  if (action.kind !== 'modify_sl' || action.increasesExposure) return false;
  const { side, currentSl, newSl } = action;
  if (side === undefined || currentSl === undefined || newSl === undefined) return true;
  if (newSl === null) return false;
  if (currentSl === null) return true;
  return side === 'buy' ? newSl > currentSl : newSl < currentSl;
}

/** True for the only actions `reducing` lets pass: close, partial close, stop tightening. */
export function isExposureReducing(action: RiskAction): boolean {
  if (action.increasesExposure) return false;
  return action.kind === 'close' || action.kind === 'partial_close' || isStopTightening(action);
}

/** True for a new entry (an open, or anything that adds exposure). */
export function isEntry(action: RiskAction): boolean {
  return action.kind === 'open' || action.increasesExposure;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Decides whether `action` may be sent at `now`. */
export function checkAction(
  state: Readonly<{ tradingState: TradingState }>,
  action: RiskAction,
  context: RiskContext,
  now: number,
): RiskDecision {
  if (state.tradingState === 'halted' && action.kind !== 'close' && action.kind !== 'partial_close') {
    return { allowed: false, rule: 'trading_state', reason: `trading halted: only closes pass (${action.kind} ${action.symbol})` };
  }
  if (state.tradingState === 'reducing' && !isExposureReducing(action)) {
    return {
      allowed: false,
      rule: 'trading_state',
      reason: `trading state reducing: only close, partial close and stop tightening pass (${action.kind} ${action.symbol})`,
    };
  }
  if (isEntry(action)) {
    const w = activeBlackout(context.events, now, context.blackout, action.symbol);
    if (w) {
      return {
        allowed: false,
        rule: 'news_blackout',
        reason: `news blackout ${w.event.kind} (${w.event.title}) at ${iso(w.event.ts)}: window ${iso(w.start)} to ${iso(w.end)}`,
      };
    }
    const vol = context.volatility[action.symbol];
    if (action.m1Logic === true && context.gating.enabled && vol !== undefined && context.gating.pausedStates.includes(vol)) {
      return { allowed: false, rule: 'volatility_gating', reason: `M1 entry logic paused: ${action.symbol} volatility ${vol}` };
    }
  }
  return { allowed: true };
}
