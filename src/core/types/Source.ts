/**
 * Where a price came from. `binance` is the exchange feed, `mt5` the broker
 * bridge; `dukascopy` and `oanda` only ever come from imported recordings.
 */
export const SOURCES = ['binance', 'mt5', 'dukascopy', 'oanda'] as const;

/** A price source. */
export type Source = (typeof SOURCES)[number];

/** Narrows a string to a known source. */
export function isSource(value: string): value is Source {
  return (SOURCES as readonly string[]).includes(value);
}
