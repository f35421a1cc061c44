import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  type AsyncBuffer,
  type CompressionCodec,
  type FileMetaData,
} from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { RowDigest, type RowDigestResult } from './checksum.js';
import { NULL_CODE, type PackedGroup } from './columnPack.js';
import { columnData, parquetSchema, type ArchiveRow, type ColumnSpec } from './columns.js';
import { sharedReadThread, type ParquetReadThread } from './readThread.js';

/** Compression codecs the archive can write and read with no native add-on (Node's zlib and the built-in Snappy). */
export type ArchiveCodec = 'SNAPPY' | 'GZIP' | 'BROTLI' | 'UNCOMPRESSED';

/** zlib level of GZIP pages (the encoding thread gets it too). */
export const GZIP_LEVEL = 6;
/** Brotli quality of BROTLI pages (the encoding thread gets it too). */
export const BROTLI_QUALITY = 5;
/** `created_by` of every archive file. */
export const CREATED_BY = 'utp archive (hyparquet-writer)';

/** Compressors for the writer (Snappy is built into hyparquet-writer). */
export const WRITE_COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input, { level: GZIP_LEVEL })),
  BROTLI: (input: Uint8Array) =>
    new Uint8Array(brotliCompressSync(input, { params: { [zc.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zc.BROTLI_PARAM_SIZE_HINT]: input.length } })),
};

/** Decompressors for the reader (Snappy is built into hyparquet). */
export const READ_COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
};

/** Readers get timestamps as epoch-ms numbers rather than Dates. */
const PARSERS = { timestampFromMilliseconds: (ms: bigint) => Number(ms) };

/** A ByteWriter that appends each finished row group to an open file descriptor. */
class FdWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(1 << 20);
  }
  flush(): void {
    let done = 0;
    const bytes = new Uint8Array(this.buffer, 0, this.index);
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
}

/** What was written to an archive file. */
export type WrittenFile = RowDigestResult & Readonly<{ bytes: number }>;

/**
 * Streams rows into one Parquet file on the calling thread, a row group per
 * `append` call, and digests them on the way (the bench's in-process writer;
 * Archive.writeDay encodes on a worker thread, see encodeThread.ts). `finish()` writes the footer and fsyncs; the file
 * is only complete (and only then has a valid footer) after it.
 */
export class ParquetFileWriter {
  private readonly fd: number;
  private readonly out: FdWriter;
  private readonly writer: ParquetWriter;
  private readonly digest: RowDigest;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly columns: readonly ColumnSpec[],
    codec: ArchiveCodec = 'SNAPPY',
    kv: Readonly<Record<string, string>> = {},
  ) {
    this.fd = openSync(path, 'w');
    this.out = new FdWriter(this.fd);
    this.digest = new RowDigest(columns);
    this.writer = new ParquetWriter({
      writer: this.out,
      schema: parquetSchema(columns),
      codec,
      compressors: WRITE_COMPRESSORS,
      createdBy: CREATED_BY,
      kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    });
  }

  /** Writes `rows` as one row group (nothing for an empty list). */
  append(rows: readonly ArchiveRow[]): void {
    if (rows.length === 0) return;
    this.digest.add(rows);
    void this.writer.write({ columnData: columnData(this.columns, rows), rowGroupSize: rows.length });
  }

  /** Writes the footer, fsyncs and closes the file; returns rows, checksum and size. */
  finish(): WrittenFile {
    this.writer.finish();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
    return { ...this.digest.result(), bytes: this.out.offset };
  }

  /** Closes the file without a footer (the caller deletes it). Safe after `finish`. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** An opened archive file: its metadata, read a row group at a time. */
export type OpenedParquet = Readonly<{ file: AsyncBuffer; metadata: FileMetaData; rows: number }>;

/** Opens a Parquet file and parses its footer. */
export async function openParquet(path: string): Promise<OpenedParquet> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
  return { file, metadata, rows: Number(metadata.num_rows) };
}

