import type BetterSqlite3 from 'better-sqlite3';
import type { Clock, EventBus } from '../../core/index.js';
import { Archive } from '../archive/Archive.js';
import { openSystemLogs, subscribeLogs, type SystemLogs } from '../logs/subscribeLogs.js';
import { memoryConfigSchema, type MemoryConfig } from './config.js';
import { RetentionMover } from './RetentionMover.js';

/** What the server hands to {@link createMemoryLayers}. */
export type MemoryLayersOptions = Readonly<{
  dataDir: string;
  /** The store's connection (`store.db`). */
  db: BetterSqlite3.Database;
  bus: EventBus;
  clock: Clock;
  /** Venue time of the newest data, by which the mover ages days (default: the clock). */
  marketNow?: () => number;
  /** The validated (or raw, validated here) `memory` config section. */
  config?: Partial<MemoryConfig>;
  /** Log write failures (never thrown into the bus). */
  onLogError?: (error: unknown) => void;
}>;

/** The archive, the mover and the logs of a running server, with one lifecycle. */
export type MemoryLayers = Readonly<{
  config: MemoryConfig;
  archive: Archive;
  mover: RetentionMover;
  logs: SystemLogs;
  start(): Promise<void>;
  stop(): Promise<void>;
}>;

/**
 * Wires the lower layers of market memory for the server: the Parquet
 * archive under `<dataDir>/archive`, the JSON-lines logs under
 * `<dataDir>/logs` fed from the bus, and the retention mover on the clock,
 * whose own events (`archive.*`) are published as `system.event`. `start()`
 * subscribes the logs and schedules the mover; `stop()` undoes both, waiting
 * for a pass in progress, and ends the archive's read thread.
 */
export function createMemoryLayers(options: MemoryLayersOptions): MemoryLayers {
  const config = memoryConfigSchema.parse(options.config ?? {});
  const archive = Archive.forDataDir(options.dataDir, { rowGroupRows: config.archiveRowGroupRows });
  const logs = openSystemLogs(options.dataDir, config, options.clock);
  const mover = new RetentionMover({
    db: options.db,
    archive,
    clock: options.clock,
    ...(options.marketNow ? { marketNow: options.marketNow } : {}),
    config,
    targets: [
      { name: 'events', prune: (now) => logs.events.prune(now) },
      { name: 'macro', prune: (now) => logs.macro.prune(now) },
    ],
    onEvent: (event) => options.bus.publish('system.event', event),
  });
  let unsubscribe: (() => void) | null = null;
  return {
    config,
    archive,
    mover,
    logs,
    async start() {
      if (unsubscribe === null) unsubscribe = subscribeLogs(options.bus, logs, options.onLogError);
      await mover.start();
    },
    async stop() {
      await mover.stop();
      unsubscribe?.();
      unsubscribe = null;
      logs.events.close();
      logs.macro.close();
      await archive.close();
    },
  };
}
