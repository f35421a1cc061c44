import type BetterSqlite3 from 'better-sqlite3';
import { InvalidRequestError } from '../../core/index.js';
import { checkLimit } from './util.js';

/** State of an import run: still going, finished, or failed (see `error`). */
export type ImportStatus = 'running' | 'ok' | 'failed';

/** One import of a recorded file into the store, with its row counts. */
export type ImportRun = Readonly<{
  id: number;
  /** File path or name as given by the importer. */
  file: string;
  /** Source the rows are attributed to, e.g. `dukascopy`. */
  source: string;
  symbol: string | null;
  rowsOk: number;
  rowsBad: number;
  status: ImportStatus;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
}>;

/** What the importer knows when it starts. */
export type ImportStart = Readonly<{ file: string; source: string; symbol?: string | null; startedAt: number }>;

/** Outcome of an import run. */
export type ImportFinish = Readonly<{
  status: 'ok' | 'failed';
  rowsOk: number;
  rowsBad: number;
  finishedAt: number;
  error?: string | null;
}>;

type ImportRow = {
  id: number;
  file: string;
  source: string;
  symbol: string | null;
  rows_ok: number;
  rows_bad: number;
  status: string;
  error: string | null;
  started_at: number;
  finished_at: number | null;
};

const COLUMNS = 'id, file, source, symbol, rows_ok, rows_bad, status, error, started_at, finished_at';

/** Book-keeping of file imports (`import_runs`): one row per run, opened by `start`, closed by `finish`. */
export class ImportRepo {
  private readonly insert: BetterSqlite3.Statement;
  private readonly update: BetterSqlite3.Statement;
  private readonly byId: BetterSqlite3.Statement;
  private readonly latest: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insert = db.prepare(
      "INSERT INTO import_runs (file, source, symbol, status, started_at) VALUES (?, ?, ?, 'running', ?)",
    );
    this.update = db.prepare(
      "UPDATE import_runs SET status = ?, rows_ok = ?, rows_bad = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'",
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM import_runs WHERE id = ?`);
    this.latest = db.prepare(`SELECT ${COLUMNS} FROM import_runs ORDER BY started_at DESC, id DESC LIMIT ?`);
  }

  /** Records the start of an import; returns the run id. */
  start(run: ImportStart): number {
    return Number(this.insert.run(run.file, run.source, run.symbol ?? null, run.startedAt).lastInsertRowid);
  }

  /** Closes a running import with its outcome; throws if the run does not exist or is already finished. */
  finish(id: number, outcome: ImportFinish): ImportRun {
    const changes = this.update.run(
      outcome.status,
      outcome.rowsOk,
      outcome.rowsBad,
      outcome.error ?? null,
      outcome.finishedAt,
      id,
    ).changes;
    if (changes === 0) throw new InvalidRequestError(`import run ${id} does not exist or is already finished`);
    return this.get(id)!;
  }

  /** One run by id, or null. */
  get(id: number): ImportRun | null {
    const row = this.byId.get(id) as ImportRow | undefined;
    return row ? toRun(row) : null;
  }

  /** The latest runs, newest first. */
  list(limit: number): ImportRun[] {
    return (this.latest.all(checkLimit(limit)) as ImportRow[]).map(toRun);
  }
}

function toRun(row: ImportRow): ImportRun {
  return {
    id: row.id,
    file: row.file,
    source: row.source,
    symbol: row.symbol,
    rowsOk: row.rows_ok,
    rowsBad: row.rows_bad,
    status: row.status as ImportStatus,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
