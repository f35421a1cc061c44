import type BetterSqlite3 from 'better-sqlite3';
import { DataIntegrityError, isSource, type TakerSide, type Tick, type TickStore } from '../../core/index.js';
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
  seq: number | null;
  offset: number;
};

const COLUMNS = 'symbol, source, ts_event, ts_init, bid, ask, last, volume, trades, taker_side, seq, "offset"';

/**
 * The unified tick history (`unified_ticks`). A venue tick is stored once:
 * re-inserting the same (symbol, source, seq) is a no-op, so replays and
 * gap-fills can overlap freely. Ticks without a venue sequence id are always
 * appended. Rows that break the schema (negative volume, unknown taker side)
 * are not skipped silently: the whole batch fails and rolls back.
 */
export class TickRepo implements TickStore {
  private readonly insert: BetterSqlite3.Statement;
  private readonly insertMany: (ticks: readonly Tick[]) => number;
  private readonly countAll: BetterSqlite3.Statement;
  private readonly countSymbol: BetterSqlite3.Statement;
  private readonly range: BetterSqlite3.Statement;
  private readonly rangeSource: BetterSqlite3.Statement;
  private readonly last: BetterSqlite3.Statement;
  private readonly lastSource: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    // ON CONFLICT DO NOTHING (not INSERT OR IGNORE): only the uniqueness conflict
    // is ignored; NOT NULL / CHECK violations still raise and roll the batch back.
    this.insert = db.prepare(
      `INSERT INTO unified_ticks (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.insertMany = db.transaction((ticks: readonly Tick[]) => {
      let inserted = 0;
      for (const t of ticks) {
        inserted += this.insert.run(
          t.symbol,
          t.source,
          t.tsEvent,
          t.tsInit,
          t.bid,
          t.ask,
          t.last,
          t.volume,
          t.trades,
          t.takerSide,
          t.seq,
          t.offset,
        ).changes;
      }
      return inserted;
    });
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM unified_ticks').pluck();
    this.countSymbol = db.prepare('SELECT COUNT(*) AS n FROM unified_ticks WHERE symbol = ?').pluck();
    const where = 'symbol = ? AND ts_event BETWEEN ? AND ?';
    this.range = db.prepare(`SELECT ${COLUMNS} FROM unified_ticks WHERE ${where} ORDER BY ts_event, id LIMIT ?`);
    this.rangeSource = db.prepare(
      `SELECT ${COLUMNS} FROM unified_ticks WHERE ${where} AND source = ? ORDER BY ts_event, id LIMIT ?`,
    );
    this.last = db.prepare(`SELECT ${COLUMNS} FROM unified_ticks WHERE symbol = ? ORDER BY ts_event DESC, id DESC LIMIT 1`);
    this.lastSource = db.prepare(
      `SELECT ${COLUMNS} FROM unified_ticks WHERE symbol = ? AND source = ? ORDER BY ts_event DESC, id DESC LIMIT 1`,
    );
  }

  /**
   * Stores ticks in one transaction (a savepoint when called inside another).
   * Returns how many were new; duplicates of stored venue ticks count 0.
   * Throws, storing nothing of the batch, when any tick breaks the schema.
   */
  insertTicks(ticks: readonly Tick[]): number {
    if (ticks.length === 0) return 0;
    return this.insertMany(ticks);
  }

  /** Number of stored ticks, of one symbol or of all. */
  countTicks(symbol?: string): number {
    return (symbol === undefined ? this.countAll.get() : this.countSymbol.get(symbol)) as number;
  }

  /** Ticks of a symbol in `tsEvent` order (ties in insertion order), the first `limit` of the range. */
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

  /** The latest stored tick of a symbol (optionally of one source), or null. */
  lastTick(symbol: string, source?: string): Tick | null {
    const row = (source === undefined ? this.last.get(symbol) : this.lastSource.get(symbol, source)) as TickRow | undefined;
    return row ? toTick(row) : null;
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
    seq: row.seq,
    offset: row.offset,
  };
}
