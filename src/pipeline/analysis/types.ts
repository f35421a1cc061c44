import type { Candle } from '../../core/types/Candle.js';
import type { MacroIndicator, MacroSnapshot } from '../macro/MacroStore.js';
import type { SessionInfo, SessionLabel, SessionName } from '../macro/sessions.js';

/** The timeframes one analysis reads, lowest first. */
export const ANALYSED_TIMEFRAMES = ['M1', 'M5', 'M15', 'H1', 'H4'] as const;

/** One timeframe of the analysis. */
export type AnalysedTimeframe = (typeof ANALYSED_TIMEFRAMES)[number];

/** Directional reading of a timeframe or of the whole map. */
export type Bias = 'bullish' | 'bearish' | 'neutral';

/** Volatility regime of one timeframe (see `volatilityRegime` for the thresholds). */
export type VolatilityRegime = 'calm' | 'normal' | 'expanding' | 'extreme';

/** Name and version of the deterministic analysis model, stored with every analysis. */
export const ANALYSIS_MODEL = 'utp-deterministic-v1';

/** One entry of an engine log (DTMS actions, exit plans) given to the analysis; absent until the engines exist. */
export type EngineLogEntry = Readonly<{
  /** When it happened, epoch ms UTC. */
  ts: number;
  /** What the engine did or proposed, e.g. `breakeven`, `partial_close`. */
  action: string;
  /** Human-readable detail. */
  detail: string;
}>;

/** Everything one analysis reads. The same input always gives the same output. */
export type AnalysisInput = Readonly<{
  /** Canonical symbol. */
  symbol: string;
  /** The instant the analysis describes, epoch ms UTC (the newest data time; never read from a clock here). */
  asOf: number;
  /** Closed candles per timeframe, oldest first (an empty array when none). */
  candles: Readonly<Record<AnalysedTimeframe, readonly Candle[]>>;
  /** The latest price (quote mid or last trade); null to use the last close of the lowest timeframe with candles. */
  lastPrice: number | null;
  /** Venue time of `lastPrice`, epoch ms, when known. */
  lastPriceAt?: number | null;
  /** Trading session at `asOf` (from `tradingSession`), or null when unknown. */
  session: SessionInfo | null;
  /** Macro snapshot (VIX, DXY, US10Y) when a source is configured. Context only: it never moves the bias. */
  macro?: MacroSnapshot | null;
  /** DTMS action log of the symbol, when the engine exists. */
  dtms?: readonly EngineLogEntry[] | null;
  /** Exit-plan log of the symbol, when the engine exists. */
  exits?: readonly EngineLogEntry[] | null;
}>;

/** A price zone (order block or the still-unfilled part of a fair-value gap) of one timeframe. */
export type AnalysisZone = Readonly<{
  timeframe: AnalysedTimeframe;
  kind: 'order_block' | 'fvg';
  /** Bullish zones sit below price and are reached from above (support); bearish ones mirror that. */
  direction: 'bullish' | 'bearish';
  top: number;
  bottom: number;
  /** Signed distance from the price to the zone's nearest edge (negative: zone below), 0 when price is inside. */
  distance: number;
  side: 'above' | 'below' | 'inside';
  /** Open time of the candle that formed it, ISO 8601 UTC. */
  formedAt: string;
  /** Close time of the candle whose close confirmed it, ISO 8601 UTC. */
  confirmedAt: string;
}>;

/** Kinds of key level. */
export type KeyLevelKind = 'swing_high' | 'swing_low' | 'fvg' | 'order_block' | 'vwap';

/** One key level of the map, labelled with its timeframe and kind. */
export type KeyLevel = Readonly<{
  timeframe: AnalysedTimeframe;
  kind: KeyLevelKind;
  /** Zone direction (fvg, order_block), `bearish` for a swing high, `bullish` for a swing low, null for VWAP. */
  direction: 'bullish' | 'bearish' | null;
  /** The level; for a zone, its edge nearest to the price (the price itself when inside). */
  price: number;
  /** Zone top, null for a single-price level. */
  top: number | null;
  /** Zone bottom, null for a single-price level. */
  bottom: number | null;
  /** Signed distance price level - current price (0 inside a zone). */
  distance: number;
  side: 'above' | 'below' | 'inside';
  /** Open time of the candle that formed it, ISO 8601 UTC; null for VWAP. */
  formedAt: string | null;
}>;

/** A structure break (BOS/CHOCH) as the analysis reports it. */
export type BreakInfo = Readonly<{ kind: 'bos' | 'choch'; direction: 'bullish' | 'bearish'; level: number; at: string }>;

