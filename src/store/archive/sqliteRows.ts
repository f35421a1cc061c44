import type BetterSqlite3 from 'better-sqlite3';
import { TIMEFRAMES } from '../../core/index.js';
import type { ArchiveRow } from './columns.js';
import { CANDLE_COLUMNS, TICK_COLUMNS } from './columns.js';

const TICK_SELECT = TICK_COLUMNS.map((c) => (c.name === 'offset' ? '"offset"' : c.name)).join(', ');
const CANDLE_SELECT = CANDLE_COLUMNS.map((c) => c.name).join(', ');
/** The store's tick read order (TickRepo): time, source, kind, venue seq, then synthetic ids in arrival order. */
const TICK_ORDER = 'ts_event, source, kind, seq < 0, abs(seq)';

/**
 * Raw reads and deletes of `unified_ticks` and `candles` by range, in the
 * archive's row shape and order. Used by the mover (archive a finished day,
 * then prune it) and by the bench; nothing here converts to domain types.
 */
export class ArchiveSql {
  private readonly ticksIn: BetterSqlite3.Statement;
  private readonly ticksCount: BetterSqlite3.Statement;
  private readonly ticksAny: BetterSqlite3.Statement;
  private readonly ticksDelete: BetterSqlite3.Statement;
  private readonly tickNextSymbol: BetterSqlite3.Statement;
  private readonly tickFirst: BetterSqlite3.Statement;
  private readonly candleNextSymbol: BetterSqlite3.Statement;
  private readonly candleNextSource: BetterSqlite3.Statement;
  private readonly candleFirst: BetterSqlite3.Statement;
  private readonly candlesIn: BetterSqlite3.Statement;
  private readonly candlesOfSource: BetterSqlite3.Statement;
  private readonly candlesCount: BetterSqlite3.Statement;
  private readonly candlesDelete: BetterSqlite3.Statement;

  constructor(readonly db: BetterSqlite3.Database) {
    const range = 'symbol = ? AND ts_event >= ? AND ts_event < ?';
    this.ticksIn = db.prepare(`SELECT ${TICK_SELECT} FROM unified_ticks WHERE ${range} ORDER BY ${TICK_ORDER}`);
    this.ticksCount = db.prepare(`SELECT COUNT(*) FROM unified_ticks WHERE ${range}`).pluck();
    this.ticksAny = db.prepare(`SELECT 1 FROM unified_ticks WHERE ${range} LIMIT 1`).pluck();
    this.ticksDelete = db.prepare(`DELETE FROM unified_ticks WHERE ${range}`);
    // skip-scans over the primary keys: a few index seeks, never a table scan
    this.tickNextSymbol = db.prepare('SELECT symbol FROM unified_ticks WHERE symbol > ? ORDER BY symbol LIMIT 1').pluck();
    this.tickFirst = db.prepare('SELECT MIN(ts_event) FROM unified_ticks WHERE symbol = ?').pluck();
    this.candleNextSymbol = db.prepare('SELECT symbol FROM candles WHERE symbol > ? ORDER BY symbol LIMIT 1').pluck();
    this.candleNextSource = db
      .prepare('SELECT source FROM candles WHERE symbol = ? AND timeframe = ? AND source > ? ORDER BY source LIMIT 1')
      .pluck();
    this.candleFirst = db.prepare('SELECT MIN(open_time) FROM candles WHERE symbol = ? AND timeframe = ? AND source = ?').pluck();
    const crange = 'symbol = ? AND timeframe = ? AND open_time >= ? AND open_time < ?';
    this.candlesIn = db.prepare(`SELECT ${CANDLE_SELECT} FROM candles WHERE ${crange} ORDER BY source, open_time`);
    this.candlesOfSource = db.prepare(`SELECT ${CANDLE_SELECT} FROM candles WHERE ${crange} AND source = ? ORDER BY open_time`);
    this.candlesCount = db.prepare(`SELECT COUNT(*) FROM candles WHERE ${crange}`).pluck();
    this.candlesDelete = db.prepare(`DELETE FROM candles WHERE ${crange}`);
  }

