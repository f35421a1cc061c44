// The store writer thread of BusRecorder (writer: 'worker'). Plain JavaScript on
// purpose: it runs as-is from src/ (vitest, tsx) and from dist/ (tsc copies it,
// allowJs), without a TypeScript loader in the worker.
//
// It owns its own better-sqlite3 connection to the database file (WAL; the main
// thread's Store created and migrated it) and writes the batches the main thread
// posts, each in one transaction. Every SQL statement and code table comes from
// the main thread in workerData, so the repositories stay the one place that
// knows the schema.
//
// Protocol (see WorkerSink.ts):
//   in:  { type: 'batch', id, ticks: TickColumnsMessage | null, candles: CandleColumnsMessage | null,
//          events: flat[] (8 values per event), structures: flat[] (11 values per structure event) }
//        (columns.ts describes the columns)
//        { type: 'close' }
//   out (on the `replies` port of workerData):
//        { type: 'done', id, ticks, candles, events, structures, rejected, error }
//        { type: 'failed', id, error, code }   (rolled back; the main thread keeps the batch)
//        { type: 'closed' }
// After each reply, Atomics.add(ctrl, 0, 1) + notify: the main thread may be asleep
// waiting for room (backpressure) and reads the replies with receiveMessageOnPort.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, busyTimeoutMs, ctrl, replies, sql, checkpoint } = workerData;
const CHUNK = sql.tickChunk;
const WIDTH = sql.tickWidth;
const EVENT_WIDTH = sql.eventWidth;
const CANDLE_CHUNK = sql.candleChunk;
const CANDLE_WIDTH = sql.candleWidth;

const chunkParams = new Array(WIDTH * CHUNK);
const oneParams = new Array(WIDTH);
const candleParams = new Array(CANDLE_WIDTH);
const candleChunkParams = new Array(CANDLE_WIDTH * CANDLE_CHUNK);
const structureParams = new Array(sql.structureWidth);
const NULL_STRING = sql.nullString;
const eventParams = new Array(EVENT_WIDTH);

let db = null;
let st = null;
let writeStrict = null;
let writeTolerant = null;
let oneTick = null;
let oneCandle = null;
let oneEvent = null;
let oneStructure = null;

function open() {
  const conn = new Database(path, { fileMustExist: true });
  try {
    conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
    conn.pragma('synchronous = NORMAL');
    conn.pragma('foreign_keys = ON');
    conn.pragma(`wal_autocheckpoint = ${checkpoint.walCapPages}`);
    st = {
      tickChunk: conn.prepare(sql.tickChunkInsert),
      tickOne: conn.prepare(sql.tickOneInsert),
      candle: conn.prepare(sql.candleUpsert),
      candleChunk: conn.prepare(sql.candleChunkUpsert),
      event: conn.prepare(sql.eventInsert),
      structure: conn.prepare(sql.structureInsert),
    };
    writeStrict = conn.transaction(strict);
    writeTolerant = conn.transaction(tolerant);
    oneTick = conn.transaction((t, r) => {
      bindTick(oneParams, 0, t, r);
      return st.tickOne.run(...oneParams).changes;
    });
    oneCandle = conn.transaction((c, r) => {
      bindCandle(candleParams, 0, c, r);
      st.candle.run(...candleParams);
      return 1;
    });
    oneEvent = conn.transaction((rows, r) => {
      copy(eventParams, rows, r * EVENT_WIDTH);
      st.event.run(...eventParams);
      return 1;
    });
    oneStructure = conn.transaction((rows, r) => {
      copy(structureParams, rows, r * sql.structureWidth);
      return st.structure.run(...structureParams).changes;
    });
  } catch (error) {
    conn.close();
    throw error;
  }
  db = conn;
}

function bindTick(p, k, t, r) {
  const f = t.flags[r];
  p[k] = t.strings[t.sym[r]];
  p[k + 1] = t.tsEvent[r];
  p[k + 2] = t.src[r]; // codes: the statement turns them into text
  p[k + 3] = t.kind[r];
  p[k + 4] = t.seq[r];
  p[k + 5] = t.tsInit[r];
  p[k + 6] = f & 1 ? null : t.bid[r];
  p[k + 7] = f & 2 ? null : t.ask[r];
  p[k + 8] = f & 4 ? null : t.last[r];
  p[k + 9] = t.volume[r];
  p[k + 10] = t.trades[r];
  p[k + 11] = t.side[r];
  p[k + 12] = t.offset[r];
}

