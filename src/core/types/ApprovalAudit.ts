/**
 * One row of the append-only audit log of the approval flow
 * (`approval_audit`) before it has an id: every write request, refusal,
 * approval, denial, expiry, void and execution.
 */
export type AuditEntryInput = Readonly<{
  ts: number;
  /** The request it is about; null when there is none (a call refused before a request existed). */
  requestId: string | null;
  /** What happened: requested, refused, approved, denied, approval_refused, expired, voided, execution_refused, executed, failed. */
  kind: string;
  /** Who caused it: `model:<tool>`, `cli`, `admin-http`, `elicitation:<session>`, `config:preApproveReducing`, `system`. */
  actor: string;
  /** Human-readable reason or summary. */
  detail: string;
  /** Parameter hash the row concerns, when one. */
  hash: string | null;
  data: Readonly<Record<string, unknown>>;
}>;

/** One stored audit row (the store's, the approval book's and the audit tool's). */
export type AuditEntry = AuditEntryInput & Readonly<{ id: number }>;

/** Query over the audit log, newest first; `beforeId` pages. */
export type AuditQuery = Readonly<{ requestId?: string; from?: number; beforeId?: number; limit: number }>;
