import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { DataIntegrityError, type Candle, type Tick, type Timeframe } from '../../core/index.js';
import { CANDLE_COLUMNS, TICK_COLUMNS, type ArchiveRow, type ColumnSpec } from './columns.js';
import { rowToCandle, rowToTick } from './convert.js';
import { ARCHIVE_FOLDER, candleKind, DAY_MS, dayStart, daysBetween, type ArchiveKind } from './layout.js';
import { ArchiveFolder } from './ArchiveFolder.js';
import { GroupPacker } from './columnPack.js';
import { EncodeThread } from './encodeThread.js';
import { digestParquet, readParquetRows, type ArchiveCodec, type RowGroupRange } from './parquetFile.js';
import { ParquetReadThread } from './readThread.js';

/** How the archive writes files. */
export type ArchiveOptions = Readonly<{
  /** The archive root, usually `<dataDir>/archive`. */
  dir: string;
  /** Compression codec; default GZIP (see bench/parquet.bench.ts for the evidence). */
  codec?: ArchiveCodec;
  /** Rows per Parquet row group: the unit the main thread packs and the encoding thread encodes; default 5,000 (17x smaller than JSON lines; bench/parquet.bench.ts). */
  rowGroupRows?: number;
}>;

/** Hooks of one day write (tests use them to slow a write down and kill it mid-way). */
export type WriteDayOptions = Readonly<{
  /** Called after each row group is written to the temporary file. */
  afterRowGroup?: (rowsWritten: number) => void | Promise<void>;
  /** Called with the encoding thread once it starts (tests end it to simulate a crash). */
  onThread?: (worker: Worker) => void;
}>;

/** A day file that was written, verified by reading it back, and renamed into place. */
export type WrittenDay = Readonly<{
  kind: ArchiveKind;
  symbol: string;
  day: string;
  path: string;
  rows: number;
  sha256: string;
  bytes: number;
}>;

/** Rows packed per event-loop turn (well under a millisecond of work). */
const PACK_SLICE_ROWS = 500;
/** Rows turned into ticks per event-loop turn. */
const CONVERT_SLICE_ROWS = 1_000;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The column set of a kind. */
export function columnsOf(kind: ArchiveKind): readonly ColumnSpec[] {
  return kind === 'ticks' ? TICK_COLUMNS : CANDLE_COLUMNS;
}

/**
 * The Parquet archive: one file per kind, symbol and UTC day at
 * `<dir>/<kind>/<SYMBOL>/<YYYY-MM-DD>.parquet` (kind `ticks` or
 * `candles-<TF>`), columns named as in SQLite, readable by DuckDB, pandas
 * and Spark. A file becomes visible only complete and verified: it is written
 * (by a worker thread, see writeDay) to a dot-named `.tmp` file in the same
 * folder, fsynced, read back and compared (row count and sha256 of every
 * value), then renamed, and the folder fsynced. Readers never see a partial
 * file; a crash leaves at most a stale temp file that `cleanTemp()` removes.
 * Reads decode on the archive's own worker thread (readThread.ts: started on
 * the first read, never keeping the process alive); `close()` ends it.
 */
export class Archive extends ArchiveFolder {
  readonly codec: ArchiveCodec;
  readonly rowGroupRows: number;
  /** The thread that decodes this archive's reads (tests end its worker to simulate a crash). */
  readonly readThread = new ParquetReadThread();

  constructor(options: ArchiveOptions) {
    super(options.dir);
    this.codec = options.codec ?? 'GZIP';
    this.rowGroupRows = Math.max(1, Math.trunc(options.rowGroupRows ?? 5_000));
  }

  /** The archive of a data folder: `<dataDir>/archive`. */
  static forDataDir(dataDir: string, options: Omit<ArchiveOptions, 'dir'> = {}): Archive {
    return new Archive({ ...options, dir: path.join(dataDir, ARCHIVE_FOLDER) });
  }

