import type BetterSqlite3 from 'better-sqlite3';
import type { EventLevel, SystemEvent } from '../../core/index.js';
import { checkLimit, MAX_TS, MIN_TS, parseJsonObject } from './util.js';

/** Query over the event log; `since`/`until` are inclusive `tsEvent` bounds, epoch ms. */
export type EventListQuery = Readonly<{
  /** Exact kind, e.g. `feed.connected`; omitted = every kind. */
  kind?: string;
  since?: number;
  until?: number;
  /** Most events to return: the latest ones of the range. */
  limit: number;
}>;

type EventRow = {
  kind: string;
  level: string;
  component: string;
  symbol: string | null;
  message: string;
  data_json: string;
  ts_event: number;
  ts_init: number;
};

const COLUMNS = 'kind, level, component, symbol, message, data_json, ts_event, ts_init';

/**
 * Append of one event, positional parameters (kind, level, component, symbol,
 * message, data_json, ts_event, ts_init); shared with the store writer worker.
 */
export const EVENT_INSERT_SQL = `INSERT INTO event_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * The system event log (`event_log`): what happened to feeds, replays and the
 * store itself, for the status tool and post-mortems. Append-only.
 */
export class EventRepo {
  private readonly insert: BetterSqlite3.Statement;
  private readonly insertMany: (events: readonly SystemEvent[]) => number;
  private readonly listAll: BetterSqlite3.Statement;
  private readonly listKind: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insert = db.prepare(EVENT_INSERT_SQL);
    this.insertMany = db.transaction((events: readonly SystemEvent[]) => {
      for (const e of events) this.write(e);
      return events.length;
    });
    const order = 'ORDER BY ts_event DESC, id DESC LIMIT ?';
    this.listAll = db.prepare(`SELECT ${COLUMNS} FROM event_log WHERE ts_event BETWEEN ? AND ? ${order}`);
    this.listKind = db.prepare(`SELECT ${COLUMNS} FROM event_log WHERE kind = ? AND ts_event BETWEEN ? AND ? ${order}`);
  }

  /** Appends one event. */
  append(event: SystemEvent): void {
    this.write(event);
  }

  /** Appends events in one transaction (a savepoint inside another); all or nothing. Returns the count. */
  appendMany(events: readonly SystemEvent[]): number {
    if (events.length === 0) return 0;
    return this.insertMany(events);
  }

  /** The latest `limit` events matching the query, oldest first. */
  list(query: EventListQuery): SystemEvent[] {
    const limit = checkLimit(query.limit);
    const since = query.since ?? MIN_TS;
    const until = query.until ?? MAX_TS;
    const rows = (
      query.kind === undefined ? this.listAll.all(since, until, limit) : this.listKind.all(query.kind, since, until, limit)
    ) as EventRow[];
    return rows.reverse().map(toEvent);
  }

  private write(e: SystemEvent): void {
    // JSON.stringify throws on BigInt and cycles: such an event breaks the contract and fails its batch.
    this.insert.run(eventParams(e));
  }
}

/**
 * The parameters of {@link EVENT_INSERT_SQL} for an event, in order. Throws
 * on data JSON.stringify cannot take (BigInt, cycles): such an event breaks
 * the contract and is rejected.
 */
export function eventParams(e: SystemEvent): unknown[] {
  return [e.kind, e.level, e.component, e.symbol, e.message, JSON.stringify(e.data ?? {}), e.tsEvent, e.tsInit];
}

function toEvent(row: EventRow): SystemEvent {
  return {
    kind: row.kind,
    level: row.level as EventLevel,
    component: row.component,
    symbol: row.symbol,
    message: row.message,
    data: parseJsonObject(row.data_json),
    tsEvent: row.ts_event,
    tsInit: row.ts_init,
  };
}
