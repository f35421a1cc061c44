import type { Candle, StructureEvent, SystemEvent, Tick } from '../../core/index.js';
import { DataIntegrityError } from '../../core/index.js';

/** Why the recorder called `onError`. */
export type RecorderErrorReason =
  /** A write failed and rolled back; its `rows` rows are kept for the next attempt. */
  | 'flush_failed'
  /** `rows` rows break the schema and were dropped; the rest of the batch was stored. */
  | 'rows_rejected'
  /** The kept rows passed `maxBuffered` while the store was failing; the oldest `rows` rows were dropped. */
  | 'rows_lost';

/** Receives recorder failures; the recorder never throws into the bus. */
export type RecorderErrorHandler = (error: unknown, info: Readonly<{ reason: RecorderErrorReason; rows: number }>) => void;

/** Where the recorder writes: on the bus's thread (`inline`) or on its own store writer thread (`worker`). */
export type RecorderWriter = 'inline' | 'worker';

/** Row counts per table (`structures`: structure events). */
export type RecorderRows = Readonly<{ ticks: number; candles: number; events: number; structures: number }>;

/** Counters of the recorder, for the status tool. */
export type RecorderStats = Readonly<{
  writer: RecorderWriter;
  /**
   * Rows held on the bus's thread, not handed to the writer: the rows since
   * the last flush plus the rows of failed writes kept for their retry.
   */
  buffered: RecorderRows;
  /** Batches handed to the writer thread and not yet acknowledged (always zero inline). */
  pending: Readonly<{ batches: number; rows: number }>;
  /** Rows written: ticks and structure events newly inserted (duplicates excluded), candles upserted, events appended. */
  written: RecorderRows;
  /** Rows dropped because the kept rows passed `maxBuffered` while the store failed. */
  lost: number;
  /** Rows dropped because they break the schema. */
  rejected: number;
  /** Successful writes (inline: flushes; worker: acknowledged batches). */
  flushes: number;
  /** Failed writes (each rolled back and kept for a retry). */
  failures: number;
  lastError: string | null;
}>;

/** The writing half of a recorder; BusRecorder feeds it from the bus. Internal to src/store/recorder. */
export interface RecorderSink {
  tick(tick: Tick): void;
  candle(candle: Candle): void;
  event(event: SystemEvent): void;
  structure(event: StructureEvent): void;
  /** Hands every buffered row to the writer; false when that failed or was not possible. */
  flush(): boolean;
  /** Flushes and resolves once every row handed to the writer has been written or has failed. */
  drain(): Promise<void>;
  /** Starts the writer (the worker sink spawns its thread). */
  start(): void;
  /** Final flush, waits for the writer, releases it. Safe to call twice. */
  stop(): Promise<void>;
  stats(): RecorderStats;
}

/** The counters both sinks keep, and the guarded error report. */
export class SinkCounters {
  readonly written = { ticks: 0, candles: 0, events: 0, structures: 0 };
  lost = 0;
  rejected = 0;
  flushes = 0;
  failures = 0;
  lastError: string | null = null;

  constructor(private readonly onError: RecorderErrorHandler) {}

  /** Calls `onError`; a faulty handler must not break recording. */
  report(error: unknown, reason: RecorderErrorReason, rows: number): void {
    try {
      this.onError(error, { reason, rows });
    } catch {
      // ignored on purpose
    }
  }

  /** Records a failed write. */
  failed(error: unknown, rows: number): void {
    this.failures++;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.report(error, 'flush_failed', rows);
  }

  /** The common part of `stats()`. */
  snapshot(writer: RecorderWriter, buffered: RecorderRows, pending: RecorderStats['pending']): RecorderStats {
    return {
      writer,
      buffered,
      pending,
      written: { ...this.written },
      lost: this.lost,
      rejected: this.rejected,
      flushes: this.flushes,
      failures: this.failures,
      lastError: this.lastError,
    };
  }
}

/**
 * True for errors a retry cannot fix because a row itself is bad: constraint
 * violations, type mismatches, unbindable or unserialisable values.
 */
export function isDataError(error: unknown): boolean {
  if (error instanceof DataIntegrityError) return true;
  if (error instanceof TypeError) return !/not open/i.test(error.message);
  if (error instanceof RangeError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code);
}
