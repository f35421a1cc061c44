import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { LiveClock, type Clock } from '../../core/index.js';
import { openStore } from '../../store/index.js';
import { Archive } from '../../store/archive/index.js';
import { openSystemLogs } from '../../store/logs/index.js';
import { memoryConfigSchema, RetentionMover, type MemoryConfig, type MoverReport } from '../../store/retention/index.js';
import { DATABASE_FILE } from '../compose.js';


/** Arguments of `utp archive`. */
export type ArchiveArgs = Readonly<{
  /** Archive every UTC day that ended at or before this ISO time (`--before`). */
  before: string;
  /** Data folder (`--data-dir`, default `./data`). */
  dataDir: string;
  /** The `memory` config section (defaults when omitted). */
  memory?: Partial<MemoryConfig>;
  /** Where the JSON summary goes (default stdout). */
  out?: (text: string) => void;
  /** Where progress and problems go (default stderr). */
  err?: (text: string) => void;
  clock?: Clock;
}>;

/** One-line summary of a mover pass, as `utp archive` prints it. */
export type ArchiveSummary = Readonly<{
  before: string;
  days: number;
  filesWritten: number;
  ticksPruned: number;
  candlesPruned: number;
  filesDeleted: number;
  errors: readonly string[];
}>;

/** The summary of a mover report. */
export function summarise(report: MoverReport): ArchiveSummary {
  return {
    before: new Date(report.before).toISOString(),
    days: report.days.length,
    filesWritten: report.days.filter((d) => d.written).length,
    ticksPruned: report.ticksPruned,
    candlesPruned: report.candlesPruned,
    filesDeleted: report.filesDeleted.length,
    errors: report.errors,
  };
}

/**
 * `utp archive --before ISO [--data-dir D]`: archives now, to
 * `<dataDir>/archive/`, every finished UTC day that ended at or before
 * `--before` (what the scheduled mover would do later), prunes SQLite and
 * applies the retention of archive files and logs. Safe next to a running
 * server (its own connection; the prune checks what it deletes). Returns the
 * exit code: 0 done, 1 some day failed (it stays in SQLite), 2 bad arguments.
 */
export async function runArchive(args: ArchiveArgs): Promise<number> {
  const out = args.out ?? ((t: string) => void process.stdout.write(t));
  const err = args.err ?? ((t: string) => void process.stderr.write(t));
  const before = Date.parse(args.before);
  if (Number.isNaN(before)) {
    err(`utp archive: --before is not an ISO time: ${args.before}\n`);
    return 2;
  }
  const parsed = memoryConfigSchema.safeParse(args.memory ?? {});
  if (!parsed.success) {
    err(`utp archive: memory config: ${parsed.error.message}\n`);
    return 2;
  }
  const clock = args.clock ?? new LiveClock();
  mkdirSync(args.dataDir, { recursive: true });
  const store = openStore({ path: path.join(args.dataDir, DATABASE_FILE) });
  const logs = openSystemLogs(args.dataDir, parsed.data, clock);
  try {
    const mover = new RetentionMover({
      db: store.db,
      archive: Archive.forDataDir(args.dataDir, { rowGroupRows: parsed.data.archiveRowGroupRows }),
      clock,
      config: parsed.data,
      targets: [
        { name: 'events', prune: (now) => logs.events.prune(now) },
        { name: 'macro', prune: (now) => logs.macro.prune(now) },
      ],
      onEvent: (e) => {
        if (e.kind !== 'archive.day') err(`utp archive: ${e.message}\n`);
      },
    });
    const report = await mover.archiveBefore(before);
    out(`${JSON.stringify(summarise(report))}\n`);
    return report.errors.length === 0 ? 0 : 1;
  } finally {
    logs.events.close();
    logs.macro.close();
    store.close();
  }
}
