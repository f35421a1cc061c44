import type { Source } from '../../core/index.js';
import type { SourceWeights } from './weights.js';

export type { DiscrepancyPhase, OffsetDiscrepancy, OffsetUpdate } from '../../core/types/Offset.js';

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
