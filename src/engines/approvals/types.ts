/**
 * Vocabulary of the approval flow: the write actions a model may request,
 * the request record bound to a hash of its exact parameters, the audit row,
 * and the ports the approval book needs (request store, audit log, gate).
 */
import type { Side } from '../../core/index.js';

/** A write the model asks for (the write tools' arguments, before resolution). */
export type WriteAction =
  | Readonly<{ kind: 'place_order'; symbol: string; side: Side; volume: number; sl: number | null; tp: number | null; idempotencyKey: string | null }>
  | Readonly<{ kind: 'modify_position'; ticket: string; sl?: number | null; tp?: number | null }>
  | Readonly<{ kind: 'close_position'; ticket: string; volume: number | null }>
  | Readonly<{ kind: 'hedge_position'; ticket: string; volume: number | null }>
  | Readonly<{ kind: 'enroll_position'; ticket: string }>
  | Readonly<{ kind: 'set_parameters'; changes: Readonly<Record<string, unknown>>; reason: string }>;

/** Kind of a write action. */
export type WriteKind = WriteAction['kind'];

/** Lifecycle of a request. Terminal: executed, failed, denied, expired, voided. */
export type ApprovalStatus = 'pending' | 'approved' | 'executing' | 'executed' | 'failed' | 'denied' | 'expired' | 'voided';

/** What an action does to market exposure: only `reducing` may be pre-approved; only `increasing` is voided by a reducing/halted state. */
export type Exposure = 'increasing' | 'reducing' | 'neutral';

/** A stored request (mirrors the store's `ApprovalRow`). */
export type ApprovalRecord = Readonly<{
  id: string;
  tool: string;
  kind: string;
  params: Readonly<Record<string, unknown>>;
  hash: string;
  summary: string;
  exposure: Exposure;
  symbol: string | null;
  refPrice: number | null;
  idempotencyKey: string | null;
  sessionId: string | null;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  approvedBy: string | null;
  approvedAt: number | null;
  approvedHash: string | null;
  decidedAt: number | null;
  reason: string | null;
  outcome: Readonly<Record<string, unknown>> | null;
}>;

/** Fields set together with a status change. */
export type ApprovalPatch = Partial<Pick<ApprovalRecord, 'approvedBy' | 'approvedAt' | 'approvedHash' | 'decidedAt' | 'reason' | 'outcome'>> & Readonly<{ status: ApprovalStatus }>;

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

/** One audit row before it is stored. */
export type AuditInput = Readonly<{
  ts: number;
  requestId: string | null;
  kind: AuditKind;
  actor: string;
  detail: string;
  hash: string | null;
  data: Readonly<Record<string, unknown>>;
}>;

/** A stored audit row. */
export type AuditRecord = Omit<AuditInput, 'kind'> & Readonly<{ id: number; kind: string }>;

/** Port: the append-only audit log (the store's `AuditRepo`). */
export type AuditLog = Readonly<{
  append(entry: AuditInput): AuditRecord;
  query(q: Readonly<{ requestId?: string; from?: number; beforeId?: number; limit: number }>): readonly AuditRecord[];
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
