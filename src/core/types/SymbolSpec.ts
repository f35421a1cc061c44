import type { Source } from './Source.js';

/** Binance market a symbol is streamed from. */
export type BinanceMarket = 'spot' | 'usdm';

/**
 * How a canonical (broker) symbol maps to venues: zero or one Binance
 * instrument and one MT5 symbol, and which source is primary for its candles.
 */
export type SymbolSpec = Readonly<{
  /** Canonical symbol, e.g. `BTCUSD`. */
  symbol: string;
  /** Binance instrument, lowercase (`btcusdt`), or null when Binance lists none (GBPJPY). */
  binance: Readonly<{ market: BinanceMarket; instrument: string }> | null;
  /** MT5 symbol name at the broker, or null. */
  mt5: string | null;
  /** Source whose candles are primary for this symbol. */
  primary: Source;
}>;
