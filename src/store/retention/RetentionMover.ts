import type BetterSqlite3 from 'better-sqlite3';
import { isTimeframe, type Cancel, type Clock, type Lifecycle, type SystemEvent, type Timeframe } from '../../core/index.js';
import type { Archive, WriteDayOptions } from '../archive/Archive.js';
import { DAY_MS, dayStart, utcDay } from '../archive/layout.js';
import { DEFAULT_MEMORY_CONFIG, type MemoryConfig } from './config.js';
import { DayArchiver, type DayOutcome } from './dayArchiver.js';

/** Timeframes kept in SQLite only for the aggregate window (rolling `aggregateRetentionHours`). */
export const AGGREGATE_TIMEFRAMES: readonly Timeframe[] = ['S1', 'M1'];

/** Something else the mover keeps within its retention (the JSON-lines logs). */
export type RetentionTarget = Readonly<{ name: string; prune(now: number): number }>;

/** What one pass did. */
export type MoverReport = Readonly<{
  /** Days archived before this instant were considered (epoch ms). */
  before: number;
  days: readonly DayOutcome[];
  ticksPruned: number;
  candlesPruned: number;
  /** Archive day files deleted by retention. */
  filesDeleted: readonly string[];
  /** Stale temp files of interrupted writes removed. */
  tempRemoved: number;
  /** Log files deleted, by log name. */
  logsDeleted: Readonly<Record<string, number>>;
  errors: readonly string[];
}>;

/** What the mover needs. */
export type RetentionMoverOptions = Readonly<{
  /** The store's connection (the main thread's; the recorder's writer thread has its own). */
  db: BetterSqlite3.Database;
  archive: Archive;
  clock: Clock;
  /** Venue time of the newest data (the pipeline's estimate); the scheduled passes age data by it. Default: the clock. */
  marketNow?: () => number;
  config?: Partial<MemoryConfig>;
  /** JSON-lines logs (and anything else) pruned on every pass. */
  targets?: readonly RetentionTarget[];
  /** Receives a system event per archived day, prune and failure (publish it on the bus). */
  onEvent?: (event: SystemEvent) => void;
  /** Hooks of each day file write (tests). */
  writeOptions?: WriteDayOptions;
}>;

/** Status of the mover, for get_system_status. */
export type MoverStatus = Readonly<{ running: boolean; passes: number; lastPassAt: number | null; lastReport: MoverReport | null }>;

/**
 * Moves data down the layers on a clock: every `moverIntervalMinutes` it
 * archives each finished UTC day (ended at least `archiveGraceMinutes` ago)
 * of raw ticks and candles to Parquet, deletes raw ticks of archived days and
 * S1/M1 candles older than `aggregateRetentionHours` from SQLite (only what
 * the archive verifiably holds), deletes archive files older than
 * `archiveRetentionDays` and prunes the logs. Parquet encoding and its
 * read-back run on the archive's worker thread; what stays on this thread
 * (SQLite reads of a minute of ticks or an hour of candles, packing 500 rows
 * into columns, one prune transaction) is done in small steps with event-loop
 * yields in between, so ingestion on the same thread keeps flowing; passes
 * never overlap.
 */
export class RetentionMover implements Lifecycle {
  readonly config: MemoryConfig;
  private readonly days: DayArchiver;
  private cancel: Cancel | null = null;
  private current: Promise<MoverReport> | null = null;
  private passes = 0;
  private lastPassAt: number | null = null;
  private lastReport: MoverReport | null = null;
  private stopped = false;

  constructor(private readonly options: RetentionMoverOptions) {
    this.config = { ...DEFAULT_MEMORY_CONFIG, ...options.config };
    this.days = new DayArchiver(options.db, options.archive, options.writeOptions);
  }

  /** Schedules passes every `moverIntervalMinutes` (no-op when `moverEnabled` is false); removes stale temp files first. */
  async start(): Promise<void> {
    this.stopped = false;
    if (!this.config.moverEnabled || this.cancel !== null) return;
    this.options.archive.cleanTemp();
    this.cancel = this.options.clock.setInterval(() => {
      if (!this.stopped && this.current === null) void this.runOnce().catch(() => {});
    }, this.config.moverIntervalMinutes * 60_000);
  }

  /** Cancels the schedule and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    this.cancel = null;
    if (this.current !== null) await this.current.catch(() => {});
  }

  /**
   * One scheduled pass now: archive days that ended `archiveGraceMinutes`
   * before the market's time (`marketNow`, the venue time of the data; the
   * clock when not given), so a replay of recorded days is not archived and
   * expired as if those days were long past.
   */
  runOnce(): Promise<MoverReport> {
    const now = this.options.marketNow?.() ?? this.options.clock.now();
    return this.archiveBefore(now - this.config.archiveGraceMinutes * 60_000, now);
  }

