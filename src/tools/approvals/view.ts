/**
 * What the approval and write tools read and ask: the approval book of the
 * running server (pending requests bound to a hash of their parameters, the
 * human decisions, the append-only audit log). Absent from the tool context =
 * writes are disabled and the approval tools say so. Nothing here lets a
 * model approve: `confirmAtClient` approves only on a human's "accept" given
 * through MCP elicitation at the client.
 */
import type { ApprovalRecord, ApprovalStatus, AuditEntry, AuditQuery, WriteAction } from '../../core/index.js';
import type { Confirmation } from '../defineTool.js';

/** A write the model asks for (the core `WriteAction`). */
export type WriteRequest = WriteAction;

/** Status of a request: pending, approved, executing, executed, failed, denied, expired, voided (the core `ApprovalStatus`). */
export type ApprovalStatusView = ApprovalStatus;

/** One write request as the book holds it: the core `ApprovalRecord` without the book's internal fields. */
export type ApprovalRequestView = Omit<ApprovalRecord, 'refPrice' | 'idempotencyKey' | 'sessionId' | 'approvedHash'>;

/** One audit row (the core `AuditEntry`). */
export type AuditEntryView = AuditEntry;

/** Answer of a write request: stored (pending, or already executed when pre-approved), or refused at once with the reason. */
export type SubmitAnswer = Readonly<{ accepted: true; request: ApprovalRequestView }> | Readonly<{ accepted: false; reason: string }>;

/** The approval book as the tools see it. */
export type ApprovalsView = Readonly<{
  /** True when writes are disabled: every write request is refused (and audited). */
  readOnly: boolean;
  /** Validates a write against the venue rules and the risk state, then stores it as a pending request. */
  submit(request: WriteRequest, origin: Readonly<{ tool: string; sessionId?: string }>): Promise<SubmitAnswer>;
  /**
   * Asks the human at the client (MCP elicitation) to approve a pending
   * request; approves it (and so executes it) only on an explicit accept.
   * Answers the request as it then is.
   */
  confirmAtClient(requestId: string, confirm: (message: string, schema: Readonly<Record<string, unknown>>) => Promise<Confirmation>, sessionId: string | null): Promise<ApprovalRequestView | null>;
  /** The request, or null when unknown. */
  get(requestId: string): ApprovalRequestView | null;
  /** Audit rows, newest first; `beforeId` pages. */
  audit(query: AuditQuery): readonly AuditEntryView[];
  /** How a human approves the request (CLI command, admin endpoint), for the tool answer. */
  howToApprove(requestId: string, expiresAt: number): string;
}>;

/** Why the approval tools have nothing to serve. */
export const WRITES_DISABLED = 'writes are disabled in this server (start it with --allow-writes or UTP_ALLOW_WRITES=1); there are no approvals or audit log to read';
