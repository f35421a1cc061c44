import { CandleColumns, TickColumns } from './columns.js';
import { EVENT_WIDTH, type BatchMessage } from './writerThread.js';
import { STRUCTURE_WIDTH } from '../repos/StructureEventRepo.js';

/** Column buffers of each kind kept for reuse. */
const POOL = 4;

/** Batches, rows and rows per kind in one state of the outbox. */
export type Tally = { batches: number; rows: number; ticks: number; candles: number; events: number; structures: number };

/** One sealed batch of rows for the writer thread: `queued` waits to be (re-)posted, `posted` is in flight. */
export type Batch = {
  readonly id: number;
  readonly ticks: TickColumns | null;
  readonly candles: CandleColumns | null;
  readonly events: unknown[];
  readonly structures: unknown[];
  readonly rows: number;
  state: 'queued' | 'posted';
};

/** The message that posts a batch to the writer thread (the column buffers are shared, not copied). */
export function batchMessage(b: Batch): BatchMessage {
  return {
    type: 'batch',
    id: b.id,
    ticks: b.ticks?.message() ?? null,
    candles: b.candles?.message() ?? null,
    events: b.events,
    structures: b.structures,
  };
}

/**
 * The worker sink's batches from sealing until the writer acknowledges them,
 * in posting order, and the pools of column buffers they return to once
 * written. Nothing here touches the thread: it is the bookkeeping that lets a
 * failed or orphaned batch be posted again and bounds what is kept.
 */
export class Outbox {
  private readonly batches = new Map<number, Batch>();
  private readonly tickPool: TickColumns[] = [];
  private readonly candlePool: CandleColumns[] = [];
  private nextId = 1;

  /** A tick column buffer for `capacity` rows, reused from the pool when one is free. */
  tickColumns(capacity: number): TickColumns {
    return this.tickPool.pop() ?? new TickColumns(capacity);
  }

  /** A candle column buffer for `capacity` rows, reused from the pool when one is free. */
  candleColumns(capacity: number): CandleColumns {
    return this.candlePool.pop() ?? new CandleColumns(capacity);
  }

  /** Queues a sealed batch (it takes ownership of the buffers). */
  add(ticks: TickColumns | null, candles: CandleColumns | null, events: unknown[], structures: unknown[], rows: number): void {
    const id = this.nextId++;
    this.batches.set(id, { id, ticks, candles, events, structures, rows, state: 'queued' });
  }

  /** The batch of an id, if still kept. */
  get(id: number): Batch | undefined {
    return this.batches.get(id);
  }

  /** Every kept batch, oldest first. */
  values(): IterableIterator<Batch> {
    return this.batches.values();
  }

  /** A written batch: forgets it and returns its column buffers to the pools. */
  complete(b: Batch): void {
    this.batches.delete(b.id);
    if (b.ticks !== null && this.tickPool.length < POOL) {
      b.ticks.reset();
      this.tickPool.push(b.ticks);
    }
    if (b.candles !== null && this.candlePool.length < POOL) {
      b.candles.reset();
      this.candlePool.push(b.candles);
    }
  }

  /** Queues every in-flight batch again (its writer is gone); returns their rows. */
  requeuePosted(): number {
    let rows = 0;
    for (const b of this.batches.values()) {
      if (b.state !== 'posted') continue;
      b.state = 'queued';
      rows += b.rows;
    }
    return rows;
  }

  /** Batches and rows in a state: `posted` = in flight, `queued` = waiting to be (re-)posted. */
  count(state: Batch['state']): Tally {
    const t = { batches: 0, rows: 0, ticks: 0, candles: 0, events: 0, structures: 0 };
    for (const b of this.batches.values()) {
      if (b.state !== state) continue;
      t.batches++;
      t.rows += b.rows;
      t.ticks += b.ticks?.n ?? 0;
      t.candles += b.candles?.n ?? 0;
      t.events += b.events.length / EVENT_WIDTH;
      t.structures += b.structures.length / STRUCTURE_WIDTH;
    }
    return t;
  }

  /** Drops the oldest queued batches while the kept rows exceed `maxRows`; returns the rows dropped. */
  trim(maxRows: number): number {
    let kept = this.count('queued').rows;
    let dropped = 0;
    for (const b of this.batches.values()) {
      if (kept <= maxRows) break;
      if (b.state !== 'queued') continue;
      this.batches.delete(b.id);
      kept -= b.rows;
      dropped += b.rows;
    }
    return dropped;
  }
}
