import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync, constants as zc, gunzipSync, gzipSync } from 'node:zlib';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  type AsyncBuffer,
  type CompressionCodec,
  type FileMetaData,
} from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { RowDigest, type RowDigestResult } from './checksum.js';
import { columnData, normaliseRow, parquetColumnNames, parquetSchema, type ArchiveRow, type ColumnSpec } from './columns.js';

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

function groupOutside(group: FileMetaData['row_groups'][number], range: RowGroupRange): boolean {
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === range.column);
  const stats = chunk?.meta_data?.statistics;
  const min = stats?.min_value;
  const max = stats?.max_value;
  if (typeof min !== 'number' || typeof max !== 'number') return false;
  // statistics hold whole ms; a time with a fraction lies in [whole, whole + 1)
  return max + 1 <= range.from || min > range.to;
}

/**
 * Reads the rows of a file one row group at a time, in order, back into the
 * SQLite row shape. Optional `keep` filters rows of a group (after decoding);
 * optional `range` skips row groups whose statistics exclude it.
 */
export async function* readParquetRows(
  path: string,
  columns: readonly ColumnSpec[],
  keep?: (row: ArchiveRow) => boolean,
  range?: RowGroupRange,
): AsyncGenerator<ArchiveRow[], void, undefined> {
  const { file, metadata } = await openParquet(path);
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    if (range !== undefined && groupOutside(group, range)) {
      start = end;
      continue;
    }
    const raw = (await parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: end,
      columns: parquetColumnNames(columns),
      compressors: READ_COMPRESSORS,
      parsers: PARSERS,
    })) as Record<string, unknown>[];
    const rows: ArchiveRow[] = [];
    for (const r of raw) {
      const row = normaliseRow(columns, r);
      if (keep === undefined || keep(row)) rows.push(row);
    }
    yield rows;
    start = end;
  }
}

/** Reads a whole file back and digests it: the verification of a written file. */
export async function digestParquet(path: string, columns: readonly ColumnSpec[]): Promise<RowDigestResult> {
  const digest = new RowDigest(columns);
  for await (const rows of readParquetRows(path, columns)) digest.add(rows);
  return digest.result();
}

/** The codec name as hyparquet spells it, for callers that hold a plain string. */
export function isArchiveCodec(value: string): value is ArchiveCodec & CompressionCodec {
  return value === 'SNAPPY' || value === 'GZIP' || value === 'BROTLI' || value === 'UNCOMPRESSED';
}
