/**
 * Equity guard: session drawdown, peak to trough on floating equity. At or
 * beyond the limit the trading state moves from `active` to `reducing`. The
 * state returns to `active` at the start of the next session (UTC day by
 * default): the peak is reset to the first equity seen in the new session.
 * `halted` is never changed by the guard.
 */
import { sessionStart } from './sessions.js';
import type { StateTransition, TradingState } from './types.js';

/** Drawdown limit (fraction, 0.03 = 3%) and session start (minutes after 00:00 UTC). */
export type EquityGuardConfig = Readonly<{ maxDrawdown: number; sessionStartMinuteUtc: number }>;

/** Default: 3% drawdown, session = UTC day. */
export const DEFAULT_EQUITY_GUARD: EquityGuardConfig = { maxDrawdown: 0.03, sessionStartMinuteUtc: 0 };

/** What the guard remembers of the current session. */
export type EquityGuardState = Readonly<{
  tradingState: TradingState;
  /** Start of the session the peak belongs to, or null before the first equity. */
  sessionStart: number | null;
  peak: number | null;
  trough: number | null;
  /** (peak - trough) / peak of the session so far. */
  maxDrawdown: number;
  /** (peak - last equity) / peak. */
  drawdown: number;
  lastEquity: number | null;
}>;

/** State before any equity is seen. */
export function initialEquityGuardState(tradingState: TradingState = 'active'): EquityGuardState {
  return { tradingState, sessionStart: null, peak: null, trough: null, maxDrawdown: 0, drawdown: 0, lastEquity: null };
}

/** New state and the transition it caused, if any. */
export type EquityGuardResult = Readonly<{ state: EquityGuardState; transition: StateTransition | null }>;

/** Feeds one equity reading (balance + floating) taken at `now`. */
export function updateEquity(
  state: EquityGuardState,
  equity: number,
  now: number,
  config: EquityGuardConfig = DEFAULT_EQUITY_GUARD,
): EquityGuardResult {
  const session = sessionStart(now, config.sessionStartMinuteUtc);
  let s = state;
  let transition: StateTransition | null = null;
  if (s.sessionStart !== session) {
    if (s.tradingState === 'reducing') {
      transition = { from: 'reducing', to: 'active', reason: `new session ${new Date(session).toISOString()}: drawdown reset`, at: now };
    }
    s = { ...initialEquityGuardState(s.tradingState === 'halted' ? 'halted' : 'active'), sessionStart: session };
  }
  const peak = s.peak === null ? equity : Math.max(s.peak, equity);
  const trough = s.peak === null || equity > (s.peak ?? equity) ? equity : Math.min(s.trough ?? equity, equity);
  const drawdown = peak > 0 ? (peak - equity) / peak : 0;
  const maxDrawdown = Math.max(s.maxDrawdown, drawdown);
  let tradingState = s.tradingState;
  if (tradingState === 'active' && drawdown >= config.maxDrawdown) {
    tradingState = 'reducing';
    transition = {
      from: 'active',
      to: 'reducing',
      reason: `session drawdown ${(drawdown * 100).toFixed(2)}% >= ${(config.maxDrawdown * 100).toFixed(2)}% (peak ${peak.toFixed(2)}, equity ${equity.toFixed(2)})`,
      at: now,
    };
  }
  return { state: { tradingState, sessionStart: session, peak, trough, maxDrawdown, drawdown, lastEquity: equity }, transition };
}
