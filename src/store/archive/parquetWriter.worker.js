// The Parquet encoding thread of Archive.writeDay. Plain JavaScript on purpose
// (like src/store/recorder/storeWriter.worker.js): it runs as-is from src/
// (vitest, tsx) and from dist/ (tsc copies it, allowJs), with no TypeScript
// loader in the worker. Everything it needs to know about the file (path,
// Parquet schema, column specs, codec settings, key-value metadata) comes from
// the main thread in workerData, so columns.ts stays the one place that knows
// the layout.
//
// It writes ONE temporary day file: it opens it at start, encodes every row
// group the main thread posts (columnar, see columnPack.ts), digests the rows
// on the way (the same bytes as checksum.ts's RowDigest), and on `finish`
// writes the footer, fsyncs, closes, reads the whole file back with hyparquet
// and digests it again. The main thread compares the two digests, renames the
// file into place, or removes it. It never renames or deletes anything.
//
// Protocol (parentPort):
//   in:  { type: 'group', n, columns: PackedColumn[] }   (one row group; typed arrays transferred)
//        { type: 'finish' }
//   out: { type: 'appended', rows }                       (rows written so far)
//        { type: 'finished', rows, sha256, bytes, check: { rows, sha256 } }
//        { type: 'error', message, name }                 (the write is over; the main thread ends the thread)
import { closeSync, fsyncSync, openSync, readlinkSync, writeSync } from 'node:fs';
import { setPriority } from 'node:os';
import { brotliCompressSync, brotliDecompressSync, constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { RowDigestBuffer } from './rowDigest.worker-shared.js';

const { path, columns, schema, codec, kv, createdBy, gzipLevel, brotliQuality, fractionSuffix, nullCode, niceness } = workerData;

const WRITE_COMPRESSORS = {
  GZIP: (input) => new Uint8Array(gzipSync(input, { level: gzipLevel })),
  BROTLI: (input) =>
    new Uint8Array(brotliCompressSync(input, { params: { [zc.BROTLI_PARAM_QUALITY]: brotliQuality, [zc.BROTLI_PARAM_SIZE_HINT]: input.length } })),
};
const READ_COMPRESSORS = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};
const PARSERS = { timestampFromMilliseconds: (ms) => Number(ms) };

/** Appends each finished row group to the open file. */
class FdWriter extends ByteWriter {
  constructor(fd) {
    super(1 << 20);
    this.fd = fd;
  }
  flush() {
    let done = 0;
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.index = 0;
  }
  finish() {
    this.flush();
  }
}

/** The writer's digest: values as they come from the packed rows. */
class Digest extends RowDigestBuffer {
  value(v) {
    if (v === null) this.nil();
    else if (typeof v === 'number') this.num(v);
    else this.utf8(Buffer.from(v, 'utf8'));
  }
}


/** The hyparquet-writer column data of one packed row group (as columns.ts's columnData builds it from rows). */
function columnData(n, packed) {
  const out = [];
  for (let c = 0; c < columns.length; c++) {
    const spec = columns[c];
    const p = packed[c];
    if (spec.kind === 'ts') {
      const whole = new Array(n);
      const frac = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = p.values[i];
        const w = Math.floor(v);
        whole[i] = w;
        frac[i] = v === w ? null : v - w;
      }
      out.push({ name: spec.name, data: whole, nullable: false, encoding: 'DELTA_BINARY_PACKED' });
      out.push({ name: spec.name + fractionSuffix, data: frac, nullable: true });
      continue;
    }
    let data;
    if (spec.kind === 'i64') {
      data = new Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(p.values[i]); // throws on a fraction, NaN or infinity
    } else if (spec.kind === 'bool') {
      data = new Array(n);
      for (let i = 0; i < n; i++) data[i] = p.values[i] === 1;
    } else if (spec.kind === 'f64' && !spec.nullable) {
      data = p.values;
    } else if (spec.kind === 'f64') {
      data = new Array(n);
      for (let i = 0; i < n; i++) data[i] = p.nulls[i] === 1 ? null : p.values[i];
    } else {
      data = new Array(n);
      for (let i = 0; i < n; i++) data[i] = p.codes[i] === nullCode ? null : p.strings[p.codes[i]];
    }
    const source = { name: spec.name, data, nullable: spec.nullable };
    if (spec.encoding !== undefined) source.encoding = spec.encoding;
    out.push(source);
  }
  return out;
}

/** Reads the file back a row group at a time and digests it as Archive.verifyDay does (columns.ts's normaliseRow). */
async function readBack() {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
  const names = columns.flatMap((c) => (c.kind === 'ts' ? [c.name, c.name + fractionSuffix] : [c.name]));
  const digest = new Digest();
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const raw = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end, columns: names, compressors: READ_COMPRESSORS, parsers: PARSERS });
    for (const r of raw) {
      for (const c of columns) {
        const v = r[c.name];
        if (c.kind === 'ts') {
          const whole = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v;
          const frac = r[c.name + fractionSuffix];
          digest.value(typeof frac === 'number' ? whole + frac : whole);
        } else if (v === null || v === undefined) digest.nil();
        else if (typeof v === 'bigint') digest.num(Number(v));
        else if (typeof v === 'boolean') digest.num(v ? 1 : 0);
        else if (v instanceof Date) digest.num(v.getTime());
        else digest.value(v);
      }
      digest.count += 1;
    }
    digest.spill();
    start = end;
  }
  return digest.result();
}

// Encoding is background work: on Linux this thread lowers its own scheduling priority (nice +10, its
// thread id from /proc/thread-self), so on a busy machine the main thread (ingestion) wins the CPU.
// Elsewhere, or if not allowed, it runs at the process's priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0 && niceness > 0) setPriority(tid, niceness);
} catch {
  // no /proc (macOS, Windows) or not permitted
}

let fd = null;
let out = null;
let writer = null;
const written = new Digest();

function fail(error) {
  if (fd !== null) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    fd = null;
  }
  parentPort.postMessage({ type: 'error', message: String(error?.message ?? error), name: String(error?.name ?? 'Error') });
}

try {
  fd = openSync(path, 'w');
  out = new FdWriter(fd);
  writer = new ParquetWriter({
    writer: out,
    schema,
    codec,
    compressors: WRITE_COMPRESSORS,
    createdBy,
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
  });
} catch (error) {
  fail(error);
}

let failed = writer === null;
parentPort.on('message', async (msg) => {
  if (failed) return;
  try {
    if (msg.type === 'group') {
      if (msg.n > 0) {
        const data = columnData(msg.n, msg.columns);
        written.packedGroup(msg.n, msg.columns, nullCode);
        void writer.write({ columnData: data, rowGroupSize: msg.n });
      }
      parentPort.postMessage({ type: 'appended', rows: written.count });
    } else if (msg.type === 'finish') {
      writer.finish();
      fsyncSync(fd);
      closeSync(fd);
      fd = null;
      const result = written.result();
      const check = await readBack();
      parentPort.postMessage({ type: 'finished', rows: result.rows, sha256: result.sha256, bytes: out.offset, check });
    }
  } catch (error) {
    failed = true;
    fail(error);
  }
});
