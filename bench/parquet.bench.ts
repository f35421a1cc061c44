// Parquet archive budget (DESIGN.md section 9: archive >= 8x smaller than the same ticks as JSON lines) and the
// library choice of issue 7: the same recorded day written with hyparquet-writer and with parquetjs-lite,
// compared on size, write speed, and whether DuckDB and hyparquet read the rows back exactly.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { importFile, type ImportOptions } from '../src/pipeline/index.js';
import { openStore } from '../src/store/index.js';
import { ArchiveSql } from '../src/store/archive/sqliteRows.js';
import { FRACTION_SUFFIX, TICK_COLUMNS, type ArchiveRow, type ColumnSpec } from '../src/store/archive/columns.js';
import { digestRows, type RowDigestResult } from '../src/store/archive/checksum.js';
import { digestParquet, openParquet, ParquetFileWriter, READ_COMPRESSORS, type ArchiveCodec } from '../src/store/archive/parquetFile.js';
import { normaliseRow, parquetColumnNames } from '../src/store/archive/columns.js';
import { parquetReadObjects } from 'hyparquet';
import { Archive } from '../src/store/archive/Archive.js';
import { utcDay } from '../src/store/archive/layout.js';
import { DayArchiver } from '../src/store/retention/dayArchiver.js';

const require = createRequire(import.meta.url);
const fixture = (rel: string) => fileURLToPath(new URL(`../test/fixtures/${rel}`, import.meta.url));

/** One recorded day (or recording) of ticks, in the archive's row shape and order. */
export type BenchDay = Readonly<{ name: string; rows: ArchiveRow[] }>;

/** One writer variant's result on one recording. */
export type ParquetBenchRow = Readonly<{
  data: string;
  writer: string;
  bytes: number;
  jsonlBytes: number;
  ratio: number;
  writeMs: number;
  rowsPerSecond: number;
  /** Longest single row-group encode (hyparquet-writer only; null for parquetjs-lite, which has no such unit). */
  maxGroupMs: number | null;
  duckdbExact: boolean;
  hyparquetExact: boolean;
}>;

/** Loads a recorded file through the importers and the store, then reads it back as archive rows. */
export async function loadDay(name: string, file: string, options: ImportOptions): Promise<BenchDay> {
  const store = openStore({ path: ':memory:' });
  try {
    for await (const batch of importFile(file, options)) store.ticks.insertTicks(batch.ticks);
    const rows = new ArchiveSql(store.db).ticks(options.symbol, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    return { name, rows };
  } finally {
    store.close();
  }
}

/** The recordings the bench writes: a whole real broker day of gold quotes, and busy Binance aggTrades. */
export async function benchDays(): Promise<BenchDay[]> {
  return [
    await loadDay('oanda XAUUSD 2014-05-06 (whole day, quotes)', fixture('oanda/20140506_xauusd_tick_quote.csv.gz'), {
      source: 'oanda',
      symbol: 'XAUUSD',
      onError: 'stop',
    }),
    await loadDay('binance BTCUSDT aggTrades 2026-01-01 (5000 trades)', fixture('binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv'), {
      source: 'binance',
      symbol: 'BTCUSD',
      onError: 'stop',
    }),
  ];
}

/** The rows as JSON lines, the baseline of the size budget. */
export function jsonLines(rows: readonly ArchiveRow[]): string {
  let out = '';
  for (const r of rows) out += `${JSON.stringify(r)}\n`;
  return out;
}

/** Reads a Parquet file with DuckDB in the archive column order and digests it. */
export async function duckdbDigest(file: string, columns: readonly ColumnSpec[]): Promise<RowDigestResult> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const select = columns
      .map((c) => (c.kind === 'ts' ? `epoch_ms("${c.name}") + coalesce("${c.name}${FRACTION_SUFFIX}", 0) AS "${c.name}"` : `"${c.name}"`))
      .join(', ');
    const reader = await conn.runAndReadAll(`SELECT ${select} FROM read_parquet('${file.replace(/'/g, "''")}')`);
    const rows: ArchiveRow[] = reader.getRowObjects().map((raw) => {
      const row: ArchiveRow = {};
      for (const c of columns) {
        const v = raw[c.name];
        row[c.name] = v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number);
      }
      return row;
    });
    return digestRows(columns, rows);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const CHUNK = 65_536;
