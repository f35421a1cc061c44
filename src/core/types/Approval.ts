import type { Side } from './Trading.js';

/**
 * A write the model asks for: the write tools' arguments, before the gate
 * resolves defaults. The approval book turns it into an `ApprovalRecord`.
 */
export type WriteAction =
  | Readonly<{ kind: 'place_order'; symbol: string; side: Side; volume: number; sl: number | null; tp: number | null; idempotencyKey: string | null }>
  | Readonly<{ kind: 'modify_position'; ticket: string; sl?: number | null; tp?: number | null }>
  | Readonly<{ kind: 'close_position'; ticket: string; volume: number | null }>
  | Readonly<{ kind: 'hedge_position'; ticket: string; volume: number | null }>
  | Readonly<{ kind: 'enroll_position'; ticket: string }>
  | Readonly<{ kind: 'set_parameters'; changes: Readonly<Record<string, unknown>>; reason: string }>;

/** Lifecycle of a write request: pending, then approved, executing, executed or failed; or denied, expired, voided (terminal: executed, failed, denied, expired, voided). */
export type ApprovalStatus = 'pending' | 'approved' | 'executing' | 'executed' | 'failed' | 'denied' | 'expired' | 'voided';

/** What an action does to market exposure: only `reducing` may be pre-approved; only `increasing` is voided by a reducing/halted state. */
export type Exposure = 'increasing' | 'reducing' | 'neutral';

/**
 * One write request waiting for (or past) a human approval, bound to a hash
 * of its exact parameters: the row of `approval_requests` as the store
 * returns it, the request the approval book decides on, and (without its
 * internal fields) what the approval tools show.
 */
export type ApprovalRecord = Readonly<{
  id: string;
  tool: string;
  kind: string;
  /** The exact canonical parameters the request executes. */
  params: Readonly<Record<string, unknown>>;
  /** SHA-256 (hex) of the canonical parameters the approval is bound to. */
  hash: string;
  summary: string;
  exposure: Exposure;
  symbol: string | null;
  /** Reference price at request time, for the price-deviation void. */
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

/** Fields a status change sets together with the new status (a compare-and-set transition of the request). */
export type ApprovalPatch = Partial<Pick<ApprovalRecord, 'approvedBy' | 'approvedAt' | 'approvedHash' | 'decidedAt' | 'reason' | 'outcome'>> & Readonly<{ status: ApprovalStatus }>;