/** A structure swing as the analysis reports it. */
export type SwingInfo = Readonly<{ price: number; formedAt: string; broken: boolean }>;

/** A liquidity sweep as the analysis reports it. */
export type SweepInfo = Readonly<{ direction: 'bullish' | 'bearish'; level: number; at: string }>;

/** Directional bias of one timeframe with its score and the reasons for it. */
export type TimeframeBias = Readonly<{
  direction: Bias;
  /** In [-1, 1] (see `timeframeBias`); null when the timeframe has too few bars to count. */
  score: number | null;
  reasons: readonly string[];
}>;

/** Volatility, VWAP, structure and bias of one timeframe. */
export type TimeframeAnalysis = Readonly<{
  timeframe: AnalysedTimeframe;
  /** Closed candles analysed (empty ones excluded). */
  bars: number;
  /** Empty candles (no trade, no volume) left out. */
  skippedEmpty: number;
  /** Close time of the last closed candle, ISO 8601 UTC; null without candles. */
  lastCloseAt: string | null;
  lastClose: number | null;
  atr: number | null;
  /** Percent of the window's ATR values at or below the current one; null with fewer than the minimum ATR values. */
  atrPercentile: number | null;
  rangeExpansion: number | null;
  volatility: VolatilityRegime | null;
  vwap: number | null;
  ema20: number | null;
  ema50: number | null;
  structure: Readonly<{
    trend: 'bullish' | 'bearish' | null;
    lastBreak: BreakInfo | null;
    swingHigh: SwingInfo | null;
    swingLow: SwingInfo | null;
    lastSweep: SweepInfo | null;
    events: number;
    openOrderBlocks: number;
    openFvgs: number;
    /** The open zones nearest to price (at most `ZONES_PER_TIMEFRAME` per kind), nearest first. */
    nearestZones: readonly AnalysisZone[];
  }>;
  bias: TimeframeBias;
}>;

/** One row of the multi-timeframe map. */
export type MapRow = Readonly<{
  timeframe: AnalysedTimeframe;
  weight: number;
  bias: Bias;
  score: number | null;
  trend: 'bullish' | 'bearish' | null;
  volatility: VolatilityRegime | null;
}>;

/** The level whose break invalidates the bias. */
export type Invalidation = Readonly<{ price: number; timeframe: AnalysedTimeframe; kind: 'swing_high' | 'swing_low'; rule: string }>;

/** The actionable reading: analysis only, never an order. */
export type AnalysisPlan = Readonly<{
  bias: Bias;
  score: number;
  /** Share of the counted weight whose timeframe bias equals the overall bias, in [0, 1]. */
  agreement: number;
  /** Highest timeframe agreeing with the bias, whose structure gives the invalidation; null when neutral. */
  anchorTimeframe: AnalysedTimeframe | null;
  invalidation: Invalidation | null;
  entryZones: readonly AnalysisZone[];
  /** Qualifying entry zones left out beyond `MAX_ENTRY_ZONES` (never silently cut). */
  entryZonesOmitted: number;
  /** Untaken swing levels in the bias direction (resting liquidity), nearest first. */
  targets: readonly KeyLevel[];
  summary: string;
  note: string;
}>;

/** One macro reading as the analysis reports it. */
export type MacroReadingInfo = Readonly<{ value: number; ageMs: number; stale: boolean; source: string }>;

/** The whole deterministic market analysis of one symbol. */
export type MarketAnalysis = Readonly<{
  model: string;
  symbol: string;
  asOf: string;
  price: Readonly<{ value: number; basis: 'live' | 'last_close'; at: string | null }>;
  session: Readonly<{ label: SessionLabel; active: readonly SessionName[]; overlap: boolean; fxOpen: boolean }> | null;
  timeframes: readonly TimeframeAnalysis[];
  map: readonly MapRow[];
  keyLevels: readonly KeyLevel[];
  plan: AnalysisPlan;
  macro: Readonly<{ complete: boolean; readings: Readonly<Record<MacroIndicator, MacroReadingInfo | null>>; notes: readonly string[] }> | null;
  engines: Readonly<{ dtms: readonly EngineLogEntryOut[] | null; exits: readonly EngineLogEntryOut[] | null }>;
  warnings: readonly string[];
}>;

/** An engine log entry as the analysis reports it. */
export type EngineLogEntryOut = Readonly<{ at: string; action: string; detail: string }>;