  /** Ticks of a symbol with `from <= ts_event < to`, in the store's read order. */
  ticks(symbol: string, from: number, to: number): ArchiveRow[] {
    return this.ticksIn.all(symbol, from, to) as ArchiveRow[];
  }

  /** Number of ticks of a symbol in `[from, to)`. */
  countTicks(symbol: string, from: number, to: number): number {
    return this.ticksCount.get(symbol, from, to) as number;
  }

  /** True when a symbol has a tick in `[from, to)` (one index seek, unlike a count). */
  hasTicks(symbol: string, from: number, to: number): boolean {
    return this.ticksAny.get(symbol, from, to) !== undefined;
  }

  /** Deletes the ticks of a symbol in `[from, to)`; returns how many. */
  deleteTicks(symbol: string, from: number, to: number): number {
    return this.ticksDelete.run(symbol, from, to).changes;
  }

  /** The earliest tick time of every symbol that has ticks before `before`. */
  tickSymbols(before: number): { symbol: string; first: number }[] {
    const out: { symbol: string; first: number }[] = [];
    for (let s = this.tickNextSymbol.get('') as string | undefined; s !== undefined; s = this.tickNextSymbol.get(s) as string | undefined) {
      const first = this.tickFirst.get(s) as number | null;
      if (first !== null && first < before) out.push({ symbol: s, first });
    }
    return out;
  }

  /** Candles of a symbol and timeframe with `from <= open_time < to`, every source, ordered by source then time. */
  candles(symbol: string, timeframe: string, from: number, to: number): ArchiveRow[] {
    return this.candlesIn.all(symbol, timeframe, from, to) as ArchiveRow[];
  }

  /** Candles of one source key of a symbol and timeframe with `from <= open_time < to`, oldest first. */
  candlesOf(symbol: string, timeframe: string, source: string, from: number, to: number): ArchiveRow[] {
    return this.candlesOfSource.all(symbol, timeframe, from, to, source) as ArchiveRow[];
  }

  /** The source keys of a symbol and timeframe, sorted (a skip-scan over the primary key, a few index seeks). */
  candleSources(symbol: string, timeframe: string): string[] {
    const out: string[] = [];
    for (let src = this.candleNextSource.get(symbol, timeframe, '') as string | undefined; src !== undefined; src = this.candleNextSource.get(symbol, timeframe, src) as string | undefined) out.push(src);
    return out;
  }

  /** Number of candles of a symbol and timeframe in `[from, to)`. */
  countCandles(symbol: string, timeframe: string, from: number, to: number): number {
    return this.candlesCount.get(symbol, timeframe, from, to) as number;
  }

  /** Deletes the candles of a symbol and timeframe in `[from, to)`; returns how many. */
  deleteCandles(symbol: string, timeframe: string, from: number, to: number): number {
    return this.candlesDelete.run(symbol, timeframe, from, to).changes;
  }

  /** The earliest candle time of every (symbol, timeframe) that has candles before `before`. */
  candleSeries(before: number): { symbol: string; timeframe: string; first: number }[] {
    const out: { symbol: string; timeframe: string; first: number }[] = [];
    for (let s = this.candleNextSymbol.get('') as string | undefined; s !== undefined; s = this.candleNextSymbol.get(s) as string | undefined) {
      for (const tf of TIMEFRAMES) {
        let first = Infinity;
        for (let src = this.candleNextSource.get(s, tf, '') as string | undefined; src !== undefined; src = this.candleNextSource.get(s, tf, src) as string | undefined) {
          first = Math.min(first, this.candleFirst.get(s, tf, src) as number);
        }
        if (first < before) out.push({ symbol: s, timeframe: tf, first });
      }
    }
    return out;
  }
}
