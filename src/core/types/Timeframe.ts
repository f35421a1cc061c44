/**
 * Candle timeframes, all aligned to UTC epoch boundaries (D1 opens at 00:00 UTC,
 * H4 at 00/04/08/12/16/20 UTC), the way Binance aligns its klines.
 */
export const TIMEFRAMES = ['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1'] as const;

/** One of the supported candle timeframes. */
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Length of each timeframe in milliseconds. */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  S1: 1_000,
  M1: 60_000,
  M5: 300_000,
  M15: 900_000,
  H1: 3_600_000,
  H4: 14_400_000,
  D1: 86_400_000,
};

/** Timeframes that the multi-timeframe view answers with, lowest first. */
export const ANALYSIS_TIMEFRAMES: readonly Timeframe[] = ['M1', 'M5', 'M15', 'H1', 'H4'];

/** Narrows an arbitrary string to a timeframe. */
export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** Open time (epoch ms, UTC) of the candle of `timeframe` that contains `ts`. */
export function bucketStart(timeframe: Timeframe, ts: number): number {
  const size = TIMEFRAME_MS[timeframe];
  return Math.floor(ts / size) * size;
}
