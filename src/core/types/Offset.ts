/**
 * Offset calibration messages (bus topics `offset.updated` and
 * `offset.discrepancy`); produced by the pipeline's offset engine.
 */

/**
 * One calibration of one symbol's Binance-to-broker offset: the payload of
 * the bus topic `offset.updated`. `offset` is what the fuser must
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
 * A discrepancy event (bus topic `offset.discrepancy`, also logged as a
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
