import type { Cancel, Clock, EventBus, Lifecycle } from '../../core/index.js';
import { InvalidRequestError } from '../../core/index.js';
import { MEMORY_PATH } from '../Database.js';
import { InlineSink, type RecorderTarget } from './InlineSink.js';
import { SinkCounters, type RecorderErrorHandler, type RecorderSink, type RecorderStats, type RecorderWriter } from './sink.js';
import { WorkerSink } from './WorkerSink.js';

export type { RecorderTarget } from './InlineSink.js';
export type { RecorderErrorHandler, RecorderErrorReason, RecorderRows, RecorderStats, RecorderWriter } from './sink.js';

/** Tuning of the recorder. */
export type BusRecorderOptions = Readonly<{
  /**
   * Rows of one kind per write. Inline: a buffer this long triggers a flush
   * on the next timer turn. Worker: a batch this long is posted at once.
   * Default 2000.
   */
  maxBatch?: number;
  /** Flush period, ms; default 250. */
  flushMs?: number;
  /**
   * Most rows kept, default 100_000. Inline: past it, a healthy store is
   * flushed at once (the producer is outrunning the timer). Worker: past it in
   * flight, the bus's thread waits for the writer. Either way, rows kept for a
   * retry while the store fails are dropped past it, oldest first, counted in `lost`.
   */
  maxBuffered?: number;
  /**
   * Where writes happen. `worker` (default for a file database): a store
   * writer thread with its own connection, off the bus's thread. `inline`
   * (default, and the only choice, for `:memory:`): on the bus's thread
   * through the target's repositories.
   */
  writer?: RecorderWriter;
  /** Worker: busy timeout of the writer's connection, ms; default 5000. */
  busyTimeoutMs?: number;
  /** Worker: longest the bus's thread waits for a writer `maxBuffered` rows behind, ms; default busyTimeoutMs + 5000. */
  stallMs?: number;
  onError?: RecorderErrorHandler;
}>;

/**
 * Persists the bus: `tick.accepted` (every accepted tick of every source, in
 * the venue's prices, with its provenance) to unified_ticks, `candle.closed`
 * to candles (with their analytics columns), `system.event` to event_log,
 * `structure.event` to structure_events. Listeners only buffer; writing happens every
 * `flushMs` (on the clock's timer) or as soon as `maxBatch` rows of a kind
 * are buffered, each batch in one transaction.
 *
 * With the `worker` writer (default for a file database) the bus's thread only
 * encodes rows into columnar batches and posts them to a store writer thread;
 * `flush()` posts, `drain()` waits for the writes, and `stop()` waits until the
 * writer acknowledged every posted batch. A failed write rolls back and its
 * rows are kept for the next flush; rows that break the schema are dropped and
 * reported, the rest of their batch is stored. Ticks without a venue id get a
 * synthetic one on arrival, so a retry never stores a tick twice.
 */
export class BusRecorder implements Lifecycle {
  /** Where this recorder writes. */
  readonly writer: RecorderWriter;
  private readonly sink: RecorderSink;
  private readonly flushMs: number;
  private unsubscribe: (() => void)[] = [];
  private cancelInterval: Cancel | null = null;

  /** Throws InvalidRequestError when `writer: 'worker'` is asked for a target without a database file. */
  constructor(
    private readonly bus: EventBus,
    target: RecorderTarget,
    private readonly clock: Clock,
    options: BusRecorderOptions = {},
  ) {
    const maxBatch = Math.max(1, Math.trunc(options.maxBatch ?? 2000));
    const maxBuffered = Math.max(maxBatch, options.maxBuffered ?? 100_000);
    this.flushMs = Math.max(1, options.flushMs ?? 250);
    const counters = new SinkCounters(options.onError ?? (() => {}));
    const file = target.path !== undefined && target.path !== '' && target.path !== MEMORY_PATH;
    this.writer = options.writer ?? (file ? 'worker' : 'inline');
    if (this.writer === 'worker') {
      if (!file) throw new InvalidRequestError('the worker writer needs a database file; use writer inline for :memory:');
      const busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
      this.sink = new WorkerSink({
        path: target.path as string,
        maxBatch,
        maxBuffered,
        busyTimeoutMs,
        stallMs: Math.max(0, options.stallMs ?? busyTimeoutMs + 5000),
        isOpen: () => target.isOpen,
        counters,
      });
    } else {
      this.sink = new InlineSink(target, clock, { maxBatch, maxBuffered, counters });
    }
  }

  /** Starts the writer, subscribes to the bus and starts the flush timer. Calling it again does nothing. */
  async start(): Promise<void> {
    if (this.unsubscribe.length > 0) return;
    this.sink.start();
    this.unsubscribe = [
      this.bus.subscribe('tick.accepted', (t) => this.sink.tick(t)),
      this.bus.subscribe('candle.closed', (c) => this.sink.candle(c)),
      this.bus.subscribe('system.event', (e) => this.sink.event(e)),
      this.bus.subscribe('structure.event', (e) => this.sink.structure(e)),
    ];
    this.cancelInterval = this.clock.setInterval(() => this.sink.flush(), this.flushMs);
  }

  /**
   * Unsubscribes, cancels the timer, writes what is buffered and waits for it
   * (worker: until the writer acknowledged every batch; then the writer thread
   * ends). Rows of a final write that failed stay counted in `buffered`. Safe to call twice.
   */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.cancelInterval?.();
    this.cancelInterval = null;
    await this.sink.stop();
  }

  /**
   * Hands every buffered row to the writer: inline, writes them in one
   * transaction; worker, posts them (and re-posts failed batches). Returns
   * false when that failed (inline: the rows were kept and reported through
   * `onError`) or could not happen (store closed, writer stalled).
   */
  flush(): boolean {
    return this.sink.flush();
  }

  /** Flushes and resolves once every row handed to the writer is written or has failed. */
  drain(): Promise<void> {
    return this.sink.drain();
  }

  /** Buffer sizes, batches in flight and counters. */
  stats(): RecorderStats {
    return this.sink.stats();
  }
}
