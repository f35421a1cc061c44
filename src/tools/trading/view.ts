/**
 * What the read-only trading tools read: the coordinator, the venue, the risk
 * engine and the journal, assembled by the server. Absent from the tool
 * context = trading is not wired and the tools say so.
 */
import type { Account, DtmsActionRecord, Position } from '../../core/index.js';
import type { DtmsState, LoopDelay, RiskStatus, TradingMode } from '../../engines/index.js';

/** Trading mode of a symbol, DTMS state, risk status and event-loop delay: the engines' own types. */
export type { DtmsState, LoopDelay, RiskStatus, TradingMode };

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
