/**
 * Wiring of the market memory: the RAM tick buffer, the Parquet archive with
 * its retention mover and the JSON-lines logs, and the one data access layer
 * the tools read through (RAM, SQLite and archive stitched).
 */
import type { Clock, EventBus, SymbolSpec } from '../core/index.js';
import { TickBuffer, type Pipeline } from '../pipeline/index.js';
import { createMemoryLayers, MarketDataAccess, tickPages, type MemoryLayers, type Store } from '../store/index.js';
import type { SystemFacts } from '../tools/index.js';
import type { UtpConfig } from './config.js';
import type { Logger } from './logger.js';

/** The memory layers of a running server. */
export type Memory = Readonly<{
  tickBuffer: TickBuffer;
  layers: MemoryLayers;
  access: MarketDataAccess;
  /** The RAM and archive parts of `get_system_status`. */
  facts(): Pick<SystemFacts, 'ram' | 'archive'>;
  /** Refills the RAM window from SQLite, subscribes the buffer and logs, schedules the mover. */
  start(): Promise<void>;
  /** Stops the buffer (its ticks stay readable), the mover (waiting for a pass) and the logs. */
  stop(): Promise<void>;
}>;

/** What the memory wiring is built from. */
export type MemoryDeps = Readonly<{ config: UtpConfig; clock: Clock; bus: EventBus; store: Store; pipeline: Pipeline; symbols: readonly SymbolSpec[]; log: Logger }>;

/**
 * Builds the memory layers. In replay mode the mover ages days by the
 * replayed market time, not the wall clock: a replay's days are recorded
 * days, and would otherwise be archived and expired on the first pass.
 */
export function createMemory(d: MemoryDeps): Memory {
  const { config, clock, bus, store, pipeline, symbols, log } = d;
  const tickBuffer = new TickBuffer({ bus, clock, windowMs: config.store.ramWindowMs, capBytes: config.store.ramCapBytes });
  const layers = createMemoryLayers({
    dataDir: config.dataDir,
    db: store.db,
    bus,
    clock,
    config: config.memory,
    ...(config.mode === 'replay' ? { marketNow: () => latestVenueTime(pipeline, symbols) ?? clock.now() } : {}),
    onLogError: (error) => log.warn({ err: error }, 'log write failed'),
  });
  const access = new MarketDataAccess(store.candles, pipeline, 1_000, { window: tickBuffer.ring, history: store.ticks, archive: layers.archive });
  const offCandles = bus.subscribe('candle.closed', (candle) => access.onCandleClosed(candle));
  return {
    tickBuffer,
    layers,
    access,
    facts() {
      const mover = layers.mover.status();
      return {
        ram: tickBuffer.status(),
        archive: { dir: layers.archive.dir, ...layers.archive.stats(), passes: mover.passes, lastPassAt: mover.lastPassAt, running: mover.running },
      };
    },
    async start() {
      tickBuffer.start(symbols.map((s) => s.symbol), (symbol, from) => tickPages(store.ticks, symbol, from));
      await layers.start();
    },
    async stop() {
      tickBuffer.stop();
      offCandles();
      await layers.stop();
    },
  };
}

/** Venue time of the newest trade or quote of any symbol, or null before any. */
export function latestVenueTime(pipeline: Pipeline, symbols: readonly SymbolSpec[]): number | null {
  let latest: number | null = null;
  for (const { symbol } of symbols) {
    const s = pipeline.snapshot(symbol);
    for (const t of [s.lastTrade?.tsEvent, s.lastQuote?.tsEvent]) if (t !== undefined && (latest === null || t > latest)) latest = t;
  }
  return latest;
}
