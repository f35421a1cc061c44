import { Worker } from 'node:worker_threads';
import type { RowDigestResult } from './checksum.js';
import { NULL_CODE, type PackedGroup } from './columnPack.js';
import { FRACTION_SUFFIX, parquetSchema, type ColumnSpec } from './columns.js';
import { BROTLI_QUALITY, CREATED_BY, GZIP_LEVEL, type ArchiveCodec, type WrittenFile } from './parquetFile.js';

/** The encoding thread's entry: plain JavaScript next to this module, in src/ and in dist/ (as the recorder's writer). */
const WORKER_URL = new URL('./parquetWriter.worker.js', import.meta.url);

/** Scheduling priority the encoding thread gives itself on Linux (nice +10: background work yields the CPU to ingestion). */
export const ENCODE_NICENESS = 10;

/** What the encoding thread reports once the file is complete: what it wrote and what it read back. */
export type EncodedFile = WrittenFile & Readonly<{ check: RowDigestResult }>;

type Reply =
  | { type: 'appended'; rows: number }
  | { type: 'finished'; rows: number; sha256: string; bytes: number; check: RowDigestResult }
  | { type: 'error'; message: string; name: string };

type Waiter = { resolve: (reply: Reply) => void; reject: (error: Error) => void };

/** A write that failed on the encoding thread (an encoding error, or the thread died). */
export class EncodeThreadError extends Error {
  override readonly name = 'EncodeThreadError';
}

/**
 * One Parquet file written by a worker thread: the main thread posts row
 * groups in columnar form (typed arrays over shared memory: nothing is copied
 * but the strings) and awaits each acknowledgement, after which the thread no
 * longer reads the group's memory; the thread encodes, compresses, digests, and at
 * `finish` writes the footer, fsyncs and reads the whole file back. An
 * encoding error or the thread's death rejects the pending and every later
 * call (never hangs). `close()` ends the thread; the caller owns the file.
 */
export class EncodeThread {
  readonly worker: Worker;
  private readonly waiting: Waiter[] = [];
  private failure: Error | null = null;
  private ended = false;

  constructor(path: string, columns: readonly ColumnSpec[], codec: ArchiveCodec, kv: Readonly<Record<string, string>>) {
    this.worker = new Worker(WORKER_URL, {
      execArgv: [],
      workerData: {
        path,
        columns,
        schema: parquetSchema(columns),
        codec,
        kv,
        createdBy: CREATED_BY,
        gzipLevel: GZIP_LEVEL,
        brotliQuality: BROTLI_QUALITY,
        fractionSuffix: FRACTION_SUFFIX,
        nullCode: NULL_CODE,
        niceness: ENCODE_NICENESS,
      },
    });
    this.worker.on('message', (reply: Reply) => {
      if (reply.type === 'error') this.fail(new EncodeThreadError(`parquet encoding thread: ${reply.name}: ${reply.message}`));
      else this.waiting.shift()?.resolve(reply);
    });
    this.worker.on('error', (error) => this.fail(new EncodeThreadError(`parquet encoding thread crashed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      this.ended = true;
      this.fail(new EncodeThreadError(`parquet encoding thread exited with code ${code}`));
    });
  }

  /** Writes one row group; resolves with the rows written so far, once the thread is done with the group's memory. */
  async append(group: PackedGroup): Promise<number> {
    const reply = await this.request({ type: 'group', n: group.n, columns: group.columns });
    if (reply.type !== 'appended') throw new EncodeThreadError(`parquet encoding thread answered ${reply.type} to a row group`);
    return reply.rows;
  }

  /** Completes the file (footer, fsync, close) and reads it back: what was written and what the read-back found. */
  async finish(): Promise<EncodedFile> {
    const reply = await this.request({ type: 'finish' });
    if (reply.type !== 'finished') throw new EncodeThreadError(`parquet encoding thread answered ${reply.type} to finish`);
    return { rows: reply.rows, sha256: reply.sha256, bytes: reply.bytes, check: reply.check };
  }

  /** Ends the thread (also mid-write: it then leaves a partial temp file for the caller to remove). */
  async close(): Promise<void> {
    if (!this.ended) await this.worker.terminate();
  }

  private request(message: unknown): Promise<Reply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}
