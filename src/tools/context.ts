import type { Clock, FeedStatus, LiveMarketView, SymbolSpec } from '../core/index.js';
import type { PipelineStats } from '../pipeline/index.js';
import type { MarketDataAccess } from '../store/index.js';

/** Facts about the running system that the status tool reports; assembled by the server. */
export type SystemFacts = Readonly<{
  mode: string;
  startedAt: number;
  version: string;
  feeds: readonly FeedStatus[];
  pipeline: PipelineStats;
  store: Readonly<{ path: string; sizeBytes: number; ticks: number; candles: number; pendingWrites: number; writeErrors: number }>;
  replay: Readonly<{ file: string; speed: string; loops: number; framesSent: number }> | null;
}>;

/**
 * Everything a tool may read. Built once by the server's composition root and
 * handed to every handler, so tools never construct sockets or databases.
 */
export type ToolContext = Readonly<{
  clock: Clock;
  symbols: readonly SymbolSpec[];
  live: LiveMarketView;
  access: MarketDataAccess;
  facts(): SystemFacts;
}>;