/** A time range of one timestamp column (inclusive, epoch ms): row groups whose statistics lie outside are not decoded. */
export type RowGroupRange = Readonly<{ column: string; from: number; to: number }>;

/** Rows rebuilt per event-loop turn from a decoded row group (well under a millisecond of work). */
const REBUILD_SLICE_ROWS = 1_000;

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type PackedColumns = PackedGroup['columns'];
type RowBuilder = (packed: PackedColumns, i: number) => ArchiveRow;

/** Value `i` of a decoded column, as normaliseRow gives it (null, number or string). */
function valueAt(p: PackedColumns[number], i: number): string | number | null {
  if (p.codes !== undefined) {
    const code = p.codes[i]!;
    return code === NULL_CODE ? null : p.strings![code]!;
  }
  return p.nulls !== undefined && p.nulls[i] === 1 ? null : p.values![i]!;
}

const builders = new WeakMap<readonly ColumnSpec[], RowBuilder>();

/**
 * A function building row `i` of a decoded group as one object literal with
 * every column (names from the column specs, in column order): each row gets
 * one compact shape with in-object properties, about half the memory (and GC
 * time) of an object grown key by key.
 */
function rowBuilder(columns: readonly ColumnSpec[]): RowBuilder {
  let build = builders.get(columns);
  if (build === undefined) {
    const body = columns.map((c, k) => `${JSON.stringify(c.name)}: v(p[${k}], i)`).join(', ');
    build = new Function('v', `return (p, i) => ({ ${body} });`)(valueAt) as RowBuilder;
    builders.set(columns, build);
  }
  return build;
}

/** Rebuilds rows `[start, end)` of a decoded row group in the SQLite row shape (as normaliseRow). */
function rebuildRows(build: RowBuilder, group: PackedGroup, start: number, end: number, out: ArchiveRow[], keep?: (row: ArchiveRow) => boolean): void {
  const packed = group.columns;
  for (let i = start; i < end; i++) {
    const row = build(packed, i);
    if (keep === undefined || keep(row)) out.push(row);
  }
}

/**
 * Reads the rows of a file one row group at a time, in order, back into the
 * SQLite row shape. The Parquet decoding runs on a worker thread (readThread.ts;
 * the shared one unless `thread` names another); this thread only rebuilds the
 * rows from the typed-array columns, a slice per event-loop turn. Optional
 * `keep` filters rows of a group (after decoding); optional `range` skips row
 * groups whose statistics exclude it. Throws ParquetReadError when the file
 * cannot be decoded or the thread dies.
 */
export async function* readParquetRows(
  path: string,
  columns: readonly ColumnSpec[],
  keep?: (row: ArchiveRow) => boolean,
  range?: RowGroupRange,
  thread: ParquetReadThread = sharedReadThread(),
): AsyncGenerator<ArchiveRow[], void, undefined> {
  const build = rowBuilder(columns);
  for await (const group of thread.groups(path, columns, range)) {
    const rows: ArchiveRow[] = [];
    for (let at = 0; at < group.n; at += REBUILD_SLICE_ROWS) {
      if (at > 0) await yieldTurn();
      rebuildRows(build, group, at, Math.min(group.n, at + REBUILD_SLICE_ROWS), rows, keep);
    }
    yield rows;
  }
}

/** Reads a whole file back and digests it (the verification of a written file), on the decoding thread. */
export async function digestParquet(path: string, columns: readonly ColumnSpec[], thread: ParquetReadThread = sharedReadThread()): Promise<RowDigestResult> {
  return thread.digest(path, columns);
}

/** The codec name as hyparquet spells it, for callers that hold a plain string. */
export function isArchiveCodec(value: string): value is ArchiveCodec & CompressionCodec {
  return value === 'SNAPPY' || value === 'GZIP' || value === 'BROTLI' || value === 'UNCOMPRESSED';
}
