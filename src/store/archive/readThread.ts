import { Worker } from 'node:worker_threads';
import type { RowDigestResult } from './checksum.js';
import { NULL_CODE, type PackedGroup } from './columnPack.js';
import { FRACTION_SUFFIX, type ColumnSpec } from './columns.js';
import type { RowGroupRange } from './parquetFile.js';

/** The decoding thread's entry: plain JavaScript next to this module, in src/ and in dist/ (as the encoding thread's). */
const WORKER_URL = new URL('./parquetReader.worker.js', import.meta.url);

/** A read that failed on the decoding thread (a decoding error, or the thread died or was closed). */
export class ParquetReadError extends Error {
  override readonly name = 'ParquetReadError';
}

type Reply =
  | { type: 'opened'; id: number; groups: [number, number][] }
  | { type: 'group'; id: number; n: number; columns: PackedGroup['columns'] }
  | { type: 'released'; id: number }
  | { type: 'digest'; id: number; rows: number; sha256: string }
  | { type: 'error'; id: number; name: string; message: string };

type Waiter = { resolve: (reply: Reply) => void; reject: (error: Error) => void };

type Running = { worker: Worker; waiting: Map<number, Waiter>; dead: boolean };

/**
 * The thread that decodes the archive's Parquet files, so reads (tools
 * reading archived days, the mover merging into a day file, verification)
 * never hold the event loop: hyparquet decodes whole row groups there and
 * hands them back as typed-array columns (transferred, not cloned), and the
 * caller rebuilds rows here in slices. Started on the first read, unref'd
 * while idle (it never keeps the process alive), one thread serving any
 * number of concurrent reads. A decoding error rejects that read only; the
 * thread's death (or `close()`) rejects every pending read with
 * ParquetReadError, and the next read starts a fresh thread.
 */
export class ParquetReadThread {
  private running: Running | null = null;
  private nextId = 1;

  /** The current thread, if started (tests end it to simulate a crash). */
  get worker(): Worker | null {
    return this.running?.worker ?? null;
  }

  /**
   * The row groups of a file, decoded in order (those `range` excludes by
   * their statistics are skipped, never decoded), one group prefetched while
   * the caller works on the current one.
   */
  async *groups(path: string, columns: readonly ColumnSpec[], range?: RowGroupRange): AsyncGenerator<PackedGroup, void, undefined> {
    const run = this.ensure();
    const opened = await this.request(run, { type: 'open', path, columns, range: range ?? null });
    if (opened.type !== 'opened') throw new ParquetReadError(`parquet read thread answered ${opened.type} to open`);
    const handle = opened.id;
    const fetch = (i: number): Promise<PackedGroup> | null => {
      const g = opened.groups[i];
      if (g === undefined) return null;
      const pending = this.request(run, { type: 'group', handle, start: g[0], end: g[1] }).then((reply) => {
        if (reply.type !== 'group') throw new ParquetReadError(`parquet read thread answered ${reply.type} to a row group`);
        return { n: reply.n, columns: reply.columns };
      });
      pending.catch(() => {}); // observed when awaited; a failure before then must not be unhandled
      return pending;
    };
    try {
      let next = fetch(0);
      for (let i = 0; next !== null; i++) {
        const group = await next;
        next = fetch(i + 1);
        yield group;
      }
    } finally {
      if (!run.dead) void this.request(run, { type: 'release', handle }).catch(() => {});
    }
  }

  /** Row count and checksum of a whole file (checksum.ts's RowDigest over the rows it holds), computed on the thread. */
  async digest(path: string, columns: readonly ColumnSpec[]): Promise<RowDigestResult> {
    const reply = await this.request(this.ensure(), { type: 'digest', path, columns });
    if (reply.type !== 'digest') throw new ParquetReadError(`parquet read thread answered ${reply.type} to digest`);
    return { rows: reply.rows, sha256: reply.sha256 };
  }

  /** Ends the thread, rejecting reads in progress; a later read starts a new one. Call at shutdown. */
  async close(): Promise<void> {
    const run = this.running;
    if (run === null) return;
    this.fail(run, new ParquetReadError('parquet read thread closed'));
    await run.worker.terminate();
  }

  private ensure(): Running {
    if (this.running !== null && !this.running.dead) return this.running;
    const worker = new Worker(WORKER_URL, { execArgv: [], workerData: { fractionSuffix: FRACTION_SUFFIX, nullCode: NULL_CODE } });
    worker.unref();
    const run: Running = { worker, waiting: new Map(), dead: false };
    worker.on('message', (reply: Reply) => {
      const waiter = run.waiting.get(reply.id);
      if (waiter === undefined) return;
      run.waiting.delete(reply.id);
      if (run.waiting.size === 0) worker.unref();
      if (reply.type === 'error') waiter.reject(new ParquetReadError(`parquet read thread: ${reply.name}: ${reply.message}`));
      else waiter.resolve(reply);
    });
    worker.on('error', (error) => this.fail(run, new ParquetReadError(`parquet read thread crashed: ${error.message}`)));
    worker.on('exit', (code) => this.fail(run, new ParquetReadError(`parquet read thread exited with code ${code}`)));
    this.running = run;
    return run;
  }

  private request(run: Running, message: Record<string, unknown>): Promise<Reply> {
    if (run.dead) return Promise.reject(new ParquetReadError('parquet read thread ended during the read'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      // referenced while a reply is awaited: a script awaiting a read does not exit under it
      if (run.waiting.size === 0) run.worker.ref();
      run.waiting.set(id, { resolve, reject });
      run.worker.postMessage({ ...message, id });
    });
  }

  private fail(run: Running, error: Error): void {
    run.dead = true;
    if (this.running === run) this.running = null;
    run.worker.unref();
    const waiting = [...run.waiting.values()];
    run.waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}

let shared: ParquetReadThread | null = null;

/** The process's shared decoding thread, for reads that name no Archive (readParquetRows, digestParquet). */
export function sharedReadThread(): ParquetReadThread {
  return (shared ??= new ParquetReadThread());
}
