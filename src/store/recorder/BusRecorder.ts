import type { Cancel, Candle, Clock, EventBus, Lifecycle, SystemEvent, Tick } from '../../core/index.js';
import { DataIntegrityError } from '../../core/index.js';
import type { Store } from '../Database.js';

/** The parts of the store the recorder writes to. */
export type RecorderTarget = Pick<Store, 'ticks' | 'candles' | 'events' | 'transaction' | 'isOpen'>;

/** Why the recorder called `onError`. */
export type RecorderErrorReason =
  /** A flush failed and rolled back; `rows` rows are kept for the next attempt. */
  | 'flush_failed'
  /** `rows` rows break the schema and were dropped; the rest of the batch was stored. */
  | 'rows_rejected'
  /** The buffer passed `maxBuffered` while the store was failing; the oldest `rows` rows were dropped. */
  | 'rows_lost';

/** Receives recorder failures; the recorder never throws into the bus. */
export type RecorderErrorHandler = (error: unknown, info: Readonly<{ reason: RecorderErrorReason; rows: number }>) => void;

/** Tuning of the recorder. */
export type BusRecorderOptions = Readonly<{
  /** A buffer this long triggers a flush on the next timer turn; default 2000. */
  maxBatch?: number;
  /** Flush period, ms; default 250. */
  flushMs?: number;
  /**
   * Most rows one buffer keeps, default 100_000. Past it, a healthy store is
   * flushed at once (the producer is outrunning the timer); a failing store
   * loses the oldest rows, counted in `lost`.
   */
  maxBuffered?: number;
  onError?: RecorderErrorHandler;
}>;

/** Counters of the recorder, for the status tool. */
export type RecorderStats = Readonly<{
  buffered: Readonly<{ ticks: number; candles: number; events: number }>;
  /** Rows written: ticks newly inserted (venue duplicates excluded), candles upserted, events appended. */
  written: Readonly<{ ticks: number; candles: number; events: number }>;
  /** Rows dropped because the buffer overflowed while the store failed. */
  lost: number;
  /** Rows dropped because they break the schema. */
  rejected: number;
  flushes: number;
  failures: number;
  lastError: string | null;
}>;

/**
 * Persists the bus: `tick.fused` to unified_ticks, `candle.closed` to candles,
 * `system.event` to event_log. Listeners only push to arrays; writing happens
 * on the clock's timer, every `flushMs` or as soon as a buffer holds
 * `maxBatch` rows, all buffers in one transaction. A failed flush rolls back
 * and keeps its rows for the next attempt; `stop()` flushes what is left.
 */
