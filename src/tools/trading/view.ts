/**
 * What the read-only trading tools read: the coordinator, the venue, the risk
 * engine and the journal, assembled by the server. Absent from the tool
 * context = trading is not wired and the tools say so.
 */
import type { Account, DtmsActionRecord, Position, Side } from '../../core/index.js';

// Structural mirrors of the engines' types (tools import engines only through an engines/index.ts, which does not exist yet).

/** Trading mode of a symbol (engines/coordinator `TradingMode`). */
export type TradingMode = 'replay' | 'paper' | 'shadow' | 'live';

/** Event-loop delay in ms (engines/coordinator `LoopDelay`). */
export type LoopDelay = Readonly<{ p50Ms: number; p99Ms: number; maxMs: number; meanMs: number }>;

/** The DTMS state fields the tools show (engines/dtms `DtmsState`). */
export type DtmsState = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  openPrice: number;
  initialSl: number;
  risk: number;
  invalidation: number;
  initialVolume: number;
  volume: number;
  sl: number;
  phase: string;
  targetsTaken: number;
  swingLow: number | null;
  swingHigh: number | null;
  lastStepAt: number | null;
}>;

/** The risk status fields the tools show (engines/risk `RiskStatus`). */
export type RiskStatus = Readonly<{
  tradingState: string;
  drawdown: number;
  maxDrawdown: number;
  peak: number | null;
  nextBlackout: Readonly<{ start: number; end: number; event: Readonly<{ title: string; kind: string; currency: string }> }> | null;
  gating: Readonly<{ enabled: boolean; pausedStates: readonly string[] }>;
  volatility: Readonly<Record<string, string>>;
  lastTransition: Readonly<{ from: string; to: string; reason: string; at: number }> | null;
}>;

/** The trading side of the running system, read-only. */
export type TradingView = Readonly<{
  venueId: string;
  account(): Account;
  positions(): readonly Readonly<{ position: Position; dtms: DtmsState | null }>[];
  dtmsStates(ticket?: string): readonly DtmsState[];
  dtmsActions(query: Readonly<{ ticket?: string; from?: number; limit: number }>): readonly DtmsActionRecord[];
  /** Exit plans, or null when the exits engine is not wired. */
  exitPlans(ticket?: string): readonly Readonly<{ ticket: string; plan: Readonly<Record<string, unknown>> | null }>[] | null;
  riskStatus(): RiskStatus;
  /** Mode per configured symbol. */
  modes(): Readonly<Record<string, TradingMode>>;
  loop(): LoopDelay | null;
}>;

/** Why a trading tool has nothing to read. */
export const TRADING_NOT_WIRED = 'trading is not wired in this server (no coordinator, venue or risk engine)';

/** Epoch ms to ISO 8601, null stays null. */
export const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
