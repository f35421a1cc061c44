/**
 * The M5 volatility bridge's messages (bus topic `volatility.m5`) and the
 * vocabulary they use; produced by the pipeline's volatility bridge.
 */
import type { Candle } from './Candle.js';
import type { Source } from './Source.js';

/** Normalised weight per source (the weights of the sources present sum to 1). */
export type SourceWeights = Readonly<Partial<Record<Source, number>>>;

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
 * The M5 volatility bridge's reading of one symbol (bus topic
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
