/**
 * Thin stateful shell over the pure risk rules: keeps the equity guard state,
 * the selected calendar and the latest volatility states, reads the time from
 * a `Clock`, and reports transitions and denials to optional listeners (the
 * caller publishes and logs them).
 */
import type { Clock } from '../../core/index.js';
import { selectEvents, DEFAULT_EVENT_FILTER, type EconomicEvent, type EventFilter } from './calendar/EconomicEvent.js';
import { checkAction, DEFAULT_GATING, type GatingConfig, type RiskContext } from './checkAction.js';
import {
  DEFAULT_EQUITY_GUARD,
  initialEquityGuardState,
  updateEquity,
  type EquityGuardConfig,
  type EquityGuardState,
} from './EquityGuard.js';
import { DEFAULT_BLACKOUT, nextBlackout, type BlackoutConfig, type BlackoutWindow } from './NewsBlackout.js';
import type { RiskAction, RiskDecision, StateTransition } from './types.js';

/** Configuration of the risk engine (every part optional, defaults as documented on each part). */
export type RiskConfig = Readonly<{
  equity?: EquityGuardConfig;
  blackout?: BlackoutConfig;
  eventFilter?: EventFilter;
  gating?: GatingConfig;
}>;

/** Listeners for what the engine decides. */
export type RiskListeners = Readonly<{
  onTransition?: (t: StateTransition) => void;
  onDenial?: (action: RiskAction, decision: Extract<RiskDecision, { allowed: false }>, at: number) => void;
}>;

/** Snapshot for `get_risk_status`. */
export type RiskStatus = Readonly<{
  tradingState: EquityGuardState['tradingState'];
  drawdown: number;
  maxDrawdown: number;
  peak: number | null;
  nextBlackout: BlackoutWindow | null;
  gating: GatingConfig;
  volatility: Readonly<Record<string, string>>;
  lastTransition: StateTransition | null;
}>;

/** Risk engine: feed equity and volatility, ask before every action. */
export class RiskEngine {
  private guard: EquityGuardState = initialEquityGuardState();
  private readonly volatility: Record<string, string> = {};
  private events: readonly EconomicEvent[];
  private equityConfig: EquityGuardConfig;
  private blackout: BlackoutConfig;
  private gating: GatingConfig;
  private lastTransition: StateTransition | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly calendar: readonly EconomicEvent[],
    config: RiskConfig = {},
    private readonly listeners: RiskListeners = {},
  ) {
    this.events = selectEvents(calendar, config.eventFilter ?? DEFAULT_EVENT_FILTER);
    this.equityConfig = config.equity ?? DEFAULT_EQUITY_GUARD;
    this.blackout = config.blackout ?? DEFAULT_BLACKOUT;
    this.gating = config.gating ?? DEFAULT_GATING;
  }

  /**
   * Replaces the configuration (a new parameter version took effect): the
   * calendar is re-selected, blackout and gating apply to the next check, and
   * the new drawdown limit to the next equity reading. The session's peak,
   * trough and trading state are kept: a change never resets a drawdown.
   */
  setConfig(config: RiskConfig): void {
    this.events = selectEvents(this.calendar, config.eventFilter ?? DEFAULT_EVENT_FILTER);
    this.equityConfig = config.equity ?? DEFAULT_EQUITY_GUARD;
    this.blackout = config.blackout ?? DEFAULT_BLACKOUT;
    this.gating = config.gating ?? DEFAULT_GATING;
  }

  /** Feeds an equity reading (balance + floating); returns the transition it caused, if any. */
  onEquity(equity: number): StateTransition | null {
    const { state, transition } = updateEquity(this.guard, equity, this.clock.now(), this.equityConfig);
    this.guard = state;
    if (transition) {
      this.lastTransition = transition;
      this.listeners.onTransition?.(transition);
    }
    return transition;
  }

  /** Records the latest volatility state of a symbol (e.g. from `volatility.m5`). */
  setVolatility(symbol: string, state: string): void {
    this.volatility[symbol] = state;
  }

  /** Decides on `action` now. */
  check(action: RiskAction): RiskDecision {
    const now = this.clock.now();
    const context: RiskContext = { events: this.events, blackout: this.blackout, gating: this.gating, volatility: this.volatility };
    const decision = checkAction(this.guard, action, context, now);
    if (!decision.allowed) this.listeners.onDenial?.(action, decision, now);
    return decision;
  }

  /** The blackout in force or next to come (for `symbol`, or any). */
  nextBlackout(symbol?: string): BlackoutWindow | null {
    return nextBlackout(this.events, this.clock.now(), this.blackout, symbol);
  }

  /** Status for the read-only tool. */
  status(): RiskStatus {
    return {
      tradingState: this.guard.tradingState,
      drawdown: this.guard.drawdown,
      maxDrawdown: this.guard.maxDrawdown,
      peak: this.guard.peak,
      nextBlackout: this.nextBlackout(),
      gating: this.gating,
      volatility: { ...this.volatility },
      lastTransition: this.lastTransition,
    };
  }
}
