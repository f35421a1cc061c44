import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { LiveClock, type Candle, type Clock, type Source, type Tick } from '../../core/index.js';
import { CandleAggregator, candleBasisFor, importFile, type ImportSource, type ServerOffset } from '../../pipeline/index.js';
import { openStore, type Store } from '../../store/index.js';
import { Archive, DAY_MS, utcDay } from '../../store/archive/index.js';
import { memoryConfigSchema, RetentionMover, type MemoryConfig } from '../../store/retention/index.js';
import { DATABASE_FILE } from '../compose.js';
import { summarise } from './archiveCommand.js';

/** Arguments of `utp backfill SYMBOL --from --to [--dir D]`. */
export type BackfillArgs = Readonly<{
  /** Canonical symbol the files are imported as, e.g. `BTCUSD`. */
  symbol: string;
  /** ISO date or time; a bare date is 00:00 UTC. */
  from: string;
  /** ISO date or time, inclusive; a bare date means through the end of that UTC day. */
  to: string;
  /** Folder of the files (`--dir`, default the current folder); searched recursively. */
  dir: string;
  dataDir: string;
  /** Broker server clock of MT5 exports (`--server-offset`, hours or `eet`); required when there are MT5 files. */
  serverOffset?: ServerOffset;
  memory?: Partial<MemoryConfig>;
  /** Draw a progress bar (default: stderr is a terminal). */
  tty?: boolean;
  out?: (text: string) => void;
  err?: (text: string) => void;
  clock?: Clock;
}>;

/** A file the backfill will import. */
export type BackfillFile = Readonly<{ path: string; source: ImportSource; day: string | null }>;

/** Binance public-data daily files: `BTCUSDT-aggTrades-2026-01-01.csv` (or `.zip`, `.csv.gz`, with an optional suffix). */
const BINANCE_DAILY = /^([A-Z0-9]+)-(trades|aggTrades|bookTicker|\d+[smhdwM])-(\d{4}-\d{2}-\d{2})(?:[_-][^.]*)?\.(csv|csv\.gz|zip)$/;

/**
 * The files of `dir` (recursively) that belong to `symbol` and the range:
 * Binance daily files of instrument SYMBOL or SYMBOL+`T` (BTCUSD -> BTCUSDT)
 * whose day lies in [from, to]; MT5 exports (`.csv` named after the symbol)
 * of any date, their rows filtered by the range on import. Sorted by day.
 */
export function findBackfillFiles(dir: string, symbol: string, from: number, to: number): BackfillFile[] {
  const instruments = new Set([symbol.toUpperCase(), `${symbol.toUpperCase()}T`]);
  const out: BackfillFile[] = [];
  const walk = (folder: string) => {
    for (const e of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, e.name);
      if (e.isDirectory()) walk(full);
      else {
        const m = BINANCE_DAILY.exec(e.name);
        if (m) {
          const start = Date.parse(`${m[3]}T00:00:00Z`);
          if (instruments.has(m[1]!) && start + DAY_MS > from && start <= to) out.push({ path: full, source: 'binance', day: m[3]! });
        } else if (e.name.toUpperCase().startsWith(symbol.toUpperCase()) && /\.csv$/i.test(e.name)) {
          out.push({ path: full, source: 'mt5', day: null });
        }
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '') || a.path.localeCompare(b.path));
}

