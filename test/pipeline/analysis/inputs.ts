// Real inputs of the analysis tests: official Binance BTCUSDT 1m klines (2024-03-11..18) rolled up to M5..H4, and the
// MT5 XAUUSD H1 export (2024-01-02..2024-03-19) rolled up to H4, cut at a fixed instant.
import { TIMEFRAME_MS, type Candle } from '../../../src/core/index.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/index.js';
import { tradingSession, type AnalysedTimeframe, type AnalysisInput } from '../../../src/pipeline/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';

/** The candles of `series` that closed at or before `asOf`, the latest `bars` of them. */
export function closedBy(series: readonly Candle[], asOf: number, bars = 300): Candle[] {
  return series.filter((c) => c.openTime + TIMEFRAME_MS[c.timeframe] - 1 <= asOf).slice(-bars);
}

/** Every analysed timeframe of a 1m series, rolled up with `aggregateCandles` and cut at `asOf`. */
export function rollUp(m1: readonly Candle[], asOf: number, bars = 300): Record<AnalysedTimeframe, Candle[]> {
  return {
    M1: closedBy(m1, asOf, bars),
    M5: closedBy(aggregateCandles(m1, 'M5'), asOf, bars),
    M15: closedBy(aggregateCandles(m1, 'M15'), asOf, bars),
    H1: closedBy(aggregateCandles(m1, 'H1'), asOf, bars),
    H4: closedBy(aggregateCandles(m1, 'H4'), asOf, bars),
  };
}

/** 2024-03-18 12:00 UTC minus 1 ms: the close of the 11:59 minute, London/New York overlap. */
export const BTC_AS_OF = Date.UTC(2024, 2, 18, 12, 0) - 1;

/** The BTCUSD analysis input at {@link BTC_AS_OF}, 300 bars per timeframe, no live price (the last M1 close is used). */
export async function btcInput(): Promise<AnalysisInput> {
  const m1 = await binanceM1();
  return { symbol: 'BTCUSD', asOf: BTC_AS_OF, candles: rollUp(m1, BTC_AS_OF), lastPrice: null, session: tradingSession(BTC_AS_OF) };
}

/** 2024-03-18 21:00 UTC minus 1 ms: the close of the 20:00 H1 bar. */
export const XAU_AS_OF = Date.UTC(2024, 2, 18, 21, 0) - 1;

/** The XAUUSD input at {@link XAU_AS_OF}: MT5 H1 bars and their H4 roll-up only (no M1, M5, M15 in the export). */
export async function xauInput(): Promise<AnalysisInput> {
  const h1 = await mt5Bars('XAUUSD_H1_from_2024-01-01.csv', 'XAUUSD');
  return {
    symbol: 'XAUUSD',
    asOf: XAU_AS_OF,
    candles: { M1: [], M5: [], M15: [], H1: closedBy(h1, XAU_AS_OF), H4: closedBy(aggregateCandles(h1, 'H4'), XAU_AS_OF) },
    lastPrice: null,
    session: tradingSession(XAU_AS_OF),
  };
}