  /**
   * Writes a day file from row chunks (in the kind's row order), crash-safe:
   * temp file, fsync, read back and verify, rename, fsync the folder. The
   * Parquet encoding, compression, fsync and read-back run on a worker thread
   * (encodeThread.ts); this thread only packs each row group into typed-array
   * columns, a slice per event-loop turn, while the thread encodes the previous
   * group (one group in flight), so the event loop keeps turning. Replaces an
   * existing file of the day atomically. Throws DataIntegrityError (and leaves nothing) when the read-back differs
   * or a value does not fit its column, EncodeThreadError when the thread
   * fails or dies; an empty day writes nothing (no thread, no temp file) and
   * returns null.
   */
  async writeDay(
    kind: ArchiveKind,
    symbol: string,
    day: string,
    chunks: Iterable<readonly ArchiveRow[]> | AsyncIterable<readonly ArchiveRow[]>,
    options: WriteDayOptions = {},
  ): Promise<WrittenDay | null> {
    const finalPath = this.pathOf(kind, symbol, day);
    const folder = path.dirname(finalPath);
    const temp = path.join(folder, `.${day}.parquet.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    const columns = columnsOf(kind);
    let thread: EncodeThread | null = null;
    try {
      // two packers over shared memory: one group in flight on the thread, the next packed here meanwhile
      const packers = [new GroupPacker(columns, this.rowGroupRows), new GroupPacker(columns, this.rowGroupRows)] as const;
      let packer = packers[0];
      let written = 0;
      let inFlight: Promise<number> | null = null;
      const settle = async (): Promise<void> => {
        if (inFlight === null) return;
        const pending = inFlight;
        inFlight = null;
        written = await pending;
        await options.afterRowGroup?.(written);
      };
      const post = async (): Promise<void> => {
        await settle(); // the other packer's group is acknowledged: its memory is free again
        if (thread === null) {
          mkdirSync(folder, { recursive: true });
          thread = new EncodeThread(temp, columns, this.codec, { 'utp.kind': kind, 'utp.symbol': symbol, 'utp.day': day });
          options.onThread?.(thread.worker);
        }
        inFlight = thread.append(packer.take());
        inFlight.catch(() => {}); // observed by settle(); a failure before then must not be unhandled
        packer = packer === packers[0] ? packers[1] : packers[0];
        packer.reset();
      };
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) {
          at = packer.add(chunk, at, Math.min(chunk.length, at + PACK_SLICE_ROWS));
          if (packer.full) await post();
          else await yieldTurn();
        }
      }
      if (packer.n > 0) await post();
      await settle();
      if (thread === null || written === 0) return null;
      const result = await (thread as EncodeThread).finish();
      const check = result.check;
      if (check.rows !== result.rows || check.sha256 !== result.sha256 || result.rows !== written) {
        throw new DataIntegrityError(
          `archive file ${finalPath} did not read back as written (${check.rows}/${result.rows} rows, checksum ${check.sha256 === result.sha256 ? 'equal' : 'differs'})`,
        );
      }
      await (thread as EncodeThread).close();
      thread = null;
      renameSync(temp, finalPath);
      fsyncDir(folder);
      return { kind, symbol, day, path: finalPath, rows: result.rows, sha256: result.sha256, bytes: result.bytes };
    } catch (error) {
      if (thread !== null) await (thread as EncodeThread).close().catch(() => {});
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /** Ends the read thread (reads in progress reject; a later read starts a new one). Call at shutdown. */
  async close(): Promise<void> {
    await this.readThread.close();
  }

  /** All rows of a day file (empty when the file does not exist), optionally filtered; decoded off the event loop. */
  async readDayRows(
    kind: ArchiveKind,
    symbol: string,
    day: string,
    keep?: (row: ArchiveRow) => boolean,
    range?: RowGroupRange,
  ): Promise<ArchiveRow[]> {
    const file = this.pathOf(kind, symbol, day);
    if (!existsSync(file)) return [];
    const out: ArchiveRow[] = [];
    for await (const rows of readParquetRows(file, columnsOf(kind), keep, range, this.readThread)) for (const r of rows) out.push(r);
    return out;
  }

  /** Row count and checksum of a day file, read back in full (null when missing). */
  async verifyDay(kind: ArchiveKind, symbol: string, day: string): Promise<{ rows: number; sha256: string } | null> {
    const file = this.pathOf(kind, symbol, day);
    return existsSync(file) ? digestParquet(file, columnsOf(kind), this.readThread) : null;
  }

  /**
   * Archived ticks of a symbol with `from <= tsEvent <= to` (inclusive, as
   * TickRepo), in the store's read order, every source.
   */
  async readTicks(symbol: string, from: number, to: number): Promise<Tick[]> {
    const out: Tick[] = [];
    const keep = (r: ArchiveRow) => (r.ts_event as number) >= from && (r.ts_event as number) <= to;
    for (const day of this.daysIn(symbol, 'ticks', from, to)) {
      const rows = await this.readDayRows('ticks', symbol, day, keep, { column: 'ts_event', from, to });
      for (let at = 0; at < rows.length; at += CONVERT_SLICE_ROWS) {
        if (at > 0) await yieldTurn();
        for (let i = at; i < Math.min(rows.length, at + CONVERT_SLICE_ROWS); i++) out.push(rowToTick(rows[i]!));
      }
    }
    return out;
  }

  /**
   * Archived candles of a symbol and timeframe with `from <= openTime <= to`
   * (inclusive), oldest first. Every source key unless `options.source` names
   * one (e.g. `binance`, `binance+mt5`); with several sources, ties of open
   * time are ordered by source key.
   */
  async readCandles(
    symbol: string,
    timeframe: Timeframe,
    from: number,
    to: number,
    options: Readonly<{ source?: string }> = {},
  ): Promise<Candle[]> {
    const kind = candleKind(timeframe);
    const keep = (r: ArchiveRow) =>
      (r.open_time as number) >= from && (r.open_time as number) <= to && (options.source === undefined || r.source === options.source);
    const rows: ArchiveRow[] = [];
    const range = { column: 'open_time', from, to };
    for (const day of this.daysIn(symbol, kind, from, to)) for (const r of await this.readDayRows(kind, symbol, day, keep, range)) rows.push(r);
    rows.sort((a, b) => (a.open_time as number) - (b.open_time as number) || ((a.source as string) < (b.source as string) ? -1 : a.source === b.source ? 0 : 1));
    return rows.map(rowToCandle);
  }

  private daysIn(symbol: string, kind: ArchiveKind, from: number, to: number): string[] {
    const days = this.listDays(symbol, kind);
    if (days.length === 0) return [];
    const lo = Math.max(from, dayStart(days[0]!));
    const hi = Math.min(to, dayStart(days.at(-1)!) + DAY_MS - 1);
    const have = new Set(days);
    return daysBetween(lo, hi).filter((d) => have.has(d));
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a folder; the rename itself is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
