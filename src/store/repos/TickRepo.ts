import type BetterSqlite3 from 'better-sqlite3';
import { DataIntegrityError, isSource, SOURCES, type TakerSide, type Tick, type TickStore } from '../../core/index.js';
import { KIND_CODES, kindCode, readSeq, SIDE_CODES, sideCode, sourceCode, storedSeq, SyntheticSeq } from './tickIdentity.js';
import { checkLimit, MAX_TS, MIN_TS } from './util.js';

/** Range query over stored ticks; `from`/`to` are inclusive `tsEvent` bounds, epoch ms. */
export type TickRangeQuery = Readonly<{
  symbol: string;
  /** Only ticks of this source; omitted = every source. */
  source?: string;
  from?: number;
  to?: number;
  /** Most rows to return (the earliest ones of the range). */
  limit: number;
}>;

type TickRow = {
  symbol: string;
  source: string;
  ts_event: number;
  ts_init: number;
  bid: number | null;
  ask: number | null;
  last: number | null;
  volume: number;
  trades: number;
  taker_side: string | null;
  seq: number;
  offset: number;
};

/**
 * Parameters of one row of the tick insert, in order. `source`, `kind` and
 * `taker_side` are bound as codes ({@link sourceCode}, {@link kindCode},
 * {@link sideCode}) and turned into text by the statement: binding small
 * integers is cheaper than strings, and the store writer thread binds them
 * straight from its typed arrays.
 */
export const TICK_INSERT_COLUMNS = [
  'symbol',
  'ts_event',
  'source',
  'kind',
  'seq',
  'ts_init',
  'bid',
  'ask',
  'last',
  'volume',
  'trades',
  'taker_side',
  '"offset"',
] as const;

/** Rows per multi-row insert statement; the remainder goes row by row. */
export const TICK_INSERT_CHUNK = 16;

const lit = (v: string | null): string => (v === null ? 'NULL' : `'${v}'`);
const decode = (codes: readonly (string | null)[], otherwise: string): string =>
  `CASE ? ${codes.map((c, i) => `WHEN ${i} THEN ${lit(c)}`).join(' ')} ELSE ${otherwise} END`;
// an unknown source code binds NULL (NOT NULL rejects the row); an unknown side a value the CHECK rejects
const ROW = `(?, ?, ${decode(SOURCES, 'NULL')}, ${decode(KIND_CODES, 'NULL')}, ?, ?, ?, ?, ?, ?, ?, ${decode(SIDE_CODES, "'?'")}, ?)`;

/**
 * The insert of `rows` ticks in one statement, positional parameters as in
 * {@link TICK_INSERT_COLUMNS}. ON CONFLICT DO NOTHING (not INSERT OR
 * IGNORE): only a stored tick's identity is ignored; NOT NULL and CHECK
 * violations still raise and roll the batch back.
 */
export function tickInsertSql(rows: number): string {
  return `INSERT INTO unified_ticks (${TICK_INSERT_COLUMNS.join(', ')}) VALUES ${new Array<string>(rows).fill(ROW).join(', ')} ON CONFLICT DO NOTHING`;
}

const WIDTH = TICK_INSERT_COLUMNS.length;
const SELECT = 'symbol, source, ts_event, ts_init, bid, ask, last, volume, trades, taker_side, seq, "offset"';
// Time order; ties by source and kind, then venue id, then synthetic ids in arrival order
// (-1, -2, ...). The index serves the prefix; only equal-time groups are sorted.
const ASC = 'ts_event, source, kind, seq < 0, abs(seq)';
const DESC = 'ts_event DESC, source DESC, kind DESC, seq < 0 DESC, abs(seq) DESC';

/**
 * The unified tick history (`unified_ticks`). A tick is stored once per
 * (symbol, tsEvent, source, kind, seq): re-inserting a stored tick is a
 * no-op, so replays and gap-fills can overlap freely. Ticks without a venue
 * sequence id get a synthetic one (see {@link SyntheticSeq}), so the same
 * ticks re-delivered in the same order dedupe too. Rows that break the schema
 * (negative volume, unknown taker side or source) are not skipped silently:
 * the whole batch fails and rolls back.
 */