/** The single CSV inside a Binance public-data `.zip`, extracted to `tmpDir` under its own name. */
export function unzipSingle(zipPath: string, tmpDir: string): string {
  const buf = readFileSync(zipPath);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipPath} is not a zip file`);
  const cd = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt32LE(cd) !== 0x02014b50) throw new Error(`${zipPath}: bad zip central directory`);
  const method = buf.readUInt16LE(cd + 10);
  const size = buf.readUInt32LE(cd + 20);
  const nameLen = buf.readUInt16LE(cd + 28);
  const local = buf.readUInt32LE(cd + 42);
  const name = path.basename(buf.toString('utf8', cd + 46, cd + 46 + nameLen));
  const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
  const raw = buf.subarray(dataStart, dataStart + size);
  if (method !== 0 && method !== 8) throw new Error(`${zipPath}: zip compression method ${method} is not supported`);
  const file = path.join(tmpDir, name);
  writeFileSync(file, method === 8 ? inflateRawSync(raw) : raw);
  return file;
}

function parseBound(text: string, end: boolean): number {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(bare ? `${text}T00:00:00Z` : text);
  return bare && end ? ms + DAY_MS - 1 : ms;
}

/**
 * `utp backfill`: imports Binance public-data daily files (csv, csv.gz, zip)
 * and MT5 exports already on disk into SQLite (ticks, imported candles, and
 * candles of every timeframe built from the ticks), keeping only rows in
 * [from, to], one transaction per file; then moves finished days down to
 * the Parquet archive like the mover does (raw ticks and old S1/M1 leave
 * SQLite once archived and verified). Archive retention is not applied here:
 * days older than `archiveRetentionDays` are reported, because the next
 * scheduled pass will delete their files. Progress bar on stderr when it is a
 * terminal. Exit code 0, 1 (some file failed), 2 (bad arguments or no files).
 */
export async function runBackfill(args: BackfillArgs): Promise<number> {
  const out = args.out ?? ((t: string) => void process.stdout.write(t));
  const err = args.err ?? ((t: string) => void process.stderr.write(t));
  const from = parseBound(args.from, false);
  const to = parseBound(args.to, true);
  const symbol = args.symbol.toUpperCase();
  const memory = memoryConfigSchema.safeParse(args.memory ?? {});
  const problems: string[] = [];
  if (Number.isNaN(from)) problems.push(`--from is not an ISO date or time: ${args.from}`);
  if (Number.isNaN(to)) problems.push(`--to is not an ISO date or time: ${args.to}`);
  if (!(to >= from)) problems.push('--to is before --from');
  if (!memory.success) problems.push(`memory config: ${memory.error.message}`);
  const files = problems.length === 0 ? findBackfillFiles(args.dir, symbol, from, to) : [];
  if (problems.length === 0 && files.length === 0) problems.push(`no Binance daily files or MT5 exports of ${symbol} for the range in ${args.dir}`);
  if (files.some((f) => f.source === 'mt5') && args.serverOffset === undefined) {
    problems.push('MT5 exports are in broker server time: pass --server-offset HOURS|eet');
  }
  if (problems.length > 0 || !memory.success) {
    err(`utp backfill: ${problems.join('; ')}\n`);
    return 2;
  }
  const clock = args.clock ?? new LiveClock();
  const bar = new ProgressBar(files.length, args.tty ?? process.stderr.isTTY === true, err);
  mkdirSync(args.dataDir, { recursive: true });
  const store = openStore({ path: path.join(args.dataDir, DATABASE_FILE) });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'utp-backfill-'));
  const results: { file: string; ticks: number; candles: number; errors: number; status: string }[] = [];
  try {
    for (const f of files) {
      bar.file(path.basename(f.path));
      try {
        const file = f.path.toLowerCase().endsWith('.zip') ? unzipSingle(f.path, tmp) : f.path;
        const r = await importRange(store, file, f.source, symbol, from, to, args.serverOffset, clock, (rows) => bar.rows(rows));
        results.push({ file: f.path, ...r, status: 'ok' });
        for (const e of r.messages.slice(0, 5)) err(`${e}\n`);
      } catch (error) {
        results.push({ file: f.path, ticks: 0, candles: 0, errors: 1, status: `failed: ${(error as Error).message}` });
      }
      bar.done();
    }
    bar.finish();
    const mover = new RetentionMover({
      db: store.db,
      archive: Archive.forDataDir(args.dataDir, { rowGroupRows: memory.data.archiveRowGroupRows }),
      clock,
      config: memory.data,
    });
    const report = await mover.archiveBefore(clock.now() - memory.data.archiveGraceMinutes * 60_000, clock.now(), { retention: false });
    const oldest = utcDay(clock.now() - memory.data.archiveRetentionDays * DAY_MS);
    const expiring = [...new Set(report.days.filter((d) => d.day < oldest).map((d) => d.day))];
    if (expiring.length > 0) {
      err(
        `utp backfill: ${expiring.length} day(s) (${expiring[0]} .. ${expiring.at(-1)}) are older than the archive retention of ${memory.data.archiveRetentionDays} days: the next retention pass deletes their Parquet files; M5 and longer candles stay in SQLite\n`,
      );
    }
    out(`${JSON.stringify({ symbol, files: results, archive: summarise(report) })}\n`);
    return results.every((r) => r.status === 'ok') && report.errors.length === 0 ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    store.close();
  }
}

/** Imports one file into the store in one transaction, keeping rows in [from, to]; candles are built from its ticks. */
async function importRange(
  store: Store,
  file: string,
  source: ImportSource,
  symbol: string,
  from: number,
  to: number,
  serverOffset: ServerOffset | undefined,
  clock: Clock,
  onRows: (rows: number) => void,
): Promise<{ ticks: number; candles: number; errors: number; messages: string[] }> {
  const runId = store.imports.start({ file: path.resolve(file), source, symbol, startedAt: clock.now() });
  const aggregators = new Map<Source, CandleAggregator>();
  const built: Candle[] = [];
  const messages: string[] = [];
  let ticks = 0;
  let candles = 0;
  let errors = 0;
  store.db.exec('BEGIN IMMEDIATE');
  try {
    const options = { source, symbol, onError: 'skip' as const, ...(source === 'mt5' ? { serverOffset } : {}) };
    for await (const batch of importFile(file, options)) {
      errors += batch.errors.length;
      for (const e of batch.errors) messages.push(`${e.file}:${e.line}: ${e.message}`);
      const keptTicks: Tick[] = batch.ticks.filter((t) => t.tsEvent >= from && t.tsEvent <= to);
      const keptCandles = batch.candles.filter((c) => c.openTime >= from && c.openTime <= to);
      store.ticks.insertTicks(keptTicks);
      store.candles.upsertCandles(keptCandles);
      for (const t of keptTicks) {
        let agg = aggregators.get(t.source);
        if (!agg) aggregators.set(t.source, (agg = new CandleAggregator({ symbol, basis: candleBasisFor(t.source), clock, onClosed: (c) => built.push(c) })));
        agg.add(t);
      }
      store.candles.upsertCandles(built.splice(0));
      ticks += keptTicks.length;
      candles += keptCandles.length;
      onRows(keptTicks.length + keptCandles.length);
    }
    for (const agg of aggregators.values()) for (const tf of agg.timeframes) {
      const open = agg.openCandle(tf);
      if (open) built.push(open);
    }
    store.candles.upsertCandles(built.splice(0));
    store.db.exec('COMMIT');
    store.imports.finish(runId, { status: 'ok', rowsOk: ticks + candles, rowsBad: errors, finishedAt: clock.now() });
    return { ticks, candles, errors, messages };
  } catch (error) {
    if (store.db.inTransaction) store.db.exec('ROLLBACK');
    store.imports.finish(runId, { status: 'failed', rowsOk: 0, rowsBad: errors + 1, finishedAt: clock.now(), error: (error as Error).message });
    throw error;
  }
}

/** A one-line progress bar on a terminal (carriage return), or one line per file otherwise. */
class ProgressBar {
  private done_ = 0;
  private rowCount = 0;
  private name = '';
  constructor(
    private readonly total: number,
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
  ) {}
  file(name: string): void {
    this.name = name;
    this.draw();
  }
  rows(n: number): void {
    this.rowCount += n;
    this.draw();
  }
  done(): void {
    this.done_ += 1;
    if (!this.tty) this.write(`utp backfill: ${this.done_}/${this.total} ${this.name} (${this.rowCount.toLocaleString('en-US')} rows so far)\n`);
    else this.draw();
  }
  finish(): void {
    if (this.tty) this.write('\n');
  }
  private draw(): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.round((this.done_ / Math.max(1, this.total)) * width);
    this.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done_}/${this.total} files ${this.rowCount.toLocaleString('en-US')} rows ${this.name.slice(0, 40).padEnd(40)}`);
  }
}
