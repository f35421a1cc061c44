import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appliedMigrations,
  DEFAULT_MIGRATIONS_DIR,
  migrate,
  MigrationError,
  openStore,
  readMigrations,
} from '../../src/store/index.js';
import { tmpFolder } from './fixtures.js';

const INIT = fileURLToPath(new URL('0001_init.sql', DEFAULT_MIGRATIONS_DIR));

const TABLES = [
  'analysis_history',
  'approval_audit',
  'approval_requests',
  'candles',
  'dtms_actions',
  'event_log',
  'import_runs',
  'parameter_versions',
  'schema_migrations',
  'sqlite_sequence',
  'structure_events',
  'unified_ticks',
];

const INDEXES: Record<string, string> = {
  ix_dtms_actions_ticket_ts: 'dtms_actions',
  ix_dtms_actions_symbol_ts: 'dtms_actions',
  ix_analysis_history_symbol_ts: 'analysis_history',
  ix_event_log_ts: 'event_log',
  ix_event_log_kind_ts: 'event_log',
  ix_import_runs_started: 'import_runs',
  structure_events_by_series: 'structure_events',
  approval_audit_by_request: 'approval_audit',
  approval_audit_by_ts: 'approval_audit',
  approval_requests_by_key: 'approval_requests',
  approval_requests_by_status: 'approval_requests',
};

/** The shipped migrations, in order. */
const SHIPPED = ['0001_init', '0002_structure_events', '0003_approvals', '0004_parameters'];

