import type BetterSqlite3 from 'better-sqlite3';
import { InvalidRequestError } from '../../core/index.js';
import { checkLimit, parseJsonObject } from './util.js';

/** What one stored analysis says before it has an id. */
export type AnalysisRecordInput = Readonly<{
  /** Canonical symbol analysed. */
  symbol: string;
  /** Timeframes the analysis read, e.g. `['M1', 'M5', 'M15', 'H1', 'H4']`. */
  timeframes: readonly string[];
  /** What was asked: the tool name (`analyze_market`) or a free question. */
  question: string | null;
  /** The answer, a JSON object. */
  answer: Readonly<Record<string, unknown>>;
  /** Model that produced the answer, e.g. `utp-deterministic-v1`. */
  model: string | null;
  /** When the analysis was made, epoch ms UTC (the caller's clock). */
  ts: number;
}>;

/** One stored analysis. */
export type AnalysisRecord = AnalysisRecordInput &
  Readonly<{
    /** Row id, rising with every append. */
    id: number;
    timeframes: readonly string[];
    answer: Readonly<Record<string, unknown>>;
  }>;

/** Position of a page boundary: the (ts, id) of the last record of the previous page. */
export type AnalysisPosition = Readonly<{ ts: number; id: number }>;

/** Query over the analysis history, newest first. */
export type AnalysisListQuery = Readonly<{
  /** Exact canonical symbol; omitted = every symbol. */
  symbol?: string;
  /** Return only records strictly older than this position (for paging); omitted = from the newest. */
  before?: AnalysisPosition;
  /** Most records to return. */
  limit: number;
}>;

type AnalysisRow = {
  id: number;
  symbol: string;
  timeframes: string;
  question: string | null;
  answer_json: string;
  model: string | null;
  ts: number;
};

const COLUMNS = 'id, symbol, timeframes, question, answer_json, model, ts';
const ORDER = 'ORDER BY ts DESC, id DESC LIMIT ?';
const OLDER = '(ts < ? OR (ts = ? AND id < ?))';

/**
 * The analysis history (`analysis_history`): one row per analysis a tool
 * answered (question, answer JSON, model, time), so a model or a human can
 * read back what was concluded and when. Append-only; read newest first,
 * ordered by (ts, id) descending so paging with a position is exact.
 */
export class AnalysisRepo {
  private readonly insert: BetterSqlite3.Statement;
  private readonly all: BetterSqlite3.Statement;
  private readonly allBefore: BetterSqlite3.Statement;
  private readonly bySymbol: BetterSqlite3.Statement;
  private readonly bySymbolBefore: BetterSqlite3.Statement;
  private readonly countAll: BetterSqlite3.Statement;
  private readonly countSymbol: BetterSqlite3.Statement;

  constructor(db: BetterSqlite3.Database) {
    this.insert = db.prepare('INSERT INTO analysis_history (symbol, timeframes, question, answer_json, model, ts) VALUES (?, ?, ?, ?, ?, ?)');
    this.all = db.prepare(`SELECT ${COLUMNS} FROM analysis_history ${ORDER}`);
    this.allBefore = db.prepare(`SELECT ${COLUMNS} FROM analysis_history WHERE ${OLDER} ${ORDER}`);
    this.bySymbol = db.prepare(`SELECT ${COLUMNS} FROM analysis_history WHERE symbol = ? ${ORDER}`);
    this.bySymbolBefore = db.prepare(`SELECT ${COLUMNS} FROM analysis_history WHERE symbol = ? AND ${OLDER} ${ORDER}`);
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM analysis_history');
    this.countSymbol = db.prepare('SELECT COUNT(*) AS n FROM analysis_history WHERE symbol = ?');
  }

  /**
   * Stores one analysis and returns it with its id.
   * @throws InvalidRequestError on an empty symbol, a non-integer time or an
   *   answer JSON.stringify cannot take (BigInt, cycles).
   */
  append(record: AnalysisRecordInput): AnalysisRecord {
    if (typeof record.symbol !== 'string' || record.symbol.trim() === '') throw new InvalidRequestError('analysis symbol must be a non-empty string');
    if (!Number.isSafeInteger(record.ts)) throw new InvalidRequestError(`analysis ts must be an integer epoch ms, got ${String(record.ts)}`);
    let answer: string;
    try {
      answer = JSON.stringify(record.answer);
    } catch (error) {
      throw new InvalidRequestError(`analysis answer is not JSON: ${(error as Error).message}`);
    }
    const info = this.insert.run(record.symbol, JSON.stringify([...record.timeframes]), record.question, answer, record.model, record.ts);
    return { ...record, id: Number(info.lastInsertRowid), timeframes: [...record.timeframes], answer: JSON.parse(answer) as Record<string, unknown> };
  }

  /** Up to `limit` records matching the query, newest first (ts, then id, descending). */
  list(query: AnalysisListQuery): AnalysisRecord[] {
    const limit = checkLimit(query.limit);
    const b = query.before;
    let rows: AnalysisRow[];
    if (query.symbol === undefined) rows = (b ? this.allBefore.all(b.ts, b.ts, b.id, limit) : this.all.all(limit)) as AnalysisRow[];
    else rows = (b ? this.bySymbolBefore.all(query.symbol, b.ts, b.ts, b.id, limit) : this.bySymbol.all(query.symbol, limit)) as AnalysisRow[];
    return rows.map(toRecord);
  }

  /** Stored analyses, of one symbol when given. */
  count(symbol?: string): number {
    const row = (symbol === undefined ? this.countAll.get() : this.countSymbol.get(symbol)) as { n: number };
    return row.n;
  }
}

function toRecord(row: AnalysisRow): AnalysisRecord {
  return {
    id: row.id,
    symbol: row.symbol,
    timeframes: parseTimeframes(row.timeframes),
    question: row.question,
    answer: parseJsonObject(row.answer_json),
    model: row.model,
    ts: row.ts,
  };
}

/** The stored timeframes column: a JSON array, or (rows written by hand) a comma-separated list. */
function parseTimeframes(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value.map(String);
  } catch {
    // fall through
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
