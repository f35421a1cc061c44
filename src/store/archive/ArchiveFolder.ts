import { existsSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { archiveFilePath, checkSymbol, dayOfFile, isArchiveKind, type ArchiveKind } from './layout.js';

/**
 * The archive's folder tree `<dir>/<kind>/<SYMBOL>/<YYYY-MM-DD>.parquet`:
 * which kinds, symbols and complete days it holds, its size, and the
 * housekeeping of files (retention deletes, stale temp files of interrupted
 * writes). Reading and writing day files is `Archive`'s.
 */
export class ArchiveFolder {
  constructor(readonly dir: string) {}

  /** Path of the file of a kind, symbol and day (whether or not it exists). */
  pathOf(kind: ArchiveKind, symbol: string, day: string): string {
    return archiveFilePath(this.dir, kind, symbol, day);
  }

  /** True when the day file exists. */
  has(kind: ArchiveKind, symbol: string, day: string): boolean {
    return existsSync(this.pathOf(kind, symbol, day));
  }

  /** Kinds that have a folder, sorted. */
  kinds(): ArchiveKind[] {
    return subdirs(this.dir).filter(isArchiveKind).sort();
  }

  /** Symbols with a folder under a kind, sorted. */
  listSymbols(kind: ArchiveKind): string[] {
    return subdirs(path.join(this.dir, kind)).sort();
  }

  /** Days (`YYYY-MM-DD`) with a complete file of a symbol and kind, oldest first. Temp files are not listed. */
  listDays(symbol: string, kind: ArchiveKind): string[] {
    const folder = path.join(this.dir, kind, checkSymbol(symbol));
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return [];
    }
    return names.map(dayOfFile).filter((d): d is string => d !== null).sort();
  }

  /** Deletes every day file older than `day` (exclusive), every kind and symbol; returns the deleted paths. */
  deleteDaysBefore(day: string): string[] {
    const deleted: string[] = [];
    for (const kind of this.kinds()) {
      for (const symbol of this.listSymbols(kind)) {
        for (const d of this.listDays(symbol, kind)) {
          if (d >= day) break;
          const file = this.pathOf(kind, symbol, d);
          unlinkSync(file);
          deleted.push(file);
        }
      }
    }
    return deleted;
  }

  /**
   * Removes temp files left by interrupted writes: those of this process and
   * of processes that no longer run (the writer's pid is in the name), so a
   * second process archiving the same folder keeps its file in progress.
   * Returns how many were removed.
   */
  cleanTemp(): number {
    let removed = 0;
    for (const kind of this.kinds()) {
      for (const symbol of this.listSymbols(kind)) {
        const folder = path.join(this.dir, kind, symbol);
        for (const name of readdirSync(folder)) {
          if (name.startsWith('.') && name.endsWith('.tmp') && !writerAlive(name)) {
            rmSync(path.join(folder, name), { force: true });
            removed += 1;
          }
        }
      }
    }
    return removed;
  }

  /** Number of day files and their total size in bytes, for the status tool. */
  stats(): { files: number; bytes: number } {
    let files = 0;
    let bytes = 0;
    for (const kind of this.kinds()) {
      for (const symbol of this.listSymbols(kind)) {
        for (const d of this.listDays(symbol, kind)) {
          files += 1;
          bytes += statSync(this.pathOf(kind, symbol, d)).size;
        }
      }
    }
    return { files, bytes };
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** True when the temp file's writer (pid in its name) is another process that still runs. */
function writerAlive(name: string): boolean {
  const pid = Number(/\.parquet\.(\d+)\./.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
