import type { Cancel, Candle, Clock, StructureEvent, SystemEvent, Tick } from '../../core/index.js';
import { SyntheticSeq } from '../repos/tickIdentity.js';
import type { Store } from '../Database.js';
import { isDataError, SinkCounters, type RecorderSink, type RecorderStats } from './sink.js';

/** The parts of the store the recorder writes to (and, for the worker writer, the file it opens). */
export type RecorderTarget = Pick<Store, 'ticks' | 'candles' | 'events' | 'structures' | 'transaction' | 'isOpen'> & {
  /** Database file; `:memory:`, empty or absent means the worker writer cannot be used. */
  readonly path?: string;
};

/** Tuning of the inline sink. */
export type InlineSinkOptions = Readonly<{ maxBatch: number; maxBuffered: number; counters: SinkCounters }>;

type Batch = { ticks: Tick[]; candles: Candle[]; events: SystemEvent[]; structures: StructureEvent[] };

/**
 * Writes on the bus's thread, through the store's repositories: buffers rows,
 * writes all buffers in one transaction per flush. A failed flush rolls back
 * and keeps its rows in front of newer ones for the next attempt.
 */
export class InlineSink implements RecorderSink {
  private ticks: Tick[] = [];
  private candles: Candle[] = [];
  private events: SystemEvent[] = [];
  private structures: StructureEvent[] = [];
  private readonly slack: number;
  private readonly seqs = new SyntheticSeq();
  private readonly c: SinkCounters;
  private cancelSoon: Cancel | null = null;
  private failing = false;
  private flushing = false;

  constructor(
    private readonly target: RecorderTarget,
    private readonly clock: Clock,
    private readonly options: InlineSinkOptions,
  ) {
    this.slack = Math.max(1, Math.floor(options.maxBuffered / 10));
    this.c = options.counters;
  }

  tick(t: Tick): void {
    // A tick without a venue id gets its synthetic id once, on arrival, so a retried flush reuses it.
    this.push(this.ticks, t.seq !== null ? t : { ...t, seq: this.seqs.next(t.symbol, t.source, t.tsEvent) });
  }

  candle(c: Candle): void {
    this.push(this.candles, c);
  }

  event(e: SystemEvent): void {
    this.push(this.events, e);
  }

  structure(e: StructureEvent): void {
    this.push(this.structures, e);
  }

  start(): void {}

  async drain(): Promise<void> {
    this.flush();
  }

  async stop(): Promise<void> {
    this.cancelSoon?.();
    this.cancelSoon = null;
    this.flush();
  }

  flush(): boolean {
    this.cancelSoon?.();
    this.cancelSoon = null;
    if (this.flushing) return false;
    const batch: Batch = { ticks: this.ticks, candles: this.candles, events: this.events, structures: this.structures };
    const rows = batch.ticks.length + batch.candles.length + batch.events.length + batch.structures.length;
    if (rows === 0) return true;
    this.ticks = [];
    this.candles = [];
    this.events = [];
    this.structures = [];
    this.flushing = true;
    try {
      if (!this.target.isOpen) throw new Error('store is closed');
      try {
        this.write(batch, false);
      } catch (error) {
        if (!isDataError(error)) throw error;
        this.write(batch, true); // a row breaks the schema: store the rest, drop the culprits
      }
      this.c.flushes++;
      this.failing = false;
      return true;
    } catch (error) {
      // rolled back: put the batch back in front of anything pushed meanwhile
      this.ticks = restore(batch.ticks, this.ticks);
      this.candles = restore(batch.candles, this.candles);
      this.events = restore(batch.events, this.events);
      this.structures = restore(batch.structures, this.structures);
      this.failing = true;
      this.c.failed(error, rows);
      this.trim();
      return false;
    } finally {
      this.flushing = false;
    }
  }

  stats(): RecorderStats {
    const buffered = { ticks: this.ticks.length, candles: this.candles.length, events: this.events.length, structures: this.structures.length };
    return this.c.snapshot('inline', buffered, { batches: 0, rows: 0 });
  }

  private push<T>(buffer: T[], item: T): void {
    buffer.push(item);
    const n = buffer.length;
    if (n >= this.options.maxBatch && this.cancelSoon === null && !this.failing) {
      this.cancelSoon = this.clock.setTimeout(() => this.flush(), 0);
    }
    if (n >= this.options.maxBuffered) {
      if (!this.failing) this.flush();
      else if (n > this.options.maxBuffered + this.slack) this.trim();
    }
  }

  /** One transaction over all buffers; `tolerant` writes row by row, dropping rows that break the schema. */
  private write(batch: Batch, tolerant: boolean): void {
    const { ticks, candles, events, structures } = batch;
    const t = this.target;
    const done = { ticks: 0, candles: 0, events: 0, structures: 0 };
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
        done.structures = t.structures.insertEvents(structures);
      } else {
        done.ticks = each(ticks, (x) => t.ticks.insertTicks([x]));
        done.candles = each(candles, (x) => (t.candles.upsertCandles([x]), 1));
        done.events = each(events, (x) => t.events.appendMany([x]));
        done.structures = each(structures, (x) => t.structures.insertEvents([x]));
      }
    });
    this.c.written.ticks += done.ticks;
    this.c.written.candles += done.candles;
    this.c.written.events += done.events;
    this.c.written.structures += done.structures;
    if (dropped > 0) {
      this.c.rejected += dropped;
      this.c.report(lastDataError, 'rows_rejected', dropped);
    }
  }

  /** Drops the oldest rows of every buffer above `maxBuffered`, counting them as lost. */
  private trim(): void {
    let dropped = 0;
    for (const buffer of [this.ticks, this.candles, this.events, this.structures] as unknown[][]) {
      const excess = buffer.length - this.options.maxBuffered;
      if (excess > 0) {
        buffer.splice(0, excess);
        dropped += excess;
      }
    }
    if (dropped > 0) {
      this.c.lost += dropped;
      this.c.report(new Error(`recorder buffer over ${this.options.maxBuffered} rows while the store fails`), 'rows_lost', dropped);
    }
  }
}

function restore<T>(batch: T[], newer: T[]): T[] {
  return newer.length === 0 ? batch : batch.concat(newer);
}