/** Longest single row-group encode of the last hyparquet-writer run, ms: the longest the event loop is held. */
let lastMaxGroupMs = 0;

function writeHyparquet(file: string, rows: readonly ArchiveRow[], codec: ArchiveCodec, groupRows = CHUNK): void {
  const w = new ParquetFileWriter(file, TICK_COLUMNS, codec);
  lastMaxGroupMs = 0;
  for (let i = 0; i < rows.length; i += groupRows) {
    const t0 = performance.now();
    w.append(rows.slice(i, i + groupRows));
    lastMaxGroupMs = Math.max(lastMaxGroupMs, performance.now() - t0);
  }
  w.finish();
}

async function writeParquetjs(file: string, rows: readonly ArchiveRow[], compression: 'SNAPPY' | 'GZIP'): Promise<void> {
  const parquet = require('parquetjs-lite') as {
    ParquetSchema: new (s: Record<string, unknown>) => unknown;
    ParquetWriter: { openFile(schema: unknown, path: string, opts?: unknown): Promise<{ appendRow(r: unknown): Promise<void>; close(): Promise<void>; setRowGroupSize(n: number): void }> };
  };
  const fields: Record<string, unknown> = {};
  for (const c of TICK_COLUMNS) {
    const type = c.kind === 'ts' ? 'TIMESTAMP_MILLIS' : c.kind === 'i64' ? 'INT64' : c.kind === 'f64' ? 'DOUBLE' : c.kind === 'bool' ? 'BOOLEAN' : 'UTF8';
    fields[c.name] = { type, optional: c.nullable, compression };
    if (c.kind === 'ts') fields[c.name + FRACTION_SUFFIX] = { type: 'DOUBLE', optional: true, compression };
  }
  const writer = await parquet.ParquetWriter.openFile(new parquet.ParquetSchema(fields), file);
  writer.setRowGroupSize(CHUNK);
  for (const r of rows) {
    const row: Record<string, unknown> = {};
    for (const c of TICK_COLUMNS) {
      const v = r[c.name];
      if (v === null) continue;
      if (c.kind !== 'ts') row[c.name] = v;
      else {
        row[c.name] = Math.floor(v as number);
        if (row[c.name] !== v) row[c.name + FRACTION_SUFFIX] = (v as number) - Math.floor(v as number);
      }
    }
    await writer.appendRow(row);
  }
  await writer.close();
}

type Variant = Readonly<{ writer: string; write: (file: string, rows: readonly ArchiveRow[]) => Promise<void> | void }>;

const VARIANTS: readonly Variant[] = [
  { writer: 'hyparquet-writer SNAPPY', write: (f, r) => writeHyparquet(f, r, 'SNAPPY') },
  { writer: 'hyparquet-writer GZIP', write: (f, r) => writeHyparquet(f, r, 'GZIP') },
  { writer: 'hyparquet GZIP 5k groups', write: (f, r) => writeHyparquet(f, r, 'GZIP', 5_000) },
  { writer: 'hyparquet-writer BROTLI', write: (f, r) => writeHyparquet(f, r, 'BROTLI') },
  { writer: 'parquetjs-lite SNAPPY', write: (f, r) => writeParquetjs(f, r, 'SNAPPY') },
  { writer: 'parquetjs-lite GZIP', write: (f, r) => writeParquetjs(f, r, 'GZIP') },
];

/**
 * Writes every bench recording with every writer variant, reads each file
 * back with DuckDB and with hyparquet, and prints one table: bytes, ratio to
 * JSON lines, write time and rows/s, exact read-back. Returns the rows.
 */
