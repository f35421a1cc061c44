/**
 * Vocabulary of the approval flow: the write actions a model may request,
 * the request record bound to a hash of its exact parameters, the audit row,
 * and the ports the approval book needs (request store, audit log, gate).
 */
import type { ApprovalPatch, ApprovalRecord, ApprovalStatus, AuditEntry, AuditEntryInput, AuditQuery, Exposure, WriteAction } from '../../core/index.js';

// The request and audit record shapes are core domain types (shared with the store and the tools); re-exported here.
export type { ApprovalPatch, ApprovalRecord, ApprovalStatus, Exposure, WriteAction } from '../../core/index.js';

/** Kind of a write action. */
export type WriteKind = WriteAction['kind'];

/** Port: where requests live (the store's `ApprovalRepo`). `transition` is compare-and-set. */
export type RequestStore = Readonly<{
  insert(record: ApprovalRecord): void;
  get(id: string): ApprovalRecord | null;
  getByIdempotencyKey(key: string): ApprovalRecord | null;
  list(query: Readonly<{ status?: ApprovalStatus; limit: number }>): readonly ApprovalRecord[];
  transition(id: string, from: ApprovalStatus, patch: ApprovalPatch): boolean;
}>;

/** Kinds of audit rows. */
export type AuditKind =
  | 'requested'
  | 'refused'
  | 'approved'
  | 'denied'
  | 'approval_refused'
  | 'expired'
  | 'voided'
  | 'execution_refused'
  | 'executed'
  | 'failed';

/** One audit row before it is stored (the core `AuditEntryInput`, with the kind narrowed to the flow's kinds). */
export type AuditInput = Omit<AuditEntryInput, 'kind'> & Readonly<{ kind: AuditKind }>;

/** A stored audit row (the core `AuditEntry`). */
export type AuditRecord = AuditEntry;

/** Port: the append-only audit log (the store's `AuditRepo`). */
export type AuditLog = Readonly<{
  append(entry: AuditInput): AuditRecord;
  query(q: AuditQuery): readonly AuditRecord[];
}>;

/** A write the gate accepted: resolved, exact parameters and what a human is shown. */
export type GateAccepted = Readonly<{
  ok: true;
  /** Canonical parameters (every default resolved) the request will execute; hashed. */
  params: Readonly<Record<string, unknown>>;
  summary: string;
  exposure: Exposure;
  symbol: string | null;
  /** Reference price at request time (mid, or last), for the price-deviation void. */
  refPrice: number | null;
}>;

/** Answer of the gate's validation: accepted, or refused with the reason. */
export type GateCheck = GateAccepted | Readonly<{ ok: false; reason: string }>;

/** What executing a request produced. */
export type ExecutionOutcome = Readonly<{ ok: boolean; message: string; data: Readonly<Record<string, unknown>> }>;

/** The state execution is checked against: trading state and the current price of a symbol. */
export type MarketCheck = Readonly<{ tradingState: string; price: number | null }>;

/**
 * Port: validates write actions against the venue's rules and the risk state,
 * reads the state an approval is checked against, and executes approved
 * parameters. Implemented over the trading desk by `createTradingGate`.
 */
export type WriteGate = Readonly<{
  check(action: WriteAction, requestId: string): Promise<GateCheck>;
  market(symbol: string | null): MarketCheck;
  execute(kind: string, params: Readonly<Record<string, unknown>>, requestId: string): Promise<ExecutionOutcome>;
}>;

/** Tunables of the approval book. */
export type ApprovalsSettings = Readonly<{
  /** How long a request may wait for approval, ms (default 120000). */
  ttlMs: number;
  /** Largest relative move of the price between request and execution (0.005 = 0.5%); beyond it the approval is void. */
  maxPriceDeviation: number;
  /** Execute exposure-reducing actions (close, partial close, tighter stop) without waiting for a human. */
  preApproveReducing: boolean;
}>;

/** Default settings: 2 minutes, 0.5%, no pre-approval. */
export const DEFAULT_APPROVALS_SETTINGS: ApprovalsSettings = { ttlMs: 120_000, maxPriceDeviation: 0.005, preApproveReducing: false };

/** Answer of submit: the request, or the reason the write was refused at once. */
export type SubmitResult = Readonly<{ accepted: true; request: ApprovalRecord }> | Readonly<{ accepted: false; reason: string }>;

/** Answer of approve, deny and execute: the request as it now is, or why the decision was refused. */
export type DecisionResult = Readonly<{ ok: true; request: ApprovalRecord }> | Readonly<{ ok: false; reason: string; request: ApprovalRecord | null }>;