  /**
   * Archives every day that ended at or before `before` and prunes by policy
   * as of `now` (S1/M1 slices older than the aggregate window and before
   * `before`). A pass already running is awaited first; passes never overlap.
   * `retention: false` skips deleting old archive files and logs (backfill of
   * old days archives them without deleting them straight away).
   */
  async archiveBefore(
    before: number,
    now: number = this.options.clock.now(),
    options: Readonly<{ retention?: boolean }> = {},
  ): Promise<MoverReport> {
    while (this.current !== null) await this.current.catch(() => {});
    const pass = this.pass(before, now, options.retention ?? true);
    this.current = pass;
    try {
      return await pass;
    } finally {
      this.current = null;
    }
  }

  /** Counters for the status tool. */
  status(): MoverStatus {
    return { running: this.current !== null, passes: this.passes, lastPassAt: this.lastPassAt, lastReport: this.lastReport };
  }

  private async pass(before: number, now: number, retention: boolean): Promise<MoverReport> {
    const archive = this.options.archive;
    const sql = this.days.rows;
    const lastDay = Math.floor(before / DAY_MS) * DAY_MS; // days starting before this are finished
    const days: DayOutcome[] = [];
    const errors: string[] = [];
    const step = async (what: string, fn: () => Promise<DayOutcome>) => {
      try {
        const outcome = await fn();
        if (outcome.sqliteRows > 0) days.push(outcome);
        if (outcome.written || outcome.pruned > 0) this.emit('archive.day', 'info', outcome.symbol, `archived ${what}`, { ...outcome });
        if (outcome.mismatched > 0) this.emit('archive.prune_deferred', 'warn', outcome.symbol, `${what}: ${outcome.mismatched} slice(s) changed since read; kept for the next pass`, { ...outcome });
      } catch (error) {
        const message = `${what}: ${(error as Error).message}`;
        errors.push(message);
        this.emit('archive.failed', 'error', null, message, {});
      }
    };
    const tempRemoved = this.passes === 0 ? archive.cleanTemp() : 0;
    for (const { symbol, first } of sql.tickSymbols(lastDay)) {
      for (let d = Math.floor(first / DAY_MS) * DAY_MS; d < lastDay; d += DAY_MS) {
        const day = utcDay(d);
        await step(`ticks ${symbol} ${day}`, () => this.days.ticks(symbol, day));
      }
    }
    const retentionStart = dayStart(utcDay(now)) - this.config.archiveRetentionDays * DAY_MS;
    const aggregateCutoff = Math.min(before, now - this.config.aggregateRetentionHours * 3_600_000);
    for (const { symbol, timeframe, first } of sql.candleSeries(lastDay)) {
      if (!isTimeframe(timeframe)) continue;
      const aggregate = AGGREGATE_TIMEFRAMES.includes(timeframe);
      // higher timeframes stay in SQLite: only days the archive still keeps are copied there
      const from = aggregate ? first : Math.max(first, retentionStart);
      for (let d = Math.floor(from / DAY_MS) * DAY_MS; d < lastDay; d += DAY_MS) {
        const day = utcDay(d);
        await step(`candles ${timeframe} ${symbol} ${day}`, () => this.days.candles(symbol, timeframe, day, aggregate ? aggregateCutoff : null));
      }
    }
    const filesDeleted = retention ? archive.deleteDaysBefore(utcDay(retentionStart)) : [];
    if (filesDeleted.length > 0) this.emit('archive.retention', 'info', null, `deleted ${filesDeleted.length} archive file(s) older than ${this.config.archiveRetentionDays} days`, { files: filesDeleted });
    const logsDeleted: Record<string, number> = {};
    for (const target of retention ? (this.options.targets ?? []) : []) {
      try {
        logsDeleted[target.name] = target.prune(now);
      } catch (error) {
        errors.push(`${target.name}: ${(error as Error).message}`);
      }
    }
    const report: MoverReport = {
      before,
      days,
      ticksPruned: days.filter((d) => d.kind === 'ticks').reduce((n, d) => n + d.pruned, 0),
      candlesPruned: days.filter((d) => d.kind !== 'ticks').reduce((n, d) => n + d.pruned, 0),
      filesDeleted,
      tempRemoved,
      logsDeleted,
      errors,
    };
    this.passes += 1;
    this.lastPassAt = now;
    this.lastReport = report;
    return report;
  }

  private emit(kind: string, level: SystemEvent['level'], symbol: string | null, message: string, data: Record<string, unknown>): void {
    const t = this.options.clock.now();
    this.options.onEvent?.({ kind, level, component: 'retention', symbol, message, data, tsEvent: t, tsInit: t });
  }
}
