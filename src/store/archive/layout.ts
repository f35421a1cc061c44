import path from 'node:path';
import { InvalidRequestError, isTimeframe, type Timeframe } from '../../core/index.js';

/** Folder of the archive inside the data folder: `<dataDir>/archive`. */
export const ARCHIVE_FOLDER = 'archive';

/** What an archive file holds: raw ticks, or candles of one timeframe (`candles-M1`, `candles-H4`, ...). */
export type ArchiveKind = 'ticks' | `candles-${Timeframe}`;

/** The archive kind of candles of a timeframe. */
export function candleKind(timeframe: Timeframe): ArchiveKind {
  return `candles-${timeframe}`;
}

/** The timeframe of a candle kind, or null for `ticks`. */
export function kindTimeframe(kind: ArchiveKind): Timeframe | null {
  return kind === 'ticks' ? null : (kind.slice('candles-'.length) as Timeframe);
}

/** Narrows a folder name to an archive kind. */
export function isArchiveKind(value: string): value is ArchiveKind {
  return value === 'ticks' || (value.startsWith('candles-') && isTimeframe(value.slice('candles-'.length)));
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FILE_RE = /^(\d{4}-\d{2}-\d{2})\.parquet$/;
const SYMBOL_RE = /^[A-Za-z0-9._-]+$/;

/** Milliseconds in a UTC day. */
export const DAY_MS = 86_400_000;

/** The UTC day (`YYYY-MM-DD`) containing epoch ms `ts`. */
export function utcDay(ts: number): string {
  return new Date(Math.floor(ts / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` day; throws InvalidRequestError on a malformed day. */
export function dayStart(day: string): number {
  const m = DAY_RE.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!Number.isFinite(ms) || utcDay(ms) !== day) throw new InvalidRequestError(`not a UTC day YYYY-MM-DD: ${day}`);
  return ms;
}

/** The day of an archive file name (`2024-03-11.parquet` -> `2024-03-11`), or null for anything else (temp files). */
export function dayOfFile(name: string): string | null {
  return FILE_RE.exec(name)?.[1] ?? null;
}

/** Throws unless `symbol` is safe as a folder name. */
export function checkSymbol(symbol: string): string {
  if (!SYMBOL_RE.test(symbol)) throw new InvalidRequestError(`symbol ${JSON.stringify(symbol)} cannot name an archive folder`);
  return symbol;
}

/** `<root>/<kind>/<SYMBOL>/<YYYY-MM-DD>.parquet`. */
export function archiveFilePath(root: string, kind: ArchiveKind, symbol: string, day: string): string {
  dayStart(day);
  return path.join(root, kind, checkSymbol(symbol), `${day}.parquet`);
}

/** UTC days overlapping the inclusive range [from, to], oldest first. */
export function daysBetween(from: number, to: number): string[] {
  const out: string[] = [];
  if (!(to >= from)) return out;
  for (let d = Math.floor(from / DAY_MS) * DAY_MS; d <= to; d += DAY_MS) out.push(utcDay(d));
  return out;
}
