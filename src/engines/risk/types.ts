/**
 * Vocabulary of the risk framework: trading state, the actions the
 * coordinator asks about, and the decisions the risk rules give back.
 */
import type { Side } from '../../core/index.js';

/**
 * Trading state. `active`: everything allowed by the other rules;
 * `reducing`: only exposure-reducing actions pass; `halted`: nothing passes
 * except closing (set by an operator or a later rule, never by the equity guard).
 */
export type TradingState = 'active' | 'reducing' | 'halted';

/** A change of trading state, kept as a value so it can be published and logged. */
export type StateTransition = Readonly<{
  from: TradingState;
  to: TradingState;
  reason: string;
  /** Epoch ms UTC of the change. */
  at: number;
}>;

/** Kind of a trade action the engines want to take. */
export type ActionKind = 'open' | 'close' | 'partial_close' | 'modify_sl' | 'modify_tp' | 'hedge';

/** A trade action submitted to risk before it is sent to the venue. */
export type RiskAction = Readonly<{
  kind: ActionKind;
  symbol: string;
  side?: Side;
  /** True when the action adds exposure (an open, a hedge that adds, a widened stop). */
  increasesExposure: boolean;
  ticket?: string;
  volume?: number;
  /** For `modify_sl`: the current and the requested stop, to tell a tightening from a widening. */
  currentSl?: number | null;
  newSl?: number | null;
  /** True when the action comes from M1-based entry logic (subject to volatility gating). */
  m1Logic?: boolean;
}>;

/** Name of the rule behind a denial. */
export type RiskRule = 'trading_state' | 'news_blackout' | 'volatility_gating';

/** Answer of `checkAction`: a denial is a value, never an exception. */
export type RiskDecision =
  | Readonly<{ allowed: true }>
  | Readonly<{ allowed: false; reason: string; rule: RiskRule }>;