describe('migrate', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  beforeEach(() => {
    tmp = tmpFolder();
  });
  afterEach(() => tmp.cleanup());

  /** A migrations folder holding 0001_init.sql plus the given extra files. */
  function folder(extra: Record<string, string> = {}): string {
    const dir = join(tmp.dir, `sql-${Object.keys(extra).join('-') || 'base'}`);
    mkdirSync(dir);
    copyFileSync(INIT, join(dir, '0001_init.sql'));
    for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
    return dir;
  }

  it('finds the shipped migrations two levels above the module (src/store, dist/store)', () => {
    expect(fileURLToPath(DEFAULT_MIGRATIONS_DIR)).toBe(fileURLToPath(new URL('../../schemas/sql/', import.meta.url)));
    expect(readMigrations().map((m) => m.name)).toEqual(SHIPPED);
  });

  it('creates every table and index of the shipped migrations', () => {
    const db = new BetterSqlite3(':memory:');
    const result = migrate(db);
    expect(result).toEqual({ applied: SHIPPED, version: 4 });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(TABLES);
    const indexes = db
      .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
      .all() as { name: string; tbl_name: string; sql: string }[];
    expect(Object.fromEntries(indexes.map((i) => [i.name, i.tbl_name]))).toEqual(INDEXES);
    // unified_ticks: WITHOUT ROWID, the tick's identity as primary key, no secondary index
    const ticks = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'unified_ticks'").pluck().get() as string;
    expect(ticks).toMatch(/PRIMARY KEY \(symbol, ts_event, source, kind, seq\)\s*\) WITHOUT ROWID$/);
    expect(indexes.filter((i) => i.tbl_name === 'unified_ticks')).toEqual([]);
    const candles = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'candles'").pluck().get() as string;
    expect(candles).toMatch(/PRIMARY KEY \(symbol, timeframe, source, open_time\)\s*\) WITHOUT ROWID$/);
    // the range query of TickRepo is served by the primary key; only equal-time groups are sorted
    const plan = db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM unified_ticks WHERE symbol = ? AND ts_event BETWEEN ? AND ? ORDER BY ts_event, source, kind, seq < 0, abs(seq) LIMIT 10',
      )
      .all('BTCUSD', 0, 1) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    expect(details[0]).toMatch(/^SEARCH unified_ticks USING PRIMARY KEY \(symbol=\? AND ts_event>\? AND ts_event<\?\)$/);
    expect(details.slice(1)).toEqual(['USE TEMP B-TREE FOR LAST 2 TERMS OF ORDER BY']);
    const rows = appliedMigrations(db);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ version: 1, name: '0001_init', checksum: readMigrations()[0]!.checksum });
    db.close();
  });

  it('is idempotent: re-running or re-opening applies nothing', () => {
    const path = join(tmp.dir, 'utp.db');
    const first = openStore({ path });
    expect(first.migration.applied).toEqual(SHIPPED);
    first.close();
    const again = openStore({ path });
    expect(again.migration).toEqual({ applied: [], version: 4 });
    expect(migrate(again.db)).toEqual({ applied: [], version: 4 });
    expect(appliedMigrations(again.db)).toHaveLength(4);
    again.close();
  });

  it('applies a new migration forward on an existing database, recording the given time', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, { dir: folder() });
    const dir = folder({ '0002_notes.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);' });
    expect(migrate(db, { dir, now: 1_700_000_000_000 })).toEqual({ applied: ['0002_notes'], version: 2 });
    expect(appliedMigrations(db).map((m) => [m.name, m.appliedAt > 0])).toEqual([
      ['0001_init', true],
      ['0002_notes', true],
    ]);
    expect(appliedMigrations(db)[1]!.appliedAt).toBe(1_700_000_000_000);
    db.close();
  });

  it('refuses a database that records a migration the files do not have', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    db.prepare("INSERT INTO schema_migrations VALUES (99, '0099_future', 'x', 0)").run();
    expect(() => migrate(db)).toThrow(MigrationError);
    expect(() => migrate(db)).toThrow(/0099_future/);
    db.close();
  });

  it('refuses a database whose recorded migration differs from the file at that place', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    db.prepare("UPDATE schema_migrations SET name = '0001_other'").run();
    expect(() => migrate(db)).toThrow(/not a prefix/);
    db.close();
  });

  it('refuses a migration file edited after it was applied, but not a CRLF checkout of it', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db, { dir: folder() });
    const crlf = join(tmp.dir, 'crlf');
    mkdirSync(crlf);
    writeFileSync(join(crlf, '0001_init.sql'), readFileSync(INIT, 'utf8').replace(/\n/g, '\r\n'));
    expect(migrate(db, { dir: crlf })).toEqual({ applied: [], version: 1 });
    const edited = join(tmp.dir, 'edited');
    mkdirSync(edited);
    writeFileSync(join(edited, '0001_init.sql'), `${readFileSync(INIT, 'utf8')}\nCREATE TABLE sneaky (a);\n`);
    expect(() => migrate(db, { dir: edited })).toThrow(/changed after it was applied/);
    db.close();
  });

  it('rolls a failing migration back completely and records nothing', () => {
    const db = new BetterSqlite3(':memory:');
    const dir = folder({ '0002_broken.sql': 'CREATE TABLE half (a);\nINSERT INTO no_such_table VALUES (1);' });
    expect(() => migrate(db, { dir })).toThrow(/0002_broken failed and was rolled back: no such table: no_such_table/);
    expect(appliedMigrations(db).map((m) => m.name)).toEqual(['0001_init']);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('rejects badly named files and duplicate versions', () => {
    expect(() => readMigrations(folder({ 'init2.sql': 'SELECT 1;' }))).toThrow(/init2.sql is not named NNNN_name.sql/);
    expect(() => readMigrations(folder({ '0001_again.sql': 'SELECT 1;' }))).toThrow(/share version 1/);
    expect(() => readMigrations(join(tmp.dir, 'missing'))).toThrow(/cannot read migrations folder/);
  });

  it('read-only: verifies but never migrates', () => {
    const path = join(tmp.dir, 'ro.db');
    new BetterSqlite3(path).close(); // an empty database file
    expect(() => openStore({ path, readonly: true })).toThrow(/missing migrations \(0001_init, 0002_structure_events, 0003_approvals, 0004_parameters\)/);
    openStore({ path }).close();
    const ro = openStore({ path, readonly: true });
    expect(ro.migration).toEqual({ applied: [], version: 4 });
    ro.close();
  });
});
