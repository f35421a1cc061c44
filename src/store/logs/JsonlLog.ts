import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../core/index.js';
import { DAY_MS, dayStart, utcDay } from '../archive/layout.js';

/** Folder of the JSON-lines logs inside the data folder: `<dataDir>/logs`. */
export const LOGS_FOLDER = 'logs';

/** How a log is kept. */
export type JsonlLogOptions = Readonly<{
  /** Folder of the files, usually `<dataDir>/logs`. */
  dir: string;
  /** File name prefix: files are `<name>-YYYY-MM-DD.jsonl` (e.g. `events`, `macro`). */
  name: string;
  /** Files whose UTC day is more than this many days before today are deleted by `prune`. */
  retentionDays: number;
  clock: Clock;
}>;

/**
 * An append-only JSON-lines log rotated per UTC day: one object per line in
 * `<dir>/<name>-<YYYY-MM-DD>.jsonl`, the day taken from the record's time, so
 * a file holds exactly one UTC day and can be deleted whole by `prune`.
 * Appends are synchronous `write(2)`s of whole lines on an O_APPEND file: a
 * crash loses at most the line being written, never earlier lines.
 */
export class JsonlLog {
  readonly dir: string;
  readonly name: string;
  readonly retentionDays: number;
  private readonly clock: Clock;
  private fd: number | null = null;
  private day: string | null = null;
  private lines = 0;

  constructor(options: JsonlLogOptions) {
    this.dir = options.dir;
    this.name = options.name;
    this.retentionDays = options.retentionDays;
    this.clock = options.clock;
  }

  /** Path of the file of a UTC day. */
  fileOf(day: string): string {
    return path.join(this.dir, `${this.name}-${day}.jsonl`);
  }

  /** Appends one record at time `ts` (epoch ms; default the clock's now). Throws on data JSON cannot encode. */
  append(record: Readonly<Record<string, unknown>>, ts: number = this.clock.now()): void {
    const line = `${JSON.stringify(record)}\n`;
    const day = utcDay(ts);
    if (day !== this.day || this.fd === null) this.rotate(day);
    writeSync(this.fd!, line);
    this.lines += 1;
  }

  /** Lines appended since construction. */
  get written(): number {
    return this.lines;
  }

  /** Days that have a file, oldest first. */
  listDays(): string[] {
    const re = new RegExp(`^${this.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d{4}-\\d{2}-\\d{2})\\.jsonl$`);
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .map((n) => re.exec(n)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
  }

  /** Deletes files of days more than `retentionDays` before the UTC day of `now`; returns how many. */
  prune(now: number = this.clock.now()): number {
    const oldest = utcDay(dayStart(utcDay(now)) - this.retentionDays * DAY_MS);
    let deleted = 0;
    for (const day of this.listDays()) {
      if (day >= oldest) break;
      if (day === this.day) this.closeFile();
      rmSync(this.fileOf(day), { force: true });
      deleted += 1;
    }
    return deleted;
  }

  /** Closes the open file. Appending again reopens it. */
  close(): void {
    this.closeFile();
  }

  private rotate(day: string): void {
    this.closeFile();
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(this.fileOf(day), 'a');
    this.day = day;
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.day = null;
  }
}