// CANDLE_UPSERT_SQL's parameter order (CandleRepo.ts), from p[k]
function bindCandle(p, k, c, r) {
  const s = c.strings;
  p[k] = s[c.sym[r]];
  p[k + 1] = s[c.tf[r]];
  p[k + 2] = s[c.src[r]];
  p[k + 3] = c.openTime[r];
  p[k + 4] = c.open[r];
  p[k + 5] = c.high[r];
  p[k + 6] = c.low[r];
  p[k + 7] = c.close[r];
  p[k + 8] = c.volume[r];
  p[k + 9] = c.quoteVolume[r];
  p[k + 10] = c.trades[r];
  p[k + 11] = c.takerBuyVolume[r];
  p[k + 12] = c.takerBuyQuoteVolume[r];
  p[k + 13] = s[c.basis[r]];
  p[k + 14] = c.closed[r];
  p[k + 15] = c.tsEvent[r];
  p[k + 16] = c.tsInit[r];
  const nulls = c.nulls[r];
  p[k + 17] = nulls & 1 ? null : c.atr[r];
  p[k + 18] = nulls & 2 ? null : c.vwap[r];
  p[k + 19] = c.volState[r] === NULL_STRING ? null : s[c.volState[r]];
  p[k + 20] = c.label[r] === NULL_STRING ? null : s[c.label[r]];
  p[k + 21] = c.structure[r] === NULL_STRING ? null : s[c.structure[r]];
}

function copy(into, rows, from) {
  for (let i = 0; i < into.length; i++) into[i] = rows[from + i];
}

function strict(b) {
  let ticks = 0;
  const t = b.ticks;
  if (t !== null) {
    const n = t.n;
    let i = 0;
    for (; i + CHUNK <= n; i += CHUNK) {
      for (let r = 0; r < CHUNK; r++) bindTick(chunkParams, r * WIDTH, t, i + r);
      ticks += st.tickChunk.run(...chunkParams).changes;
    }
    for (; i < n; i++) {
      bindTick(oneParams, 0, t, i);
      ticks += st.tickOne.run(...oneParams).changes;
    }
  }
  const c = b.candles;
  const candles = c === null ? 0 : c.n;
  // several rows per upsert: SQLite applies them in order, as single upserts would be
  let r = 0;
  for (; r + CANDLE_CHUNK <= candles; r += CANDLE_CHUNK) {
    for (let k = 0; k < CANDLE_CHUNK; k++) bindCandle(candleChunkParams, k * CANDLE_WIDTH, c, r + k);
    st.candleChunk.run(...candleChunkParams);
  }
  for (; r < candles; r++) {
    bindCandle(candleParams, 0, c, r);
    st.candle.run(...candleParams);
  }
  const events = b.events.length / EVENT_WIDTH;
  for (let r = 0; r < events; r++) {
    copy(eventParams, b.events, r * EVENT_WIDTH);
    st.event.run(...eventParams);
  }
  let structures = 0;
  const ns = b.structures.length / sql.structureWidth;
  for (let r = 0; r < ns; r++) {
    copy(structureParams, b.structures, r * sql.structureWidth);
    structures += st.structure.run(...structureParams).changes;
  }
  return { ticks, candles, events, structures, rejected: 0, error: null };
}

// A row breaks the schema: store every other row, each in its own savepoint.
function tolerant(b) {
  const out = { ticks: 0, candles: 0, events: 0, structures: 0, rejected: 0, error: null };
  const each = (count, one, rows) => {
    let n = 0;
    for (let r = 0; r < count; r++) {
      try {
        n += one(rows, r);
      } catch (error) {
        if (!isDataError(error)) throw error;
        out.rejected++;
        out.error = message(error);
      }
    }
    return n;
  };
  if (b.ticks !== null) out.ticks = each(b.ticks.n, oneTick, b.ticks);
  if (b.candles !== null) out.candles = each(b.candles.n, oneCandle, b.candles);
  out.events = each(b.events.length / EVENT_WIDTH, oneEvent, b.events);
  out.structures = each(b.structures.length / sql.structureWidth, oneStructure, b.structures);
  return out;
}

function isDataError(error) {
  if (error instanceof TypeError) return !/not open/i.test(error.message);
  if (error instanceof RangeError) return true;
  const code = error?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code);
}

function message(error) {
  return error instanceof Error ? error.message : String(error);
}

// Checkpoint when idle, not in the middle of a burst (see WorkerSink.ts).
let unCheckpointed = 0;
let idleTimer = null;

function idleCheckpoint() {
  idleTimer = null;
  if (db === null || unCheckpointed < checkpoint.idleRows) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    unCheckpointed = 0;
  } catch {
    // a busy or failing checkpoint is retried after the next batch
  }
}

function writeBatch(b) {
  try {
    if (db === null) open();
    let result;
    try {
      result = writeStrict(b);
    } catch (error) {
      if (!isDataError(error)) throw error;
      result = writeTolerant(b);
    }
    unCheckpointed += result.ticks + result.candles + result.events;
    return { type: 'done', id: b.id, ...result };
  } catch (error) {
    const code = typeof error?.code === 'string' ? error.code : null;
    if (db !== null && !db.open) db = null; // reopen on the next batch
    return { type: 'failed', id: b.id, error: message(error), code };
  }
}

parentPort.on('message', (msg) => {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = null;
  if (msg.type === 'batch') {
    // reply first, then wake: the main thread reads replies synchronously once woken
    replies.postMessage(writeBatch(msg));
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
    idleTimer = setTimeout(idleCheckpoint, checkpoint.idleMs);
  } else if (msg.type === 'close') {
    try {
      if (db !== null) {
        try {
          db.pragma('optimize');
        } catch {
          // statistics are best effort
        }
        db.close();
      }
    } finally {
      db = null;
      replies.postMessage({ type: 'closed' });
      parentPort.close();
    }
  }
});
