import type { Clock, FeedStatus, LiveMarketView, OffsetUpdate, StructureDirection, SymbolSpec, Timeframe, VolatilityBridgeReading } from '../core/index.js';
import type { MacroSnapshot, PipelineStats, TickRingStatus } from '../pipeline/index.js';
import type { TradingView, LoopDelay } from './trading/view.js';
import type { ApprovalsView } from './approvals/view.js';
import type { ParametersView } from './params/view.js';
import type { AnalysisListQuery, AnalysisRecord, AnalysisRecordInput, MarketDataAccess, StructureEventRepo } from '../store/index.js';

/** Facts about the running system that the status tool reports; assembled by the server. */
export type SystemFacts = Readonly<{
  mode: string;
  startedAt: number;
  version: string;
  feeds: readonly FeedStatus[];
  pipeline: PipelineStats;
  store: Readonly<{ path: string; sizeBytes: number; ticks: number; candles: number; pendingWrites: number; writeErrors: number }>;
  replay: Readonly<{ file: string; speed: string; loops: number; framesSent: number }> | null;
  /** The RAM tick buffer (window, bytes, pressure), absent when not running. */
  ram?: TickRingStatus;
  /** The Parquet archive and the layer mover, absent when not running. */
  archive?: Readonly<{ dir: string; files: number; bytes: number; passes: number; lastPassAt: number | null; running: boolean }>;
}>;

/** Where analyses are stored and read back: the store's `AnalysisRepo` (analysis_history table). */
export type AnalysisHistory = Readonly<{
  append(record: AnalysisRecordInput): AnalysisRecord;
  list(query: AnalysisListQuery): readonly AnalysisRecord[];
}>;

/** The macro context source (the pipeline's `MacroStore`): session and latest VIX, DXY, US10Y readings at an instant. */
export type MacroView = Readonly<{ snapshot(now: number): MacroSnapshot }>;

/**
 * The pipeline's fusion analytics the fusion tools read (`get_offsets`,
 * `get_volatility_bridge`, `get_structure`); the server builds it from the Pipeline.
 */
export type FusionView = Readonly<{
  /** Last offset calibration of every symbol that has one. */
  offsetUpdates(): readonly OffsetUpdate[];
  /** Latest M5 volatility bridge reading of a symbol, or null while warming up. */
  volatilityReading(symbol: string): VolatilityBridgeReading | null;
  /** Primary M5 candles the bridge needs before its first reading, and whether it has had them. */
  volatilityWarmUp(symbol: string): Readonly<{ requiredInputs: number; stable: boolean }> | null;
  /** Structure of a symbol's primary candle stream and timeframe: close time of the last closed candle the detector saw, its trend; null before any. */
  structureState(symbol: string, timeframe: Timeframe): Readonly<{ asOf: number; bars: number; trend: StructureDirection | null }> | null;
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
  /** Offsets, volatility bridge and structure state of the running pipeline; absent = the fusion tools report it is not configured. */
  fusion?: FusionView;
  /** Stored structure events (the store's `StructureEventRepo`, paged); absent = get_structure reports it is not configured. */
  structures?: Pick<StructureEventRepo, 'query'>;
  facts(): SystemFacts;
  /** Analysis history; absent = analyze_market answers without storing and get_analysis_history reports it is not configured. */
  analysisHistory?: AnalysisHistory;
  /** Macro readings; absent = no macro source is configured (readings answer null with that reason). */
  macro?: MacroView;
  /** Coordinator, venue, risk and journal; absent = the trading tools report trading is not wired. */
  trading?: TradingView;
  /** Pending write requests, approvals and the audit log; absent = writes are disabled (write tools are not served). */
  approvals?: ApprovalsView;
  /** Versioned DTMS, exits and risk parameters; absent = get_parameters reports they are not versioned. */
  parameters?: ParametersView;
  /** Event-loop load; analysis tools answer from cache (with its age) while `busy()` so DTMS latency never pays for analysis. */
  load?: LoadView;
}>;

/** Event-loop load as the coordinator's monitor measures it. */
export type LoadView = Readonly<{ busy(): boolean; delay(): LoopDelay | null }>;
