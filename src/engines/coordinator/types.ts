/**
 * Vocabulary of the coordinator: trading modes, the optional exits adviser
 * port, and the status the read-only tools report.
 */
import type { DtmsActionRecord, OrderRequest, Position } from '../../core/index.js';
import type { DtmsMarket, DtmsState } from '../dtms/index.js';
import type { RiskDecision } from '../risk/index.js';

/**
 * Mode of a symbol: `replay` (recorded data, paper venue), `paper` (live
 * data, paper venue), `shadow` (every decision logged, nothing sent), `live`.
 */
export type TradingMode = 'replay' | 'paper' | 'shadow' | 'live';

/** One proposal of the intelligent-exits engine; a hedge can only come from DTMS, so there is no hedge kind. */
export type ExitProposal = Readonly<{
  kind: 'modify_sl' | 'partial_close' | 'close';
  /** New stop (modify_sl) or volume (partial_close, close). */
  value: number;
  reason: string;
  data: Readonly<Record<string, unknown>>;
}>;

/**
 * What the exits engine says for one position at one decision: the actions it
 * proposes, and the ones it evaluated and declined (journalled in
 * `dtms_actions` with outcome `declined` and source `exits`, like DTMS declines).
 */
export type ExitAdvice = Readonly<{ proposals: readonly ExitProposal[]; considered: readonly ExitProposal[] }>;

/**
 * Port of the intelligent-exits engine, optional: the coordinator runs it
 * after DTMS on the same market data, for each managed position.
 */
export type ExitsAdviser = Readonly<{
  propose(state: DtmsState, market: DtmsMarket, now: number): ExitAdvice;
  /** Current exit plan of a position for `get_exit_plans` (free-form), or null. */
  plan?(ticket: string): Readonly<Record<string, unknown>> | null;
}>;

/** Event-loop delay, in ms, from `perf_hooks.monitorEventLoopDelay`. */
export type LoopDelay = Readonly<{ p50Ms: number; p99Ms: number; maxMs: number; meanMs: number }>;

/** What `status()` reports. */
export type CoordinatorStatus = Readonly<{
  modes: Readonly<Record<string, TradingMode>>;
  managed: number;
  decisions: number;
  lastDecisionAt: number | null;
  exitsWired: boolean;
  loop: LoopDelay | null;
}>;

/** A managed position: the venue's view plus its DTMS state (null when not enrolled, e.g. no stop, or a hedge). */
export type ManagedPosition = Readonly<{ position: Position; dtms: DtmsState | null }>;

/** An entry request (the analysis lane): goes through risk, then the venue unless the symbol is in shadow. */
export type EntryRequest = OrderRequest & Readonly<{ m1Logic?: boolean }>;

/** Answer to an entry request: `sent` is true only when the venue accepted it. */
export type EntryResult = Readonly<{ decision: RiskDecision; sent: boolean; retcode: number | null; ticket: string | null; message: string }>;

/** Sink of journal records (the composition root publishes them on `dtms.action`). */
export type RecordSink = (record: DtmsActionRecord) => void;
