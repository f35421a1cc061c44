import { receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import type { Candle, StructureEvent, SystemEvent, Tick } from '../../core/index.js';
import { eventParams } from '../repos/EventRepo.js';
import { STRUCTURE_WIDTH, structureParams } from '../repos/StructureEventRepo.js';
import { SyntheticSeq } from '../repos/tickIdentity.js';
import type { CandleColumns, TickColumns } from './columns.js';
import { batchMessage, Outbox } from './Outbox.js';
import { SinkCounters, type RecorderSink, type RecorderStats } from './sink.js';
import { EVENT_WIDTH, spawnWriter, type WriterReply } from './writerThread.js';

/** Tuning of the worker sink. */
export type WorkerSinkOptions = Readonly<{
  path: string;
  maxBatch: number;
  maxBuffered: number;
  busyTimeoutMs: number;
  /** Longest the bus's thread blocks waiting for a writer that is `maxBuffered` rows behind, ms. */
  stallMs: number;
  isOpen: () => boolean;
  counters: SinkCounters;
}>;

/**
 * Writes on a store writer thread (`node:worker_threads`) with its own
 * better-sqlite3 connection to the same WAL file. The bus's thread only
 * encodes: ticks and candles into shared columns ({@link TickColumns},
 * {@link CandleColumns}), the few events into a flat value array; a batch is
 * posted when it holds `maxBatch` rows of a kind, or on flush. Every batch
 * is kept here until the writer acknowledges it: a failed one (rolled back
 * there) is re-posted on the next flush, and a writer that dies has its
 * batches re-posted to a new one; the table keys dedupe a retried tick.
 * Memory is bounded: past `maxBuffered` rows in flight the bus's thread waits
 * for the writer (up to `stallMs`), and failed rows kept past `maxBuffered`
 * are dropped oldest first, counted as lost.
 */
export class WorkerSink implements RecorderSink {
  private cols: TickColumns | null = null;
  private candleCols: CandleColumns | null = null;
  private eventRows: unknown[] = [];
  private structureRows: unknown[] = [];
  private readonly outbox = new Outbox();
  private readonly seqs = new SyntheticSeq();
  private readonly c: SinkCounters;
  private worker: Worker | null = null;
  /** Replies of the current worker; read by listener or synchronously (`receiveMessageOnPort`). */
  private port: MessagePort | null = null;
  /** Counts the worker's replies; the bus's thread sleeps on it while it waits for room. */
  private ctrl: Int32Array = new Int32Array(new SharedArrayBuffer(4));
  private exitError: unknown = null;
  private failing = false;
  private stalled = false;
  private drains: (() => void)[] = [];
  private closed: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: WorkerSinkOptions) {
    this.c = options.counters;
  }

  tick(t: Tick): void {
    let cols = this.cols;
    if (cols === null) cols = this.cols = this.outbox.tickColumns(this.options.maxBatch);
    cols.push(t, t.seq ?? this.seqs.next(t.symbol, t.source, t.tsEvent));
    if (cols.full) this.seal(true);
  }

  candle(c: Candle): void {
    let cols = this.candleCols;
    if (cols === null) cols = this.candleCols = this.outbox.candleColumns(this.options.maxBatch);
    cols.push(c);
    if (cols.full) this.seal(true);
  }

  event(e: SystemEvent): void {
    let row: unknown[];
    try {
      row = eventParams(e);
    } catch (error) {
      this.c.rejected++;
      this.c.report(error, 'rows_rejected', 1);
      return;
    }
    for (let i = 0; i < EVENT_WIDTH; i++) this.eventRows.push(row[i]);
    if (this.eventRows.length >= this.options.maxBatch * EVENT_WIDTH) this.seal(true);
  }

  structure(e: StructureEvent): void {
    const row = structureParams(e);
    for (let i = 0; i < STRUCTURE_WIDTH; i++) this.structureRows.push(row[i]);
    if (this.structureRows.length >= this.options.maxBatch * STRUCTURE_WIDTH) this.seal(true);
  }

  start(): void {
    if (this.worker === null) this.spawn();
  }

  flush(): boolean {
    this.seal(false);
    return this.post();
  }

  drain(): Promise<void> {
    this.flush();
    if (this.outbox.count('posted').batches === 0) return Promise.resolve();
    return new Promise((resolve) => this.drains.push(resolve));
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  stats(): RecorderStats {
    this.poll();
    const kept = this.outbox.count('queued');
    const open = {
      ticks: this.cols?.n ?? 0,
      candles: this.candleCols?.n ?? 0,
      events: this.eventRows.length / EVENT_WIDTH,
      structures: this.structureRows.length / STRUCTURE_WIDTH,
    };
    const buffered = {
      ticks: open.ticks + kept.ticks,
      candles: open.candles + kept.candles,
      events: open.events + kept.events,
      structures: open.structures + kept.structures,
    };
    const { batches, rows } = this.outbox.count('posted');
    return this.c.snapshot('worker', buffered, { batches, rows });
  }

  private async shutdown(): Promise<void> {
    await this.drain();
    const worker = this.worker;
    if (worker === null) return;
    const closed = new Promise<void>((resolve) => (this.closed = resolve));
    worker.ref();
    this.port?.ref();
    worker.postMessage({ type: 'close' });
    await closed;
    this.worker = null;
    this.port?.close();
    this.port = null;
    await worker.terminate();
  }

  /** Moves the open rows into a queued batch; `auto` (a full buffer) posts at once unless the writer is failing. */
  private seal(auto: boolean): void {
    const ticks = this.cols !== null && this.cols.n > 0 ? this.cols : null;
    const candles = this.candleCols !== null && this.candleCols.n > 0 ? this.candleCols : null;
    const rows = (ticks?.n ?? 0) + (candles?.n ?? 0) + this.eventRows.length / EVENT_WIDTH + this.structureRows.length / STRUCTURE_WIDTH;
    if (rows === 0) return;
    this.outbox.add(ticks, candles, this.eventRows, this.structureRows, rows);
    if (ticks !== null) this.cols = null;
    if (candles !== null) this.candleCols = null;
    this.eventRows = [];
    this.structureRows = [];
    if (!auto) return;
    if (!this.failing && !this.stalled && this.stopping === null) this.post();
    else this.trim();
  }

  /** Posts every queued batch in order; false when the store is closed or the writer is stalled. */
  private post(): boolean {
    if (!this.options.isOpen()) {
      const rows = this.outbox.count('queued').rows;
      if (rows > 0) this.c.failed(new Error('store is closed'), rows);
      return rows === 0;
    }
    for (const b of this.outbox.values()) {
      if (b.state !== 'queued') continue;
      if (!this.room(b.rows)) return false;
      const worker = this.worker ?? this.spawn();
      b.state = 'posted';
      worker.postMessage(batchMessage(b));
      worker.ref();
      this.port?.ref();
    }
    return true;
  }

  /** Handles the replies already sent, without waiting for the event loop. */
  private poll(): void {
    const port = this.port;
    const worker = this.worker;
    if (port === null || worker === null) return;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      this.onReply(worker, m.message as WriterReply);
    }
  }

  /**
   * Backpressure: waits (blocking, up to `stallMs`) until the writer is no
   * more than `maxBuffered` rows behind. False, and stalled until the writer
   * answers again, when it is not.
   */
  private room(rows: number): boolean {
    const deadline = performance.now() + this.options.stallMs;
    for (;;) {
      const replies = Atomics.load(this.ctrl, 0); // before poll: a reply after it changes the value
      this.poll();
      const ahead = this.outbox.count('posted').rows;
      if (ahead === 0 || ahead + rows <= this.options.maxBuffered) return true;
      const wait = deadline - performance.now();
      if (this.stalled || wait <= 0) {
        this.stalled = true;
        return false;
      }
      Atomics.wait(this.ctrl, 0, replies, wait);
    }
  }

  private spawn(): Worker {
    const { worker, port, ctrl } = spawnWriter(this.options.path, this.options.busyTimeoutMs);
    this.ctrl = ctrl;
    this.exitError = null;
    port.on('message', (reply: WriterReply) => this.onReply(worker, reply));
    port.unref();
    worker.on('error', (error) => {
      if (worker === this.worker) this.exitError = error;
    });
    worker.on('exit', (code) => this.onExit(worker, code));
    worker.unref();
    this.worker = worker;
    this.port = port;
    return worker;
  }

  private onReply(worker: Worker, reply: WriterReply): void {
    if (worker !== this.worker) return;
    this.stalled = false;
    if (reply.type === 'closed') {
      this.closed?.();
      return;
    }
    const b = this.outbox.get(reply.id);
    if (b === undefined || b.state !== 'posted') return;
    if (reply.type === 'done') {
      this.outbox.complete(b);
      this.c.flushes++;
      this.failing = false;
      this.c.written.ticks += reply.ticks;
      this.c.written.candles += reply.candles;
      this.c.written.events += reply.events;
      this.c.written.structures += reply.structures;
      if (reply.rejected > 0) {
        this.c.rejected += reply.rejected;
        this.c.report(new Error(reply.error ?? 'row rejected'), 'rows_rejected', reply.rejected);
      }
    } else {
      b.state = 'queued';
      this.failing = true;
      this.c.failed(Object.assign(new Error(reply.error), { code: reply.code }), b.rows);
      this.trim();
    }
    this.settle(worker);
  }

  /** A writer that exits unasked loses nothing: its batches are queued again for the next flush. */
  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    this.poll(); // replies sent before it ended still count
    this.worker = null;
    this.port?.close();
    this.port = null;
    this.closed?.();
    const rows = this.outbox.requeuePosted();
    if (rows > 0 || this.stopping === null) {
      this.failing = true;
      this.c.failed(this.exitError ?? new Error(`store writer exited with code ${code}`), rows);
      this.trim();
    }
    this.stalled = false;
    this.settle(null);
  }

  /** Resolves `drain()` waiters once nothing is in flight; lets the process exit while idle. */
  private settle(worker: Worker | null): void {
    if (this.outbox.count('posted').batches > 0) return;
    if (this.closed === null) {
      worker?.unref();
      this.port?.unref();
    }
    const waiting = this.drains;
    this.drains = [];
    for (const resolve of waiting) resolve();
  }

  /** Drops the oldest queued batches while the kept rows exceed `maxBuffered`, counting them as lost. */
  private trim(): void {
    const dropped = this.outbox.trim(this.options.maxBuffered);
    if (dropped > 0) {
      this.c.lost += dropped;
      this.c.report(new Error(`recorder kept over ${this.options.maxBuffered} rows while the store fails`), 'rows_lost', dropped);
    }
  }
}
