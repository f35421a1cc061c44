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
/**
 * Tick rows are read from SQLite, and later pruned, in slices this long: one
 * read (or one count-and-delete transaction) per event-loop turn, a few hundred
 * rows at usual rates, so the main thread never holds the loop long.
 */
const TICK_WINDOW_MS = 60_000;
/** A minute holding more ticks than this is read and pruned in parts of about this many rows (a few ms each). */
const MAX_READ_ROWS = 2_000;

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
  /** Slices (a minute of ticks, an hour of candles) not pruned because SQLite changed since it was read (retried next pass). */
  mismatched: number;
}>;

/**
 * Archives one UTC day of a series from SQLite into the Parquet archive and
 * prunes what the archive now safely holds. An existing day file is merged
 * (SQLite rows win), so a re-run after a crash or late rows never loses
 * anything. Pruning is per slice (a minute of ticks, an hour of candles), one
 * IMMEDIATE transaction each with an event-loop turn between, and only when
 * the slice in SQLite is still exactly what was archived: ticks (insert only)
 * by row count, candles (upserted) by checksum.
 */
export class DayArchiver {
  private readonly sql: ArchiveSql;
  /** Candle days already archived: file key -> fingerprint of the SQLite rows they were written from (see fingerprint()). */
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
    if (!this.sql.hasTicks(symbol, start, end)) return { ...base, sqliteRows: 0, fileRows: null, written: false, pruned: 0, mismatched: 0 };
    const slices: { from: number; to: number; n: number }[] = [];
    const sql = this.sql;
    async function* fromSqlite(): AsyncGenerator<ArchiveRow[]> {
      for (let t = start; t < end; t += TICK_WINDOW_MS) {
        const to = Math.min(t + TICK_WINDOW_MS, end);
        // a burst minute is read (and later pruned) in parts of about MAX_READ_ROWS rows
        const total = sql.countTicks(symbol, t, to);
        const parts = Math.min(to - t, Math.max(1, Math.ceil(total / MAX_READ_ROWS)));
        for (let p = 0; p < parts; p++) {
          const from = t + Math.floor(((to - t) * p) / parts);
          const until = t + Math.floor(((to - t) * (p + 1)) / parts);
          const rows = total === 0 ? [] : sql.ticks(symbol, from, until);
          slices.push({ from, to: until, n: rows.length });
          if (rows.length > 0) yield rows;
          await yieldTurn();
        }
      }
    }
    const existing = this.archive.has('ticks', symbol, day) ? this.archive.pathOf('ticks', symbol, day) : null;
    const source = existing !== null ? mergeSorted(readParquetRows(existing, TICK_COLUMNS, undefined, undefined, this.archive.readThread), fromSqlite(), compareTickRows) : fromSqlite();
    const written = await this.archive.writeDay('ticks', symbol, day, source, this.writeOptions);
    let sqliteRows = 0;
    for (const { n } of slices) sqliteRows += n;
    let pruned = 0;
    let mismatched = 0;
    if (written !== null) {
      for (const { from, to, n } of slices) {
        if (n === 0) continue;
        const deleted = this.db.transaction(() => (this.sql.countTicks(symbol, from, to) === n ? this.sql.deleteTicks(symbol, from, to) : -1)).immediate();
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
    // read an hour of one source per event-loop turn, in the file's order (source, then open time);
    // each hour's digest covers its rows of every source in that order, as the prune check reads them
    const rows: ArchiveRow[] = [];
    const slices = new Map<number, RowDigest>();
    for (const source of this.sql.candleSources(symbol, timeframe)) {
      for (let hour = start; hour < start + DAY_MS; hour += HOUR_MS) {
        const part = this.sql.candlesOf(symbol, timeframe, source, hour, hour + HOUR_MS);
        if (part.length > 0) {
          let d = slices.get(hour);
          if (d === undefined) slices.set(hour, (d = new RowDigest(CANDLE_COLUMNS)));
          d.add(part);
          for (const r of part) rows.push(r);
        }
        await yieldTurn();
      }
    }
    const base = { kind, symbol, day, sqliteRows: rows.length };
    if (rows.length === 0) return { ...base, fileRows: null, written: false, pruned: 0, mismatched: 0 };
    const key = `${kind}/${symbol}/${day}`;
    const sha = fingerprint(slices, null);
    let written = false;
    let fileRows: number | null = null;
    if (this.candleCache.get(key) !== sha || !this.archive.has(kind, symbol, day)) {
      const existing = this.archive.has(kind, symbol, day) ? this.archive.pathOf(kind, symbol, day) : null;
      const source = existing !== null ? mergeSorted(readParquetRows(existing, CANDLE_COLUMNS, undefined, undefined, this.archive.readThread), [rows], compareCandleRows) : [rows];
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
        await yieldTurn();
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
        this.candleCache.set(key, fingerprint(slices, prunedHours));
      }
    }
    return { ...base, fileRows, written, pruned, mismatched };
  }
}

/** A day's candle rows in SQLite in one string: every hour slice's row count and digest, hours in order (`skip`: hours left out). */
function fingerprint(slices: ReadonlyMap<number, RowDigest>, skip: ReadonlySet<number> | null): string {
  const parts: string[] = [];
  for (const hour of [...slices.keys()].sort((a, b) => a - b)) {
    if (skip?.has(hour)) continue;
    const d = slices.get(hour)!.result();
    parts.push(`${hour}:${d.rows}:${d.sha256}`);
  }
  return parts.join(',');
}
