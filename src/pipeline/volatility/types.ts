import type { Candle, Source } from '../../core/index.js';
import type { SourceWeights } from '../calibration/weights.js';
import type { StreamingCalculator } from '../indicators/StreamingCalculator.js';

/** Volatility regime of a symbol's M5 series. */
export type VolatilityState = 'calm' | 'normal' | 'expanding' | 'extreme';

/** Directional structure label one detector gives one source and timeframe. */
export type StructureLabel = 'bullish' | 'bearish' | 'neutral';

/** Timeframes whose structure labels vote in the bridge. */
export type LabelTimeframe = 'M1' | 'M5' | 'M15';

/** The structure detector's current label of one source and timeframe (input of the bridge). */
export type StructureLabelInput = Readonly<{ source: Source; timeframe: LabelTimeframe; label: StructureLabel }>;

/** Direction of the primary M5 closes over the slope lookback, in ATR units. */
export type SlopeDirection = 'up' | 'down' | 'flat';

/** One counted vote. */
export type Ballot = Readonly<{
  source: Source;
  timeframe: LabelTimeframe;
  /** Label as counted (for M1: after the reversal filter). */
  label: StructureLabel;
  /** Label as the detector gave it. */
  raw: StructureLabel;
  /** True when an M1 reversal was not confirmed by the M5 slope and the previous M1 direction was counted instead. */
  filtered: boolean;
  /** Source weight × timeframe weight. */
  weight: number;
}>;

/** The weighted vote behind a structure label. */
export type VoteTally = Readonly<{ bullish: number; bearish: number; neutral: number; total: number; ballots: readonly Ballot[] }>;

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

/** What the M15 containing this M5 looks like so far. */
export type M15Progress = Readonly<{
  openTime: number;
  /** Highest high - lowest low over its M5 candles so far. */
  range: number;
  /** `range` in ATR(M5) as of the M5 before the M15 opened, or null. */
  rangeAtr: number | null;
  /** M5 candles of it seen so far (1-3). */
  candles: number;
  /** True once this M15 is complete (its third M5 closed). */
  closed: boolean;
}>;

/**
 * The M5 volatility bridge's reading of one symbol (proposed bus topic
 * `volatility.m5`): the primary's M5 candle, the weighted fused close of both
 * sources in broker terms, ATR, range expansion and the volatility state,
 * early M15 expansion, and the structure label voted across sources and
 * M1/M5/M15.
 */
export type VolatilityBridgeReading = Readonly<{
  symbol: string;
  /** Open time of the M5 candle, epoch ms UTC. */
  openTime: number;
  /** Source whose candle is `m5`. */
  primary: Source;
  /** The primary's M5 candle, in that venue's own prices (no offset). */
  m5: Candle;
  /** False while the M5 candle is still forming. */
  closed: boolean;
  /**
   * Weighted close of both sources in broker terms, in the price basis of the
   * primary (Binance primary: broker mid; MT5 primary: its candle basis,
   * usually bid). Null when no source could be expressed in broker terms.
   */
  fusedClose: number | null;
  /** Normalised freshness × quality weight per source that has an M5 candle. */
  weights: SourceWeights;
  /** Sources whose close entered `fusedClose`. */
  sources: readonly Source[];
  /** Offset applied to the Binance close, or null. */
  offset: number | null;
  /** Broker spread used to move bid/ask closes to the fused basis, or null. */
  brokerSpread: number | null;
  /** ATR(14) of the primary's M5 candles, this one included. */
  atr: number;
  /** ATR / mean of the previous `baselineLength` ATR values. */
  atrRatio: number;
  /** (high - low) of this M5 / ATR after the previous M5. */
  rangeExpansion: number;
  state: VolatilityState;
  /** Primary close change over the slope lookback per candle, in ATR units, and its direction. */
  slope: number | null;
  slopeDirection: SlopeDirection;
  /** True once the forming M15 showed expansion at a reading before it closed. */
  expansionBeforeM15Close: boolean;
  m15: M15Progress;
  /** Weighted majority of the votes (neutral without a strict majority). */
  structureLabel: StructureLabel;
  votes: VoteTally;
  /** Venue time of the M5 candle's last fact. */
  tsEvent: number;
  tsInit: number;
}>;
