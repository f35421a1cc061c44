/**
 * Write requests waiting for (or past) a human approval (`approval_requests`).
 * Status changes are compare-and-set (`transition`), so two concurrent
 * approvals or executions of one request can never both succeed.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { ApprovalPatch, ApprovalRecord, ApprovalStatus } from '../../core/index.js';
import { checkLimit, parseJsonObject } from './util.js';

/** Lifecycle of a request (the core `ApprovalStatus`). */
export type ApprovalStatusValue = ApprovalStatus;

/** One stored write request (the core `ApprovalRecord`). */
export type ApprovalRow = ApprovalRecord;

// The patch of a status change is the core domain type; re-exported for the store's callers.
export type { ApprovalPatch } from '../../core/index.js';

type Row = {
  id: string;
  tool: string;
  kind: string;
  params_json: string;
  hash: string;
  summary: string;
  exposure: ApprovalRow['exposure'];
  symbol: string | null;
  ref_price: number | null;
  idempotency_key: string | null;
  session_id: string | null;
  status: ApprovalStatusValue;
  created_at: number;
  expires_at: number;
  approved_by: string | null;
  approved_at: number | null;
  approved_hash: string | null;
  decided_at: number | null;
  reason: string | null;
  outcome_json: string | null;
};

/** Reads and writes `approval_requests` synchronously (a handful of rows per write call). */
export class ApprovalRepo {
  private readonly insertStmt: BetterSqlite3.Statement;
  private readonly byId: BetterSqlite3.Statement;
  private readonly byKey: BetterSqlite3.Statement;
  private readonly byStatus: BetterSqlite3.Statement;
  private readonly latest: BetterSqlite3.Statement;
  private readonly casStmt: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO approval_requests (id, tool, kind, params_json, hash, summary, exposure, symbol, ref_price, idempotency_key, session_id, status, created_at, expires_at,
        approved_by, approved_at, approved_hash, decided_at, reason, outcome_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byId = db.prepare('SELECT * FROM approval_requests WHERE id = ?');
    this.byKey = db.prepare('SELECT * FROM approval_requests WHERE idempotency_key = ?');
    this.byStatus = db.prepare('SELECT * FROM approval_requests WHERE status = ? ORDER BY created_at, id LIMIT ?');
    this.latest = db.prepare('SELECT * FROM approval_requests ORDER BY created_at DESC, id DESC LIMIT ?');
    this.casStmt = db.prepare(
      `UPDATE approval_requests SET status = @status,
         approved_by = COALESCE(@approvedBy, approved_by), approved_at = COALESCE(@approvedAt, approved_at),
         approved_hash = COALESCE(@approvedHash, approved_hash), decided_at = COALESCE(@decidedAt, decided_at),
         reason = COALESCE(@reason, reason), outcome_json = COALESCE(@outcome, outcome_json)
       WHERE id = @id AND status = @from`,
    );
  }

  /** Stores a new request. @throws when the id or the idempotency key already exists. */
  insert(r: ApprovalRow): void {
    this.insertStmt.run(
      r.id, r.tool, r.kind, JSON.stringify(r.params), r.hash, r.summary, r.exposure, r.symbol, r.refPrice, r.idempotencyKey, r.sessionId, r.status,
      r.createdAt, r.expiresAt, r.approvedBy, r.approvedAt, r.approvedHash, r.decidedAt, r.reason, r.outcome === null ? null : JSON.stringify(r.outcome),
    );
  }

  /** The request with this id, or null. */
  get(id: string): ApprovalRow | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** The request created with this idempotency key, or null. */
  getByIdempotencyKey(key: string): ApprovalRow | null {
    const row = this.byKey.get(key) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** Requests in one status, oldest first; or the latest requests of any status, newest first. */
  list(query: Readonly<{ status?: ApprovalStatusValue; limit: number }>): ApprovalRow[] {
    const limit = checkLimit(query.limit);
    const rows = (query.status === undefined ? this.latest.all(limit) : this.byStatus.all(query.status, limit)) as Row[];
    return rows.map(toRecord);
  }

  /**
   * Moves a request from status `from` to `patch.status` (setting the given
   * fields) only if it is still in `from`; answers whether it moved. The
   * single writer of status changes, so a request leaves a status once.
   */
  transition(id: string, from: ApprovalStatusValue, patch: ApprovalPatch): boolean {
    const info = this.casStmt.run({
      id,
      from,
      status: patch.status,
      approvedBy: patch.approvedBy ?? null,
      approvedAt: patch.approvedAt ?? null,
      approvedHash: patch.approvedHash ?? null,
      decidedAt: patch.decidedAt ?? null,
      reason: patch.reason ?? null,
      outcome: patch.outcome === undefined || patch.outcome === null ? null : JSON.stringify(patch.outcome),
    });
    return info.changes === 1;
  }
}

function toRecord(r: Row): ApprovalRow {
  return {
    id: r.id,
    tool: r.tool,
    kind: r.kind,
    params: parseJsonObject(r.params_json),
    hash: r.hash,
    summary: r.summary,
    exposure: r.exposure,
    symbol: r.symbol,
    refPrice: r.ref_price,
    idempotencyKey: r.idempotency_key,
    sessionId: r.session_id,
    status: r.status,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    approvedHash: r.approved_hash,
    decidedAt: r.decided_at,
    reason: r.reason,
    outcome: r.outcome_json === null ? null : parseJsonObject(r.outcome_json),
  };
}
