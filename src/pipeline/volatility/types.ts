import type { Candle, LabelTimeframe, Source, StructureLabelInput } from '../../core/index.js';
import type { StreamingCalculator } from '../indicators/StreamingCalculator.js';

/** Thresholds of the volatility state; see `classifyVolatility`. */
export type VolatilityThresholds = Readonly<{
  /** Range expansion at or above which the state is at least `expanding` (default 1.5). */
  expandingRange: number;
  /** ATR ratio at or above which the state is at least `expanding` (default 1.2). */
  expandingAtr: number;
  /** Range expansion at or above which the state is `extreme` (default 2.5). */
  extremeRange: number;
  /** ATR ratio at or above which the state is `extreme` (default 1.6). */
  extremeAtr: number;
  /** `calm` needs range expansion below this (default 0.75)... */
  calmRange: number;
  /** ...and an ATR ratio at or below this (default 0.85). */
  calmAtr: number;
}>;

/** Tuning of the M5 bridge; every field but `symbol` has a default. */
export type M5BridgeOptions = Readonly<{
  /** Canonical symbol. */
  symbol: string;
  /** Makes the ATR calculator over M5 candles (default: the indicators' Wilder `Atr(14)`). */
  createAtr?: () => StreamingCalculator<Candle, number>;
  /** ATR values averaged into the baseline of the ATR ratio (default 24 = 2 h of M5). */
  baselineLength?: number;
  thresholds?: Partial<VolatilityThresholds>;
  /** Range of the forming M15 so far, in ATR(M5) before it opened, that counts as expansion (default 2.0). */
  m15ExpansionAtr?: number;
  /** M5 closes looked back over for the slope (default 3). */
  slopeLookback?: number;
  /** |slope| per candle in ATR units needed for `up`/`down` (default 0.1). */
  slopeMin?: number;
  /** Freshness time constant of candle weights, ms (default 60 000). */
  freshnessTauMs?: number;
  /** Weight of each timeframe's votes (default 1 each). */
  timeframeWeights?: Readonly<Partial<Record<LabelTimeframe, number>>>;
}>;

/** One step of the bridge: the primary's M5 candle and what is known alongside it. */
export type BridgeInput = Readonly<{
  /** M5 candle of the primary source (forming or closed), in that venue's own prices. */
  primary: Candle;
  /** Source of `primary`. */
  primarySource: Source;
  /** The other source's M5 candle of the same open time, in its own prices, or null. */
  secondary: Candle | null;
  /** Source of `secondary` (ignored when it is null). */
  secondarySource?: Source | null;
  /** Offset in force (broker mid - Binance), or null before calibration (Binance then cannot enter the fused close). */
  offset: number | null;
  /** Broker spread (ask - bid) to convert bid/ask candles to mid, or null. */
  brokerSpread: number | null;
  /** Quality in [0, 1] per source (missing: 1). */
  quality?: Readonly<Partial<Record<Source, number>>>;
  /** Current structure labels per source and timeframe. */
  labels?: readonly StructureLabelInput[];
  /** When this reading is produced, epoch ms. */
  tsInit: number;
}>;

export type {
  Ballot,
  LabelTimeframe,
  M15Progress,
  SlopeDirection,
  StructureLabel,
  StructureLabelInput,
  VolatilityBridgeReading,
  VolatilityState,
  VoteTally,
} from '../../core/types/Volatility.js';
