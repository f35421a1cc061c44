import { z } from 'zod';

/**
 * The `memory` section of the config: how long each layer keeps data and how
 * often the mover runs (issue 7's layer table). Every key has a safe default,
 * so `memoryConfigSchema.parse({})` is the documented policy.
 */
export const memoryConfigSchema = z
  .strictObject({
    /** 1 s and 1 min candles (S1, M1) kept in SQLite, hours (rolling); older ones are pruned once archived. */
    aggregateRetentionHours: z.number().int().min(1).max(24 * 30).default(48),
    /** Parquet day files kept, days (7-14): a file whose UTC day is older is deleted. */
    archiveRetentionDays: z.number().int().min(7).max(14).default(14),
    /** JSON-lines event log files kept, days. */
    eventLogRetentionDays: z.number().int().min(1).max(366).default(30),
    /** JSON-lines macro log files kept, days. */
    macroLogRetentionDays: z.number().int().min(1).max(366).default(7),
    /**
     * How long after a UTC day ends before it is archived and its raw ticks
     * leave SQLite, minutes; at least the RAM window, so a restart can still
     * refill the buffer from SQLite. Default 180 (3 h).
     */
    archiveGraceMinutes: z.number().int().min(0).max(24 * 60).default(180),
    /** Period of the mover, minutes. */
    moverIntervalMinutes: z.number().int().min(1).max(24 * 60).default(15),
    /** Rows per Parquet row group (encoded on the archive's worker thread; larger groups compress better). */
    archiveRowGroupRows: z.number().int().min(1000).max(1_000_000).default(5_000),
    /** Period of the macro log snapshot, minutes. */
    macroIntervalMinutes: z.number().int().min(1).max(60).default(5),
    /** Turn the scheduled mover off (manual `utp archive` still works). */
    moverEnabled: z.boolean().default(true),
  })
  .describe('Retention of the data layers: SQLite aggregates, Parquet archive, JSON-lines logs');

/** The validated `memory` config section. */
export type MemoryConfig = z.infer<typeof memoryConfigSchema>;

/** The defaults of {@link memoryConfigSchema}. */
export const DEFAULT_MEMORY_CONFIG: MemoryConfig = memoryConfigSchema.parse({});