export class BusRecorder implements Lifecycle {
  private ticks: Tick[] = [];
  private candles: Candle[] = [];
  private events: SystemEvent[] = [];
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly maxBuffered: number;
  private readonly slack: number;
  private readonly onError: RecorderErrorHandler;
  private unsubscribe: (() => void)[] = [];
  private cancelInterval: Cancel | null = null;
  private cancelSoon: Cancel | null = null;
  private failing = false;
  private flushing = false;
  private readonly written = { ticks: 0, candles: 0, events: 0 };
  private lost = 0;
  private rejected = 0;
  private flushes = 0;
  private failures = 0;
  private lastError: string | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly target: RecorderTarget,
    private readonly clock: Clock,
    options: BusRecorderOptions = {},
  ) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 2000);
    this.flushMs = Math.max(1, options.flushMs ?? 250);
    this.maxBuffered = Math.max(this.maxBatch, options.maxBuffered ?? 100_000);
    this.slack = Math.max(1, Math.floor(this.maxBuffered / 10));
    this.onError = options.onError ?? (() => {});
  }

  /** Subscribes to the bus and starts the flush timer. Calling it again does nothing. */
  async start(): Promise<void> {
    if (this.unsubscribe.length > 0) return;
    this.unsubscribe = [
      this.bus.subscribe('tick.fused', (t) => this.push(this.ticks, t)),
      this.bus.subscribe('candle.closed', (c) => this.push(this.candles, c)),
      this.bus.subscribe('system.event', (e) => this.push(this.events, e)),
    ];
    this.cancelInterval = this.clock.setInterval(() => this.flush(), this.flushMs);
  }

  /** Unsubscribes, cancels the timers and flushes what is buffered. Safe to call twice. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.cancelInterval?.();
    this.cancelInterval = null;
    this.cancelSoon?.();
    this.cancelSoon = null;
    this.flush();
  }

  /**
   * Writes every buffered row in one transaction. Returns true when the
   * buffers were written (or empty); false when the flush failed and the rows
   * were kept for the next attempt (reported through `onError`).
   */
  flush(): boolean {
    this.cancelSoon?.();
    this.cancelSoon = null;
    if (this.flushing) return false;
    const batch: Batch = { ticks: this.ticks, candles: this.candles, events: this.events };
    const rows = batch.ticks.length + batch.candles.length + batch.events.length;
    if (rows === 0) return true;
    this.ticks = [];
    this.candles = [];
    this.events = [];
    this.flushing = true;
    try {
      if (!this.target.isOpen) throw new Error('store is closed');
      try {
        this.write(batch, false);
      } catch (error) {
        if (!isDataError(error)) throw error;
        this.write(batch, true); // a row breaks the schema: store the rest, drop the culprits
      }
      this.flushes++;
      this.failing = false;
      return true;
    } catch (error) {
      // rolled back: put the batch back in front of anything pushed meanwhile
      this.ticks = restore(batch.ticks, this.ticks);
      this.candles = restore(batch.candles, this.candles);
      this.events = restore(batch.events, this.events);
      this.failures++;
      this.failing = true;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.report(error, 'flush_failed', rows);
      this.trim();
      return false;
    } finally {
      this.flushing = false;
    }
  }

  /** Current buffer sizes and counters. */
  stats(): RecorderStats {
    return {
      buffered: { ticks: this.ticks.length, candles: this.candles.length, events: this.events.length },
      written: { ...this.written },
      lost: this.lost,
      rejected: this.rejected,
      flushes: this.flushes,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  private push<T>(buffer: T[], item: T): void {
    buffer.push(item);
    const n = buffer.length;
    if (n >= this.maxBatch && this.cancelSoon === null && !this.failing) {
      this.cancelSoon = this.clock.setTimeout(() => this.flush(), 0);
    }
    if (n >= this.maxBuffered) {
      if (!this.failing) this.flush();
      else if (n > this.maxBuffered + this.slack) this.trim();
    }
  }

  /** One transaction over all buffers; `tolerant` writes row by row, dropping rows that break the schema. */
  private write(batch: Batch, tolerant: boolean): void {
    const { ticks, candles, events } = batch;
    const t = this.target;
    const done = { ticks: 0, candles: 0, events: 0 };
    let dropped = 0;
    let lastDataError: unknown = null;
    const each = <T>(rows: readonly T[], one: (row: T) => number): number => {
      let n = 0;
      for (const row of rows) {
        try {
          n += t.transaction(() => one(row));
        } catch (error) {
          if (!isDataError(error)) throw error;
          dropped++;
          lastDataError = error;
        }
      }
      return n;
    };
    t.transaction(() => {
      if (!tolerant) {
        done.ticks = t.ticks.insertTicks(ticks);
        t.candles.upsertCandles(candles);
        done.candles = candles.length;
        done.events = t.events.appendMany(events);
      } else {
        done.ticks = each(ticks, (x) => t.ticks.insertTicks([x]));
        done.candles = each(candles, (x) => (t.candles.upsertCandles([x]), 1));
        done.events = each(events, (x) => t.events.appendMany([x]));
      }
    });
    this.written.ticks += done.ticks;
    this.written.candles += done.candles;
    this.written.events += done.events;
    if (dropped > 0) {
      this.rejected += dropped;
      this.report(lastDataError, 'rows_rejected', dropped);
    }
  }

  /** Drops the oldest rows of every buffer above `maxBuffered`, counting them as lost. */
  private trim(): void {
    let dropped = 0;
    for (const buffer of [this.ticks, this.candles, this.events] as unknown[][]) {
      const excess = buffer.length - this.maxBuffered;
      if (excess > 0) {
        buffer.splice(0, excess);
        dropped += excess;
      }
    }
    if (dropped > 0) {
      this.lost += dropped;
      this.report(new Error(`recorder buffer over ${this.maxBuffered} rows while the store fails`), 'rows_lost', dropped);
    }
  }

  private report(error: unknown, reason: RecorderErrorReason, rows: number): void {
    try {
      this.onError(error, { reason, rows });
    } catch {
      // a faulty error handler must not break recording
    }
  }
}

type Batch = { ticks: Tick[]; candles: Candle[]; events: SystemEvent[] };

function restore<T>(batch: T[], newer: T[]): T[] {
  return newer.length === 0 ? batch : batch.concat(newer);
}

/**
 * True for errors a retry cannot fix because a row itself is bad: constraint
 * violations, type mismatches, unbindable or unserialisable values.
 */
function isDataError(error: unknown): boolean {
  if (error instanceof DataIntegrityError) return true;
  if (error instanceof TypeError) return !/not open/i.test(error.message);
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code);
}
