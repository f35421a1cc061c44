/**
 * The versioned trading parameters (`parameter_versions`, migration 0004): an
 * append-only history where every change, rollback and automatic rollback is
 * a new row and the highest version is the one in effect. The repository
 * knows nothing of what the parameters mean (that is the params engine's
 * schema); it stores and returns JSON objects.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { InvalidRequestError, TemporaryError, type ParameterVersionInput, type ParameterVersionRecord } from '../../core/index.js';
import { checkLimit, parseJsonObject } from './util.js';

// The version shapes are core domain types (shared with the params engine and the tools); re-exported for the store's callers.
export type { ParameterVersionInput, ParameterVersionRecord } from '../../core/index.js';

type Row = {
  version: number;
  created_at: number;
  created_by: string;
  reason: string;
  params_json: string;
  parent: number | null;
  restores: number | null;
};

const COLUMNS = 'version, created_at, created_by, reason, params_json, parent, restores';

/** Reads and appends parameter versions synchronously (a handful of rows per day). */
export class ParameterRepo {
  private readonly latestStmt: BetterSqlite3.Statement;
  private readonly getStmt: BetterSqlite3.Statement;
  private readonly listStmt: BetterSqlite3.Statement;
  private readonly insertStmt: BetterSqlite3.Statement;
  private readonly countStmt: BetterSqlite3.Statement;
  private readonly appendTx: (input: ParameterVersionInput, expectedLatest: number | null | undefined) => ParameterVersionRecord;

  constructor(db: BetterSqlite3.Database) {
    this.latestStmt = db.prepare(`SELECT ${COLUMNS} FROM parameter_versions ORDER BY version DESC LIMIT 1`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM parameter_versions WHERE version = ?`);
    this.listStmt = db.prepare(`SELECT ${COLUMNS} FROM parameter_versions ORDER BY version DESC LIMIT ?`);
    this.countStmt = db.prepare('SELECT COUNT(*) FROM parameter_versions').pluck();
    this.insertStmt = db.prepare(
      'INSERT INTO parameter_versions (version, created_at, created_by, reason, params_json, parent, restores) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const tx = db.transaction((input: ParameterVersionInput, expectedLatest: number | null | undefined): ParameterVersionRecord => {
      const latest = this.latest();
      const parent = latest?.version ?? null;
      if (expectedLatest !== undefined && expectedLatest !== parent) {
        throw new TemporaryError(`parameters changed meanwhile: version ${parent ?? 'none'} is in effect, not ${expectedLatest ?? 'none'}; retry`);
      }
      const version = (parent ?? 0) + 1;
      const restores = input.restores ?? null;
      if (restores !== null && this.get(restores) === null) throw new InvalidRequestError(`parameter version ${restores} does not exist`);
      this.insertStmt.run(version, input.createdAt, input.createdBy, input.reason, JSON.stringify(input.params), parent, restores);
      return Object.freeze({ version, createdAt: input.createdAt, createdBy: input.createdBy, reason: input.reason, params: input.params, parent, restores });
    });
    // IMMEDIATE: the read of the latest version and the insert hold the write lock together (a CLI and a server may
    // both write); inside a caller's transaction better-sqlite3 runs it as a savepoint instead.
    this.appendTx = (input, expected) => tx.immediate(input, expected);
  }

  /**
   * Appends the next version (highest + 1) whose parent is the version in
   * effect; with `expectedLatest` (null = the table must be empty) the append
   * fails with a `TemporaryError` when another writer got there first.
   */
  append(input: ParameterVersionInput, expectedLatest?: number | null): ParameterVersionRecord {
    return this.appendTx(input, expectedLatest);
  }

  /** The version in effect (the highest), or null when none was ever written. */
  latest(): ParameterVersionRecord | null {
    const row = this.latestStmt.get() as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** One version, or null when it does not exist. */
  get(version: number): ParameterVersionRecord | null {
    if (!Number.isInteger(version)) return null;
    const row = this.getStmt.get(version) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** The latest `limit` versions, newest first. */
  list(limit: number): ParameterVersionRecord[] {
    return (this.listStmt.all(checkLimit(limit)) as Row[]).map(toRecord);
  }

  /** Number of stored versions. */
  count(): number {
    return Number(this.countStmt.get());
  }
}

function toRecord(row: Row): ParameterVersionRecord {
  return Object.freeze({
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    reason: row.reason,
    params: parseJsonObject(row.params_json),
    parent: row.parent,
    restores: row.restores,
  });
}
