import type { Candle } from '../../core/index.js';
import { toCandleOutput } from '../../tools/market/shared.js';

/** CSV header of `utp candles --format csv`. */
export const CANDLE_CSV_HEADER = 'open_time,open,high,low,close,volume,quote_volume,trades';

/** One candle as a CSV line (open_time in epoch ms). */
export function candleCsvLine(c: Candle): string {
  return `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume},${c.quoteVolume},${c.trades}`;
}

/** One candle as the JSON object `utp candles --format json` prints: the tools' candle shape plus its sources. */
export function candleJson(c: Candle): Record<string, unknown> {
  return { ...toCandleOutput(c), sources: c.sources };
}
