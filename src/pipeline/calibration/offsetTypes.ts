import type { Source } from '../../core/index.js';
import type { SourceWeights } from './weights.js';

/**
 * One calibration of one symbol's Binance-to-broker offset: the payload of
 * the proposed bus topic `offset.updated`. `offset` is what the fuser must
 * add to Binance prices from now on; while the symbol is in discrepancy it is
 * the held (previous) offset, not this calibration's `candidate`.
 */
export type OffsetUpdate = Readonly<{
  symbol: string;
  /** Offset in force after this calibration (broker mid - Binance price): add it to a Binance price. */
  offset: number;
  /** Robust centre (median) of this calibration's pairs. */
  candidate: number;
  /** Pairs the median was taken over. */
  pairs: number;
  /** Venue-time window of the pairs: lookback (from, to] and the times of the oldest and newest pair used. */
  window: Readonly<{ from: number; to: number; firstPair: number; lastPair: number; pairWindowMs: number }>;
  /** Offset in force before this calibration, or null at the first one. */
  previous: number | null;
  /** True when `offset` is held at the previous value because the symbol is in discrepancy. */
  held: boolean;
  /** True while the symbol is flagged (a jump larger than the threshold has not settled yet). */
  discrepancy: boolean;
  /** The jump threshold used (fraction × ATR(M5), or the bps fallback), or null when neither was known. */
  threshold: number | null;
  /** ATR(M5) the threshold came from, or null. */
  atr: number | null;
  /** Consecutive stable calibrations counted towards settling (0 when not flagged). */
  settleStreak: number;
  /** Venue time of the newest pair used, epoch ms. */
  tsEvent: number;
  /** When the calibration ran, epoch ms. */
  tsInit: number;
}>;

/** Phase of a discrepancy: it was just detected, or it settled and the offset moved on. */
export type DiscrepancyPhase = 'flagged' | 'settled';

/**
 * A discrepancy event (proposed topic `offset.discrepancy`, also logged as a
 * `system.event` of kind `offset.discrepancy`): a calibration jumped more
 * than the threshold away from the offset in force (`flagged`), or the
 * candidates became stable again and the offset was adopted (`settled`).
 */
export type OffsetDiscrepancy = Readonly<{
  symbol: string;
  phase: DiscrepancyPhase;
  /** Offset in force after the event (the held one when flagged, the adopted one when settled). */
  offset: number;
  /** The offset that was held while flagged. */
  held: number;
  /** The candidate of the calibration that raised the event. */
  candidate: number;
  /** |candidate - held|. */
  jump: number;
  threshold: number | null;
  atr: number | null;
  /** Calibrations spent flagged (0 when just flagged). */
  calibrations: number;
  tsEvent: number;
  tsInit: number;
}>;

/** A broker-terms price reconciled from both sources by freshness and quality weights. */
export type ReconciledPrice = Readonly<{
  symbol: string;
  /** Weighted mid in broker terms. */
  price: number;
  /** Normalised weight per source used. */
  weights: SourceWeights;
  /** Broker-terms mid per source (Binance with the offset in force added). */
  values: Readonly<Partial<Record<Source, number>>>;
  /** Offset applied to the Binance mid, or null when none is calibrated (Binance then left out). */
  offset: number | null;
  /** True while the symbol is in discrepancy (the offset applied is the held one). */
  discrepancy: boolean;
  tsInit: number;
}>;

/** Tuning of the offset engine; every field has a default. */
export type OffsetEngineOptions = Readonly<{
  /** Sources quoting in broker terms (default `['mt5']`). */
  brokerSources?: readonly Source[];
  /** Oldest a broker quote in force may be when paired with a Binance price, ms (default 2000). */
  pairWindowMs?: number;
  /** Wait for the broker stream to reach a Binance price's time before taking its silence as "unchanged", ms (default 1000). */
  brokerGraceMs?: number;
  /** At most one pair per this many ms (default 1000). */
  minPairSpacingMs?: number;
  /** Venue time looked back over for the median, ms (default 600 000 = 10 min). */
  lookbackMs?: number;
  /** Pairs needed before a calibration is published (default 10). */
  minPairs?: number;
  /** Pairs kept per symbol (default 4096). */
  maxPairs?: number;
  /** Discrepancy threshold as a fraction of ATR(M5) (default 0.5). */
  discrepancyAtr?: number;
  /** Threshold in basis points of the Binance price when ATR(M5) is not known yet (default 25). */
  fallbackJumpBps?: number;
  /** Consecutive stable calibrations that settle a discrepancy (default 3). */
  settleCount?: number;
  /** Current ATR(M5) of a symbol in price units, or null in warm-up (default: always null). */
  atrOf?: (symbol: string) => number | null;
  /** Base quality in [0, 1] of a source for a symbol (down: 0, gap open: lower...). Default 1. */
  quality?: (symbol: string, source: Source) => number;
  /** Multiplier on Binance's quality while the symbol is in discrepancy (default 0.25). */
  discrepancyQuality?: number;
  /** Freshness time constant of tick reconciliation, ms (default 2000). */
  freshnessTauMs?: number;
}>;
