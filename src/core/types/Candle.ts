import type { Source } from './Source.js';
import type { Timeframe } from './Timeframe.js';

/** Which price a candle was built from: trade prints, or quote mid, bid or ask. */
export type CandleBasis = 'trade' | 'mid' | 'bid' | 'ask';

/**
 * An OHLCV candle of one symbol and timeframe, aligned to UTC. Built by the
 * aggregator or imported; `closed` is false only for the candle still forming.
 * An empty interval is a candle with O=H=L=C = previous close and zero volume,
 * as Binance emits it.
 */
export type Candle = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  /** Open time, epoch ms UTC. */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base volume (trades), or tick volume summed from quote sizes where the source has them. */
  volume: number;
  /** Quote volume (sum of price x size per trade). */
  quoteVolume: number;
  /** Number of exchange trades (trade basis) or ticks (quote basis). */
  trades: number;
  /** Base volume bought by takers. */
  takerBuyVolume: number;
  /** Quote volume bought by takers. */
  takerBuyQuoteVolume: number;
  /** Price basis the candle was built from. */
  basis: CandleBasis;
  /** Sources whose ticks made this candle. */
  sources: readonly Source[];
  /** False while the candle is still forming. */
  closed: boolean;
  /** Venue time of the last fact in the candle (or the close time of an empty one), epoch ms. */
  tsEvent: number;
  /** When we produced this version of the candle, epoch ms. */
  tsInit: number;
  /**
   * Derived readings computed when the pipeline closed the candle (absent on
   * candles from elsewhere: imports, bridge bars, forming candles). Stored in
   * the candles table's atr, vwap, volatility_state, structure_label and
   * structure_json columns.
   */
  analytics?: CandleAnalytics;
}>;

/**
 * What the pipeline derived from a closed candle's series, as of that candle's
 * close: each field null while its calculator is warming up.
 */
export type CandleAnalytics = Readonly<{
  /** Wilder ATR(14) of the series, this candle included, in the candle's prices. */
  atr: number | null;
  /** Session-anchored (UTC day) VWAP up to this candle. */
  vwap: number | null;
  /** Volatility regime of this candle: calm, normal, expanding or extreme (range expansion and ATR ratio). */
  volatilityState: string | null;
  /** Structure label after this candle: bullish or bearish (direction of the last break), neutral before any break. */
  structureLabel: string | null;
  /** JSON of the structure reading after this candle: trend, current swing levels, ids of the events it confirmed. */
  structureJson: string | null;
}>;

/** Close time (inclusive, epoch ms) of a candle starting at `openTime` of `size` ms, Binance style. */
export function candleCloseTime(openTime: number, sizeMs: number): number {
  return openTime + sizeMs - 1;
}
