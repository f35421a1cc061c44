import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { UtpError } from '../core/index.js';

/**
 * The migrations shipped with the package. `src/store/migrate.ts` and
 * `dist/store/migrate.js` both sit two levels below the package root.
 */
export const DEFAULT_MIGRATIONS_DIR: URL = new URL('../../schemas/sql/', import.meta.url);

/** The database and the migration files disagree; the store refuses to open it. */
export class MigrationError extends UtpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'migration');
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** One forward-only migration file `NNNN_name.sql`. */
export type MigrationFile = Readonly<{
  version: number;
  /** File name without `.sql`, e.g. `0001_init`. */
  name: string;
  sql: string;
  /** sha256 of the SQL with line endings normalised to LF (a CRLF checkout is not a change). */
  checksum: string;
}>;

/** A migration recorded in `schema_migrations`. */
export type AppliedMigration = Readonly<{ version: number; name: string; checksum: string; appliedAt: number }>;

/** Where migrations come from and whether the database may be changed. */
export type MigrateOptions = Readonly<{
  /** Folder of `NNNN_*.sql` files; default {@link DEFAULT_MIGRATIONS_DIR}. */
  dir?: string | URL;
  /** Only verify: throw when a migration is pending instead of applying it. */
  readonly?: boolean;
  /** Time recorded as `applied_at`, epoch ms; default the database's own clock. */
  now?: number;
}>;

/** What `migrate` did. */
export type MigrateResult = Readonly<{
  /** Names of the migrations applied by this call, in order. */
  applied: readonly string[];
  /** Highest version now recorded (0 for an empty migration set). */
  version: number;
}>;

const FILE_RE = /^(\d{4})_([A-Za-z0-9_-]+)\.sql$/;

/** Reads and orders the migration files of a folder; rejects malformed names and duplicate versions. */
export function readMigrations(dir: string | URL = DEFAULT_MIGRATIONS_DIR): MigrationFile[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch (error) {
    throw new MigrationError(`cannot read migrations folder ${path}`, { cause: error });
  }
  const files: MigrationFile[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.sql')).sort()) {
    const match = FILE_RE.exec(entry);
    if (!match) throw new MigrationError(`migration file ${entry} is not named NNNN_name.sql`);
    const sql = readFileSync(join(path, entry), 'utf8');
    const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
    files.push({ version: Number(match[1]), name: entry.slice(0, -4), sql, checksum });
  }
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.version === files[i - 1]!.version) {
      throw new MigrationError(`migrations ${files[i - 1]!.name} and ${files[i]!.name} share version ${files[i]!.version}`);
    }
  }
  return files;
}

/** Migrations recorded in the database, by version; empty when it has no `schema_migrations` table. */
export function appliedMigrations(db: BetterSqlite3.Database): AppliedMigration[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return [];
  return db
    .prepare('SELECT version, name, checksum, applied_at AS appliedAt FROM schema_migrations ORDER BY version')
    .all() as AppliedMigration[];
}

/**
 * Throws unless the recorded migrations are a prefix of the files: same
 * versions, names and checksums, in order, and none the files do not have
 * (a database written by a newer UTP, or a migration edited after it shipped).
 */
export function verifyMigrations(applied: readonly AppliedMigration[], files: readonly MigrationFile[]): void {
  if (applied.length > files.length) {
    const extra = applied.slice(files.length).map((m) => m.name);
    throw new MigrationError(
      `database has migrations this UTP does not know (${extra.join(', ')}); it was written by a newer version or another schema`,
    );
  }
  applied.forEach((a, i) => {
    const f = files[i]!;
    if (a.version !== f.version || a.name !== f.name) {
      throw new MigrationError(
        `database migration #${i + 1} is ${a.name} but the files have ${f.name}; the recorded migrations are not a prefix of the files`,
      );
    }
    if (a.checksum !== f.checksum) {
      throw new MigrationError(`migration ${f.name} was changed after it was applied (checksum mismatch); add a new migration instead`);
    }
  });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  checksum   TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/**
 * Brings the database schema up to the migration files: verifies the recorded
 * set is a prefix of the files, then applies each pending file in its own
 * IMMEDIATE transaction together with its `schema_migrations` row, so a failed
 * migration leaves nothing behind and two processes cannot apply it twice.
 */
export function migrate(db: BetterSqlite3.Database, options: MigrateOptions = {}): MigrateResult {
  const files = readMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const before = appliedMigrations(db);
  verifyMigrations(before, files);
  const pending = files.slice(before.length);
  if (options.readonly) {
    if (pending.length > 0) {
      throw new MigrationError(
        `database is missing migrations (${pending.map((m) => m.name).join(', ')}); open it read-write once to migrate`,
      );
    }
    return { applied: [], version: before.at(-1)?.version ?? 0 };
  }
  db.exec(CREATE_TABLE);
  const record = db.prepare(
    `INSERT INTO schema_migrations (version, name, checksum, applied_at)
     VALUES (?, ?, ?, COALESCE(?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)))`,
  );
  const applied: string[] = [];
  for (const file of pending) {
    const apply = db.transaction(() => {
      // Re-check under the write lock: another process may have migrated meanwhile.
      const now = appliedMigrations(db);
      verifyMigrations(now, files);
      if (now.some((m) => m.version === file.version)) return false;
      db.exec(file.sql);
      record.run(file.version, file.name, file.checksum, options.now ?? null);
      return true;
    });
    try {
      if (apply.immediate()) applied.push(file.name);
    } catch (error) {
      if (error instanceof MigrationError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`migration ${file.name} failed and was rolled back: ${reason}`, { cause: error });
    }
  }
  return { applied, version: files.at(-1)?.version ?? 0 };
}