export async function parquetBench(rounds = 3): Promise<ParquetBenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-parquet-bench-'));
  const out: ParquetBenchRow[] = [];
  try {
    for (const day of await benchDays()) {
      const expected = digestRows(TICK_COLUMNS, day.rows);
      const jsonl = jsonLines(day.rows);
      const jsonlFile = path.join(dir, 'ticks.jsonl');
      writeFileSync(jsonlFile, jsonl);
      const jsonlBytes = statSync(jsonlFile).size;
      for (const v of VARIANTS) {
        const file = path.join(dir, `${v.writer.replace(/\W+/g, '_')}.parquet`);
        let best = Infinity;
        let maxGroupMs: number | null = null;
        for (let r = 0; r < rounds; r++) {
          const t0 = performance.now();
          await v.write(file, day.rows);
          const ms = performance.now() - t0;
          if (ms < best) {
            best = ms;
            maxGroupMs = v.writer.startsWith('hyparquet') ? lastMaxGroupMs : null;
          }
        }
        const bytes = statSync(file).size;
        const duck = await duckdbDigest(file, TICK_COLUMNS);
        let hyparquetExact = false;
        try {
          const h = await digestParquet(file, TICK_COLUMNS);
          hyparquetExact = h.rows === expected.rows && h.sha256 === expected.sha256;
        } catch {
          hyparquetExact = false;
        }
        out.push({
          data: day.name,
          writer: v.writer,
          bytes,
          jsonlBytes,
          ratio: jsonlBytes / bytes,
          writeMs: best,
          rowsPerSecond: (day.rows.length / best) * 1000,
          maxGroupMs,
          duckdbExact: duck.rows === expected.rows && duck.sha256 === expected.sha256,
          hyparquetExact,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(out);
  await loopStall((await benchDays())[0]!, rounds);
  return out;
}

/** Event-loop delay while one way of archiving (or reading) a day runs (monitorEventLoopDelay, 1 ms resolution); `bytes` holds the rows for reads. */
export type LoopStallRow = Readonly<{ path: string; p99Ms: number; maxMs: number; ms: number; bytes: number }>;

async function measure(pathName: string, run: () => Promise<number>): Promise<LoopStallRow> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  const t0 = performance.now();
  h.enable();
  const bytes = await run();
  h.disable();
  return { path: pathName, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, ms: performance.now() - t0, bytes };
}

/** The archive's former path, kept for comparison: encode each row group on this thread, yield, then read back here. */
async function writeOnMainThread(file: string, rows: readonly ArchiveRow[], rowGroupRows: number): Promise<number> {
  const w = new ParquetFileWriter(file, TICK_COLUMNS, 'GZIP');
  for (let i = 0; i < rows.length; i += rowGroupRows) {
    w.append(rows.slice(i, i + rowGroupRows));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const result = w.finish();
  await digestParquet(file, TICK_COLUMNS);
  return result.bytes;
}

/** The archive's former read path, kept for comparison: decode each row group with hyparquet on this thread (rows kept, as readDayRows). */
async function readOnMainThread(file: string): Promise<number> {
  const { file: buffer, metadata } = await openParquet(file);
  let start = 0;
  const rows: ArchiveRow[] = [];
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const raw = (await parquetReadObjects({
      file: buffer,
      metadata,
      rowStart: start,
      rowEnd: end,
      columns: parquetColumnNames(TICK_COLUMNS),
      compressors: READ_COMPRESSORS,
      parsers: { timestampFromMilliseconds: (ms: bigint) => Number(ms) },
    })) as Record<string, unknown>[];
    for (const r of raw) rows.push(normaliseRow(TICK_COLUMNS, r));
    start = end;
  }
  return rows.length;
}

/**
 * How long the event loop is held while a whole day is archived (write and
 * read-back verification, GZIP, 5,000-row groups): the former main-thread
 * encoder, Archive.writeDay (encoding thread) fed from memory, the mover's
 * whole step from SQLite (DayArchiver.ticks: windowed reads, write, verify,
 * prune), and the same time with nothing running (this machine's noise floor:
 * on a loaded machine, max is mostly the scheduler). Each path runs `rounds`
 * times; the row with the lowest max is kept.
 */
export async function loopStall(day: BenchDay, rounds = 3): Promise<LoopStallRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-parquet-stall-'));
  const results: LoopStallRow[] = [];
  const best = async (name: string, run: () => Promise<number>, setup?: () => void) => {
    let kept: LoopStallRow | null = null;
    for (let r = 0; r < rounds; r++) {
      setup?.();
      const row = await measure(name, run);
      if (kept === null || row.maxMs < kept.maxMs) kept = row;
    }
    results.push(kept!);
    return kept!;
  };
  const store = openStore({ path: ':memory:' });
  try {
    const windows = function* () {
      for (let i = 0; i < day.rows.length; i += 2_000) yield day.rows.slice(i, i + 2_000);
    };
    await best('main thread (before)', () => writeOnMainThread(path.join(dir, 'main.parquet'), day.rows, 5_000));
    const archive = new Archive({ dir, rowGroupRows: 5_000 });
    const thread = await best('encoding thread, from memory', async () => (await archive.writeDay('ticks', 'BENCH', '2014-05-06', windows()))?.bytes ?? 0);
    const insert = store.db.prepare(`INSERT INTO unified_ticks (${TICK_COLUMNS.map((c) => `"${c.name}"`).join(', ')}) VALUES (${TICK_COLUMNS.map(() => '?').join(', ')})`);
    const fill = store.db.transaction(() => {
      for (const r of day.rows) insert.run(...TICK_COLUMNS.map((c) => r[c.name] ?? null));
    });
    const symbol = day.rows[0]!.symbol as string;
    const dayName = utcDay(day.rows[0]!.ts_event as number);
    await best(
      'encoding thread, mover step from SQLite',
      async () => {
        const outcome = await new DayArchiver(store.db, archive).ticks(symbol, dayName);
        if (outcome.pruned !== day.rows.length) throw new Error(`mover pruned ${outcome.pruned} of ${day.rows.length}`);
        return statSync(archive.pathOf('ticks', symbol, dayName)).size;
      },
      () => {
        rmSync(archive.pathOf('ticks', symbol, dayName), { force: true }); // a first archive of the day, not a merge
        fill();
      },
    );
    const file = archive.pathOf('ticks', 'BENCH', '2014-05-06');
    await best('read day, main thread (before)', () => readOnMainThread(file));
    await best('read day, decoding thread (readDayRows)', async () => (await archive.readDayRows('ticks', 'BENCH', '2014-05-06')).length);
    await best('verify day, decoding thread (verifyDay)', async () => (await archive.verifyDay('ticks', 'BENCH', '2014-05-06'))?.rows ?? 0);
    await archive.close();
    await best('idle (noise floor)', async () => {
      await new Promise((resolve) => setTimeout(resolve, thread.ms));
      return 0;
    });
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n[parquet] event loop held while archiving and reading ${day.name} (write + verify, GZIP, 5,000-row groups, best max of ${rounds})`);
  for (const r of results) {
    const what = r.path.startsWith('read') || r.path.startsWith('verify') ? `rows ${r.bytes.toLocaleString('en-US')}` : `file ${r.bytes.toLocaleString('en-US')} bytes`;
    console.log(`  ${r.path.padEnd(42)} loop delay p99 ${r.p99Ms.toFixed(1).padStart(6)} ms   max ${r.maxMs.toFixed(1).padStart(6)} ms   ${r.ms.toFixed(0).padStart(6)} ms   ${what}`);
  }
  return results;
}

function printTable(rows: readonly ParquetBenchRow[]): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  let data = '';
  for (const r of rows) {
    if (r.data !== data) {
      data = r.data;
      console.log(`\n[parquet] ${data}: JSON lines ${fmt(r.jsonlBytes)} bytes`);
      console.log(`  ${'writer'.padEnd(26)} ${'bytes'.padStart(10)} ${'vs JSONL'.padStart(9)} ${'write ms'.padStart(9)} ${'rows/s'.padStart(11)} ${'max group ms'.padStart(12)}  duckdb  hyparquet  budget>=8x`);
    }
    console.log(
      `  ${r.writer.padEnd(26)} ${fmt(r.bytes).padStart(10)} ${`${r.ratio.toFixed(1)}x`.padStart(9)} ${r.writeMs.toFixed(1).padStart(9)} ${fmt(r.rowsPerSecond).padStart(11)} ${(r.maxGroupMs === null ? '-' : r.maxGroupMs.toFixed(1)).padStart(12)}  ${(r.duckdbExact ? 'exact' : 'DIFF').padEnd(6)}  ${(r.hyparquetExact ? 'exact' : 'DIFF').padEnd(9)}  ${r.ratio >= 8 ? 'PASS' : 'MISS'}`,
    );
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await parquetBench(Number(process.env.UTP_BENCH_ROUNDS ?? 3));
}
