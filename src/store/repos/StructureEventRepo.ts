import type BetterSqlite3 from 'better-sqlite3';
import {
  DataIntegrityError,
  InvalidRequestError,
  isTimeframe,
  STRUCTURE_EVENT_KINDS,
  type StructureDirection,
  type StructureEvent,
  type StructureEventKind,
  type Timeframe,
} from '../../core/index.js';
import { checkLimit, MIN_TS } from './util.js';

/** Values per structure event row (STRUCTURE_INSERT_SQL's parameters). */
export const STRUCTURE_WIDTH = 11;

const COLUMNS = 'id, symbol, timeframe, kind, direction, level, top, bottom, formed_at, confirmed_at, refs_json';

/**
 * Insert of one structure event, positional parameters in column order (id,
 * symbol, timeframe, kind, direction, level, top, bottom, formed_at,
 * confirmed_at, refs_json); an event already stored (same id) is left as it
 * is. Shared with the store writer worker.
 */
export const STRUCTURE_INSERT_SQL = `INSERT OR IGNORE INTO structure_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** A page query over one symbol and timeframe's events. */
export type StructureEventQuery = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  /** Only events confirmed at or after this time, epoch ms. */
  since?: number;
  /** Continue after this cursor (from a previous page's `nextCursor`). */
  cursor?: string;
  /** Most events in the page. */
  limit: number;
}>;

/** One page of events, oldest first, and the cursor of the next page (null when this page reached the end). */
export type StructureEventPage = Readonly<{ events: StructureEvent[]; nextCursor: string | null }>;

type Row = {
  rid: number;
  id: string;
  symbol: string;
  timeframe: string;
  kind: string;
  direction: string;
  level: number | null;
  top: number | null;
  bottom: number | null;
  formed_at: number;
  confirmed_at: number;
  refs_json: string;
};

/** The parameters of {@link STRUCTURE_INSERT_SQL} for an event, in order. */
export function structureParams(e: StructureEvent): unknown[] {
  return [e.id, e.symbol, e.timeframe, e.kind, e.direction, e.level, e.top, e.bottom, e.formedAt, e.confirmedAt, JSON.stringify(e.refs)];
}

/**
 * Confirmed market-structure events (`structure_events`), append-only. Pages
 * are ordered by confirmation time, then by insertion (the detector's
 * emission order within one candle), and continue with an opaque cursor.
 */
export class StructureEventRepo {
  private readonly insert: BetterSqlite3.Statement;
  private readonly insertMany: (events: readonly StructureEvent[]) => number;
  private readonly page: BetterSqlite3.Statement;
  private readonly countStmt: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insert = db.prepare(STRUCTURE_INSERT_SQL);
    this.insertMany = db.transaction((events: readonly StructureEvent[]) => {
      let n = 0;
      for (const e of events) n += this.insert.run(...structureParams(e)).changes;
      return n;
    });
    this.page = db.prepare(
      `SELECT rowid AS rid, ${COLUMNS} FROM structure_events
       WHERE symbol = ? AND timeframe = ? AND confirmed_at >= ? AND (confirmed_at > ? OR (confirmed_at = ? AND rowid > ?))
       ORDER BY confirmed_at ASC, rowid ASC LIMIT ?`,
    );
    this.countStmt = db.prepare('SELECT COUNT(*) FROM structure_events WHERE symbol = ? AND timeframe = ?').pluck();
  }

  /** Stores events (already stored ids are ignored) in one transaction; returns how many were new. */
  insertEvents(events: readonly StructureEvent[]): number {
    return events.length === 0 ? 0 : this.insertMany(events);
  }

  /**
   * One page of a symbol and timeframe's events, oldest first.
   * @throws InvalidRequestError on an unknown timeframe, a bad limit or a malformed cursor.
   */
  query(q: StructureEventQuery): StructureEventPage {
    if (!isTimeframe(q.timeframe)) throw new InvalidRequestError(`unknown timeframe ${String(q.timeframe)}`);
    const limit = checkLimit(q.limit);
    const [afterTs, afterRow] = q.cursor === undefined ? [MIN_TS, -1] : parseCursor(q.cursor);
    if (limit === 0) return { events: [], nextCursor: q.cursor ?? null };
    const rows = this.page.all(q.symbol, q.timeframe, q.since ?? MIN_TS, afterTs, afterTs, afterRow, limit + 1) as Row[];
    const more = rows.length > limit;
    const kept = more ? rows.slice(0, limit) : rows;
    const last = kept.at(-1);
    return { events: kept.map(toEvent), nextCursor: more && last ? `${last.confirmed_at}:${last.rid}` : null };
  }

  /** Events stored for a symbol and timeframe. */
  count(symbol: string, timeframe: Timeframe): number {
    return this.countStmt.get(symbol, timeframe) as number;
  }
}

function parseCursor(cursor: string): [number, number] {
  const m = /^(-?\d+):(\d+)$/.exec(cursor);
  if (!m) throw new InvalidRequestError(`malformed cursor "${cursor}": pass a nextCursor from a previous page`);
  return [Number(m[1]), Number(m[2])];
}

function toEvent(r: Row): StructureEvent {
  if (!isTimeframe(r.timeframe)) throw new DataIntegrityError(`stored structure event ${r.id} has unknown timeframe ${r.timeframe}`);
  if (!(STRUCTURE_EVENT_KINDS as readonly string[]).includes(r.kind)) throw new DataIntegrityError(`stored structure event ${r.id} has unknown kind ${r.kind}`);
  let refs: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.refs_json);
    if (Array.isArray(parsed)) refs = parsed.map(String);
  } catch {
    refs = [];
  }
  return {
    id: r.id,
    kind: r.kind as StructureEventKind,
    direction: r.direction as StructureDirection,
    symbol: r.symbol,
    timeframe: r.timeframe,
    level: r.level,
    top: r.top,
    bottom: r.bottom,
    formedAt: r.formed_at,
    confirmedAt: r.confirmed_at,
    refs,
  };
}
