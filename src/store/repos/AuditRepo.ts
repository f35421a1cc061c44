/**
 * The append-only audit log of the approval flow (`approval_audit`): every
 * write request, refusal, approval, denial, expiry, void and execution, one
 * row each. The table's triggers refuse UPDATE and DELETE; this repository
 * only ever inserts and reads.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditEntry, AuditEntryInput, AuditQuery } from '../../core/index.js';
import { checkLimit, parseJsonObject } from './util.js';

// The audit row shapes are core domain types (shared with the approval book and the tools); re-exported for the store's callers.
export type { AuditEntry, AuditEntryInput, AuditQuery } from '../../core/index.js';

type Row = { id: number; ts: number; request_id: string | null; kind: string; actor: string; detail: string; hash: string | null; data_json: string };

/** Appends and reads `approval_audit`. */
export class AuditRepo {
  private readonly insertStmt: BetterSqlite3.Statement;
  private readonly countStmt: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertStmt = db.prepare('INSERT INTO approval_audit (ts, request_id, kind, actor, detail, hash, data_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.countStmt = db.prepare('SELECT COUNT(*) AS n FROM approval_audit');
  }

  /** Appends one row and answers it with its id. */
  append(e: AuditEntryInput): AuditEntry {
    const info = this.insertStmt.run(e.ts, e.requestId, e.kind, e.actor, e.detail, e.hash, JSON.stringify(e.data));
    return { ...e, id: Number(info.lastInsertRowid) };
  }

  /** Rows matching the query, newest first (by id). */
  query(q: AuditQuery): AuditEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.requestId !== undefined) (where.push('request_id = ?'), params.push(q.requestId));
    if (q.from !== undefined) (where.push('ts >= ?'), params.push(q.from));
    if (q.beforeId !== undefined) (where.push('id < ?'), params.push(q.beforeId));
    const sql = `SELECT * FROM approval_audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, checkLimit(q.limit)) as Row[];
    return rows.map((r) => ({ id: r.id, ts: r.ts, requestId: r.request_id, kind: r.kind, actor: r.actor, detail: r.detail, hash: r.hash, data: parseJsonObject(r.data_json) }));
  }

  /** Number of rows. */
  count(): number {
    return (this.countStmt.get() as { n: number }).n;
  }
}
