import type BetterSqlite3 from 'better-sqlite3';
import type { Timeframe } from '../../core/index.js';
import type { Archive, WriteDayOptions } from '../archive/Archive.js';
import { digestRows, RowDigest } from '../archive/checksum.js';
import { CANDLE_COLUMNS, TICK_COLUMNS, type ArchiveRow } from '../archive/columns.js';
import { compareCandleRows, compareTickRows } from '../archive/convert.js';
import { candleKind, DAY_MS, dayStart, type ArchiveKind } from '../archive/layout.js';
import { readParquetRows } from '../archive/parquetFile.js';
import { ArchiveSql } from '../archive/sqliteRows.js';
import { mergeSorted } from './merge.js';

const HOUR_MS = 3_600_000;
/** Tick rows are read from SQLite in windows this long (bounded work per event-loop turn). */
const TICK_WINDOW_MS = 5 * 60_000;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What happened to one (kind, symbol, day). */
export type DayOutcome = Readonly<{
  kind: ArchiveKind;
  symbol: string;
  day: string;
  /** Rows read from SQLite for the day. */
  sqliteRows: number;
  /** Rows in the day file after this step (null when no file was written or kept). */
  fileRows: number | null;
  /** False when the file already held exactly these rows and was left alone. */
  written: boolean;
  /** Rows deleted from SQLite. */
  pruned: number;
  /** Hour slices not pruned because SQLite changed since it was read (retried next pass). */
  mismatched: number;
}>;

/**
 * Archives one UTC day of a series from SQLite into the Parquet archive and
 * prunes what the archive now safely holds. An existing day file is merged
 * (SQLite rows win), so a re-run after a crash or late rows never loses
 * anything. Pruning is per hour slice, one IMMEDIATE transaction each, and only
 * when the slice in SQLite is still exactly what was archived: ticks (insert
 * only) by row count, candles (upserted) by checksum.
 */
export class DayArchiver {
  private readonly sql: ArchiveSql;
  /** Candle days already archived: file key -> sha256 of the SQLite rows they were written from. */
  private readonly candleCache = new Map<string, string>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly archive: Archive,
    private readonly writeOptions: WriteDayOptions = {},
  ) {
    this.sql = new ArchiveSql(db);
  }

  /** The raw SQL helper over the same connection. */
  get rows(): ArchiveSql {
    return this.sql;
  }

  /** Archives a finished day of raw ticks and then deletes those ticks from SQLite. */
  async ticks(symbol: string, day: string): Promise<DayOutcome> {
    const start = dayStart(day);
    const end = start + DAY_MS;
    const base = { kind: 'ticks' as const, symbol, day };
    if (this.sql.countTicks(symbol, start, end) === 0) return { ...base, sqliteRows: 0, fileRows: null, written: false, pruned: 0, mismatched: 0 };
    const counts = new Map<number, number>();
    const sql = this.sql;
    async function* fromSqlite(): AsyncGenerator<ArchiveRow[]> {
      for (let t = start; t < end; t += TICK_WINDOW_MS) {
        const rows = sql.ticks(symbol, t, Math.min(t + TICK_WINDOW_MS, end));
        const hour = Math.floor(t / HOUR_MS) * HOUR_MS;
        counts.set(hour, (counts.get(hour) ?? 0) + rows.length);
        if (rows.length > 0) yield rows;
        await yieldTurn();
      }
    }
    const existing = this.archive.has('ticks', symbol, day) ? this.archive.pathOf('ticks', symbol, day) : null;
    const source = existing !== null ? mergeSorted(readParquetRows(existing, TICK_COLUMNS), fromSqlite(), compareTickRows) : fromSqlite();
    const written = await this.archive.writeDay('ticks', symbol, day, source, this.writeOptions);
    let sqliteRows = 0;
    for (const n of counts.values()) sqliteRows += n;
    let pruned = 0;
    let mismatched = 0;
    if (written !== null) {
      for (const [hour, n] of counts) {
        if (n === 0) continue;
        const deleted = this.db
          .transaction(() => (this.sql.countTicks(symbol, hour, hour + HOUR_MS) === n ? this.sql.deleteTicks(symbol, hour, hour + HOUR_MS) : -1))
          .immediate();
        if (deleted < 0) mismatched += 1;
        else pruned += deleted;
        await yieldTurn();
      }
    }
    return { ...base, sqliteRows, fileRows: written?.rows ?? null, written: written !== null, pruned, mismatched };
  }

  /**
   * Archives a day of candles of one timeframe (every source); then, when
   * `pruneBefore` is given, deletes the hour slices that end at or before it.
   */
  async candles(symbol: string, timeframe: Timeframe, day: string, pruneBefore: number | null): Promise<DayOutcome> {
    const kind = candleKind(timeframe);
    const start = dayStart(day);
    const rows = this.sql.candles(symbol, timeframe, start, start + DAY_MS);
    const base = { kind, symbol, day, sqliteRows: rows.length };
    if (rows.length === 0) return { ...base, fileRows: null, written: false, pruned: 0, mismatched: 0 };
    const slices = new Map<number, RowDigest>();
    for (const r of rows) {
      const hour = Math.floor((r.open_time as number) / HOUR_MS) * HOUR_MS;
      let d = slices.get(hour);
      if (d === undefined) slices.set(hour, (d = new RowDigest(CANDLE_COLUMNS)));
      d.add([r]);
    }
    const key = `${kind}/${symbol}/${day}`;
    const sha = digestRows(CANDLE_COLUMNS, rows).sha256;
    let written = false;
    let fileRows: number | null = null;
    if (this.candleCache.get(key) !== sha || !this.archive.has(kind, symbol, day)) {
      const existing = this.archive.has(kind, symbol, day) ? this.archive.pathOf(kind, symbol, day) : null;
      const source = existing !== null ? mergeSorted(readParquetRows(existing, CANDLE_COLUMNS), [rows], compareCandleRows) : [rows];
      const result = await this.archive.writeDay(kind, symbol, day, source, this.writeOptions);
      written = result !== null;
      fileRows = result?.rows ?? null;
      if (result !== null) this.candleCache.set(key, sha);
    }
    let pruned = 0;
    let mismatched = 0;
    const prunedHours = new Set<number>();
    if (pruneBefore !== null && this.archive.has(kind, symbol, day)) {
      for (const [hour, digest] of slices) {
        if (hour + HOUR_MS > pruneBefore) continue;
        const expected = digest.result().sha256;
        const deleted = this.db
          .transaction(() => {
            const now = digestRows(CANDLE_COLUMNS, this.sql.candles(symbol, timeframe, hour, hour + HOUR_MS)).sha256;
            return now === expected ? this.sql.deleteCandles(symbol, timeframe, hour, hour + HOUR_MS) : -1;
          })
          .immediate();
        if (deleted < 0) mismatched += 1;
        else {
          pruned += deleted;
          prunedHours.add(hour);
        }
      }
      if (prunedHours.size > 0) {
        // the file still holds every row; remember the rows SQLite keeps so the next pass does not rewrite it
        const kept = rows.filter((r) => !prunedHours.has(Math.floor((r.open_time as number) / HOUR_MS) * HOUR_MS));
        this.candleCache.set(key, digestRows(CANDLE_COLUMNS, kept).sha256);
      }
    }
    return { ...base, fileRows, written, pruned, mismatched };
  }
}
