import type { Clock, EventBus, SymbolSpec } from '../core/index.js';
import type { OffsetEngineOptions } from './calibration/offsetTypes.js';
import type { SpikeFilterOptions } from './filters/SpikeFilter.js';
import type { M5BridgeOptions } from './volatility/types.js';

/** Options of the tick pipeline. */
export type PipelineOptions = Readonly<{
  bus: EventBus;
  clock: Clock;
  symbols: readonly SymbolSpec[];
  /** How often candles are closed by the clock when no tick arrives, ms. */
  closeIntervalMs?: number;
  /** Grace after a candle's end before the clock closes it (late ticks), ms. */
  closeGraceMs?: number;
  /** Spike controller tuning; `false` turns it off. */
  spike?: SpikeFilterOptions | false;
  /** How often the Binance-to-broker offset used by the fused stream is refreshed, ms (default 60 000). */
  offsetIntervalMs?: number;
  /** Offset engine tuning (`atrOf` and `quality` are wired by the pipeline). */
  offset?: Omit<OffsetEngineOptions, 'atrOf' | 'quality'>;
  /** M5 volatility bridge tuning shared by every symbol. */
  bridge?: Omit<M5BridgeOptions, 'symbol'>;
}>;

/** Counters the status tool reports. */
export type PipelineStats = Readonly<{
  accepted: number;
  rejected: number;
  unknownSymbol: number;
  lateTicks: number;
  candlesClosed: number;
  rejectReasons: Readonly<Record<string, number>>;
  spikes: number;
  fused: number;
}>;
