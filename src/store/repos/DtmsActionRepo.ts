/**
 * The trade-management journal (`dtms_actions`): every DTMS and coordinator
 * decision (taken, declined, denied, shadowed) with its reason and data, for
 * review and for `get_dtms_actions`. The outcome is kept in `data_json`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { DtmsActionRecord, EventBus } from '../../core/index.js';

/** A query over the journal; omitted bounds are open. */
export type DtmsActionQuery = Readonly<{ ticket?: string; symbol?: string; from?: number; to?: number; limit: number }>;

type Row = {
  id: number;
  position_ticket: string;
  symbol: string;
  action: string;
  reason: string;
  state_from: string | null;
  state_to: string | null;
  data_json: string;
  ts_event: number;
  ts_init: number;
};

/** Reads and writes `dtms_actions` rows synchronously (the volume is a few rows per decision). */
export class DtmsActionRepo {
  private readonly insertStmt: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO dtms_actions (position_ticket, symbol, action, reason, state_from, state_to, data_json, ts_event, ts_init) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends one record (its outcome is stored as `data_json.outcome`). */
  insert(r: DtmsActionRecord): void {
    const data = JSON.stringify({ outcome: r.outcome, ...r.data });
    this.insertStmt.run(r.ticket, r.symbol, r.action, r.reason, r.stateFrom, r.stateTo, data, r.tsEvent, r.tsInit);
  }

  /** Records in journal order (oldest first), filtered by ticket, symbol and event time, at most `limit` (the latest ones). */
  query(q: DtmsActionQuery): DtmsActionRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.ticket !== undefined) (where.push('position_ticket = ?'), params.push(q.ticket));
    if (q.symbol !== undefined) (where.push('symbol = ?'), params.push(q.symbol));
    if (q.from !== undefined) (where.push('ts_event >= ?'), params.push(q.from));
    if (q.to !== undefined) (where.push('ts_event <= ?'), params.push(q.to));
    const sql = `SELECT * FROM (SELECT * FROM dtms_actions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?) ORDER BY id ASC`;
    const rows = this.db.prepare(sql).all(...params, Math.max(1, Math.floor(q.limit))) as Row[];
    return rows.map(toRecord);
  }

  /** The raw rows (id included) in id order: what the deterministic-replay test compares byte for byte. */
  rawRows(): unknown[] {
    return this.db.prepare('SELECT * FROM dtms_actions ORDER BY id').all();
  }
}

function toRecord(row: Row): DtmsActionRecord {
  const parsed = JSON.parse(row.data_json) as Record<string, unknown>;
  const { outcome, ...data } = parsed;
  return {
    ticket: row.position_ticket,
    symbol: row.symbol,
    action: row.action,
    outcome: typeof outcome === 'string' ? outcome : 'recorded',
    reason: row.reason,
    stateFrom: row.state_from,
    stateTo: row.state_to,
    data,
    tsEvent: row.ts_event,
    tsInit: row.ts_init,
  };
}

/**
 * Persists the bus topic `dtms.action` into the journal as it is published
 * (synchronously, so the journal order is the decision order). Returns the unsubscribe.
 */
export function recordDtmsActions(bus: EventBus, repo: DtmsActionRepo, onError: (error: unknown) => void = () => {}): () => void {
  return bus.subscribe('dtms.action', (r) => {
    try {
      repo.insert(r);
    } catch (error) {
      onError(error);
    }
  });
}