export class TickRepo implements TickStore {
  private readonly insertChunk: BetterSqlite3.Statement;
  private readonly insertOne: BetterSqlite3.Statement;
  private readonly chunkParams = new Array<unknown>(WIDTH * TICK_INSERT_CHUNK);
  private readonly oneParams = new Array<unknown>(WIDTH);
  private readonly insertMany: (ticks: readonly Tick[]) => number;
  private readonly synthetic = new SyntheticSeq();
  private readonly countAll: BetterSqlite3.Statement;
  private readonly countSymbol: BetterSqlite3.Statement;
  private readonly range: BetterSqlite3.Statement;
  private readonly rangeSource: BetterSqlite3.Statement;
  private readonly last: BetterSqlite3.Statement;
  private readonly lastSource: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insertChunk = db.prepare(tickInsertSql(TICK_INSERT_CHUNK));
    this.insertOne = db.prepare(tickInsertSql(1));
    this.insertMany = db.transaction((ticks: readonly Tick[]) => {
      const n = ticks.length;
      let inserted = 0;
      let i = 0;
      for (; i + TICK_INSERT_CHUNK <= n; i += TICK_INSERT_CHUNK) {
        for (let r = 0; r < TICK_INSERT_CHUNK; r++) this.bind(this.chunkParams, r * WIDTH, ticks[i + r]!);
        inserted += this.insertChunk.run(...this.chunkParams).changes;
      }
      for (; i < n; i++) {
        this.bind(this.oneParams, 0, ticks[i]!);
        inserted += this.insertOne.run(...this.oneParams).changes;
      }
      return inserted;
    });
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM unified_ticks').pluck();
    this.countSymbol = db.prepare('SELECT COUNT(*) AS n FROM unified_ticks WHERE symbol = ?').pluck();
    const where = 'symbol = ? AND ts_event BETWEEN ? AND ?';
    this.range = db.prepare(`SELECT ${SELECT} FROM unified_ticks WHERE ${where} ORDER BY ${ASC} LIMIT ?`);
    this.rangeSource = db.prepare(`SELECT ${SELECT} FROM unified_ticks WHERE ${where} AND source = ? ORDER BY ${ASC} LIMIT ?`);
    this.last = db.prepare(`SELECT ${SELECT} FROM unified_ticks WHERE symbol = ? ORDER BY ${DESC} LIMIT 1`);
    this.lastSource = db.prepare(`SELECT ${SELECT} FROM unified_ticks WHERE symbol = ? AND source = ? ORDER BY ${DESC} LIMIT 1`);
  }

  /**
   * Stores ticks in one transaction (a savepoint when called inside another),
   * with multi-row statements. Returns how many were new; ticks already stored
   * count 0. Throws, storing nothing of the batch, when any tick breaks the
   * schema; the synthetic ids it handed out are then taken back.
   */
  insertTicks(ticks: readonly Tick[]): number {
    if (ticks.length === 0) return 0;
    this.synthetic.begin();
    try {
      const inserted = this.insertMany(ticks);
      this.synthetic.commit();
      return inserted;
    } catch (error) {
      this.synthetic.rollback();
      throw error;
    }
  }

  /** Number of stored ticks, of one symbol or of all. */
  countTicks(symbol?: string): number {
    return (symbol === undefined ? this.countAll.get() : this.countSymbol.get(symbol)) as number;
  }

  /**
   * Ticks of a symbol in `tsEvent` order, the first `limit` of the range. Ties
   * are ordered by source, kind (`B`, `Q`, `T`), then venue seq; ticks without
   * a venue seq come after those with one, in arrival order.
   */
  rangeTicks(query: TickRangeQuery): Tick[] {
    const limit = checkLimit(query.limit);
    const from = query.from ?? MIN_TS;
    const to = query.to ?? MAX_TS;
    const rows = (
      query.source === undefined
        ? this.range.all(query.symbol, from, to, limit)
        : this.rangeSource.all(query.symbol, from, to, query.source, limit)
    ) as TickRow[];
    return rows.map(toTick);
  }

  /** The latest stored tick of a symbol (optionally of one source) in the order of `rangeTicks`, or null. */
  lastTick(symbol: string, source?: string): Tick | null {
    const row = (source === undefined ? this.last.get(symbol) : this.lastSource.get(symbol, source)) as TickRow | undefined;
    return row ? toTick(row) : null;
  }

  private bind(p: unknown[], k: number, t: Tick): void {
    p[k] = t.symbol;
    p[k + 1] = t.tsEvent;
    p[k + 2] = sourceCode(t.source);
    p[k + 3] = kindCode(t);
    p[k + 4] = storedSeq(t, this.synthetic);
    p[k + 5] = t.tsInit;
    p[k + 6] = t.bid;
    p[k + 7] = t.ask;
    p[k + 8] = t.last;
    p[k + 9] = t.volume;
    p[k + 10] = t.trades;
    p[k + 11] = sideCode(t.takerSide);
    p[k + 12] = t.offset;
  }
}

function toTick(row: TickRow): Tick {
  if (!isSource(row.source)) throw new DataIntegrityError(`stored tick has unknown source ${row.source}`);
  return {
    symbol: row.symbol,
    source: row.source,
    tsEvent: row.ts_event,
    tsInit: row.ts_init,
    bid: row.bid,
    ask: row.ask,
    last: row.last,
    volume: row.volume,
    trades: row.trades,
    takerSide: row.taker_side as TakerSide | null,
    seq: readSeq(row.seq),
    offset: row.offset,
  };
}
