import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Clock } from '../core/index.js';
import { migrate, type MigrateResult } from './migrate.js';
import { CandleRepo, type PrimarySourceResolver } from './repos/CandleRepo.js';
import { EventRepo } from './repos/EventRepo.js';
import { ImportRepo } from './repos/ImportRepo.js';
import { StructureEventRepo } from './repos/StructureEventRepo.js';
import { TickRepo } from './repos/TickRepo.js';

/** In-memory database path (tests, throw-away runs). */
export const MEMORY_PATH = ':memory:';

/** How to open the store. */
export type StoreOptions = Readonly<{
  /** Database file path, or `:memory:`. The parent folder is created when missing. */
  path: string;
  /** Open read-only: nothing is migrated (a pending migration is an error) and every write throws. */
  readonly?: boolean;
  /** Folder of `NNNN_*.sql` migrations; default the package's `schemas/sql/`. */
  migrationsDir?: string | URL;
  /** How long a statement waits for another connection's lock, ms; default 5000. */
  busyTimeoutMs?: number;
  /** Primary candle source key of a symbol, used when a candle query names no source. */
  primarySource?: PrimarySourceResolver;
  /** Time recorded for newly applied migrations; default the database's own clock. */
  clock?: Clock;
}>;

/**
 * The durable record of UTP: one SQLite database (WAL for files), migrated on
 * open, with prepared repositories for ticks, candles, events and imports.
 * Single writer per process; other processes may read concurrently (WAL).
 */
export class Store {
  /** The path the store was opened with (`:memory:` for an in-memory store). */
  readonly path: string;
  readonly readonly: boolean;
  /** The underlying connection, for repositories added by later issues. */
  readonly db: BetterSqlite3.Database;
  /** What the migration step did on open. */
  readonly migration: MigrateResult;
  readonly ticks: TickRepo;
  readonly candles: CandleRepo;
  readonly events: EventRepo;
  readonly imports: ImportRepo;
  /** Confirmed market-structure events. */
  readonly structures: StructureEventRepo;

  /** Opens the database; use {@link openStore}. Closes it again if migration fails. */
  constructor(options: StoreOptions) {
    this.path = options.path;
    this.readonly = options.readonly ?? false;
    const memory = this.path === MEMORY_PATH || this.path === '';
    if (!memory && !this.readonly) mkdirSync(dirname(this.path), { recursive: true });
    this.db = new BetterSqlite3(this.path, { readonly: this.readonly, fileMustExist: this.readonly });
    try {
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      if (!memory && !this.readonly) this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migration = migrate(this.db, {
        dir: options.migrationsDir,
        readonly: this.readonly,
        now: options.clock?.now(),
      });
      this.ticks = new TickRepo(this.db);
      this.candles = new CandleRepo(this.db, options.primarySource);
      this.events = new EventRepo(this.db);
      this.imports = new ImportRepo(this.db);
      this.structures = new StructureEventRepo(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /** False once `close()` ran. */
  get isOpen(): boolean {
    return this.db.open;
  }

  /** SQLite journal mode: `wal` for a file store, `memory` for an in-memory one. */
  get journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }));
  }

  /**
   * Runs `fn` in one transaction: all of its writes commit together or none do.
   * Nested calls (and the repositories' own batches) become savepoints.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Size of the database for the status tool, bytes: page_count x page_size
   * plus the WAL file. After `close()`, the size of the files on disk.
   */
  sizeBytes(): number {
    const wal = this.isMemory() ? 0 : fileSize(`${this.path}-wal`);
    if (!this.db.open) return this.isMemory() ? 0 : fileSize(this.path) + wal;
    const pageCount = Number(this.db.pragma('page_count', { simple: true }));
    const pageSize = Number(this.db.pragma('page_size', { simple: true }));
    return pageCount * pageSize + wal;
  }

  /** Closes the connection (checkpointing the WAL). Safe to call more than once. */
  close(): void {
    if (!this.db.open) return;
    if (!this.readonly) {
      try {
        this.db.pragma('optimize');
      } catch {
        // best effort: closing matters more than statistics
      }
    }
    this.db.close();
  }

  private isMemory(): boolean {
    return this.path === MEMORY_PATH || this.path === '';
  }
}

/** Opens (creating and migrating when needed) the UTP store at `options.path`. */
export function openStore(options: StoreOptions): Store {
  return new Store(options);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
