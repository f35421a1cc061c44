import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { CANDLE_UPSERT_SQL } from '../repos/CandleRepo.js';
import { EVENT_INSERT_SQL } from '../repos/EventRepo.js';
import { STRUCTURE_INSERT_SQL, STRUCTURE_WIDTH } from '../repos/StructureEventRepo.js';
import { TICK_INSERT_COLUMNS, tickInsertSql } from '../repos/TickRepo.js';
import { NULL_STRING, type CandleColumnsMessage, type TickColumnsMessage } from './columns.js';

/** The store writer thread's entry: plain JavaScript next to this module, in src/ and in dist/. */
const WORKER_URL = new URL('./storeWriter.worker.js', import.meta.url);

/** Values per event row in a batch (EVENT_INSERT_SQL's parameters). */
export const EVENT_WIDTH = 8;

/**
 * Rows per multi-row statement on the writer thread: ticks 64 (832
 * parameters), candles 16 (352). Fewer, larger statements cut the per-call
 * binding overhead that dominates a batch; a tail shorter than a chunk goes
 * through the one-row statement.
 */
export const WRITER_TICK_CHUNK = 64;
export const WRITER_CANDLE_CHUNK = 16;

/** Parameters of one candle row in CANDLE_UPSERT_SQL. */
const CANDLE_WIDTH = 22;
const CANDLE_ROW = `(${new Array<string>(CANDLE_WIDTH).fill('?').join(', ')})`;

/**
 * CANDLE_UPSERT_SQL with `rows` value tuples: SQLite applies the upsert row
 * by row, in order, so it stores exactly what `rows` single upserts would.
 * @throws Error when the repository's statement no longer has the one-row shape this expects.
 */
export function candleUpsertSql(rows: number): string {
  const at = CANDLE_UPSERT_SQL.indexOf(`VALUES ${CANDLE_ROW}`);
  if (at < 0 || CANDLE_UPSERT_SQL.indexOf(`VALUES ${CANDLE_ROW}`, at + 1) >= 0) {
    throw new Error('CANDLE_UPSERT_SQL is not a one-row VALUES upsert of 22 parameters');
  }
  const head = CANDLE_UPSERT_SQL.slice(0, at + 'VALUES '.length);
  const tail = CANDLE_UPSERT_SQL.slice(at + 'VALUES '.length + CANDLE_ROW.length);
  return head + new Array<string>(rows).fill(CANDLE_ROW).join(', ') + tail;
}

/**
 * WAL checkpoints off the hot path: the writer checkpoints (PASSIVE) once it
 * has been idle for IDLE_CHECKPOINT_MS after writing at least
 * IDLE_CHECKPOINT_ROWS rows; during a sustained burst SQLite's own
 * autocheckpoint still runs, but only past WAL_CAP_PAGES pages (64 MiB at the
 * default 4 KiB page) instead of 1000. The last connection to close
 * checkpoints whatever is left.
 */
const WAL_CAP_PAGES = 16_384;
const IDLE_CHECKPOINT_MS = 100;
const IDLE_CHECKPOINT_ROWS = 1000;

/** A batch as posted to the writer thread. */
export type BatchMessage = Readonly<{
  type: 'batch';
  id: number;
  ticks: TickColumnsMessage | null;
  candles: CandleColumnsMessage | null;
  /** EVENT_WIDTH values per event, EVENT_INSERT_SQL's parameters. */
  events: readonly unknown[];
  /** STRUCTURE_WIDTH values per structure event, STRUCTURE_INSERT_SQL's parameters. */
  structures: readonly unknown[];
}>;

/** What the writer thread answers, on its reply port. */
export type WriterReply =
  /** Written and committed; `rejected` rows broke the schema and were left out (`error`: the last reason). */
  | { type: 'done'; id: number; ticks: number; candles: number; events: number; structures: number; rejected: number; error: string | null }
  /** Rolled back; nothing of the batch is stored. */
  | { type: 'failed'; id: number; error: string; code: string | null }
  /** The connection is closed; the thread ends. */
  | { type: 'closed' };

/** A running writer thread: its replies arrive on `port`; `ctrl[0]` counts them (the thread notifies after each). */
export type WriterThread = Readonly<{ worker: Worker; port: MessagePort; ctrl: Int32Array }>;

/**
 * Starts a store writer thread on the database file `path` (already created
 * and migrated by the main thread's Store). The thread gets every SQL
 * statement from the repositories, so they stay the one place that knows the
 * schema. It runs without the parent's execArgv: it is plain JavaScript and
 * needs no TypeScript loader.
 */
export function spawnWriter(path: string, busyTimeoutMs: number): WriterThread {
  const ctrl = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_URL, {
    execArgv: [],
    transferList: [port2],
    workerData: {
      path,
      busyTimeoutMs,
      ctrl,
      replies: port2,
      sql: {
        tickChunk: WRITER_TICK_CHUNK,
        tickWidth: TICK_INSERT_COLUMNS.length,
        tickChunkInsert: tickInsertSql(WRITER_TICK_CHUNK),
        tickOneInsert: tickInsertSql(1),
        candleChunk: WRITER_CANDLE_CHUNK,
        candleWidth: CANDLE_WIDTH,
        candleChunkUpsert: candleUpsertSql(WRITER_CANDLE_CHUNK),
        candleUpsert: CANDLE_UPSERT_SQL,
        eventInsert: EVENT_INSERT_SQL,
        eventWidth: EVENT_WIDTH,
        structureInsert: STRUCTURE_INSERT_SQL,
        structureWidth: STRUCTURE_WIDTH,
        nullString: NULL_STRING,
      },
      checkpoint: { walCapPages: WAL_CAP_PAGES, idleMs: IDLE_CHECKPOINT_MS, idleRows: IDLE_CHECKPOINT_ROWS },
    },
  });
  return { worker, port: port1, ctrl };
}
