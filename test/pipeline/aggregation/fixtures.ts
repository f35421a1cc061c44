import type { Candle } from '../../../src/core/types/Candle.js';
import { klineCandle, type KlineRow } from '../../fixtures/load.js';

/** The kline fields of a candle (what a kline row and a candle share). */
export function candleFields(c: Candle) {
  return {
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quoteVolume: c.quoteVolume,
    trades: c.trades,
    takerBuyVolume: c.takerBuyVolume,
    takerBuyQuoteVolume: c.takerBuyQuoteVolume,
  };
}

/** The same fields of a kline row, as numbers (parseFloat of Binance's strings). */
export function klineFields(row: KlineRow) {
  return candleFields(klineCandle(row));
}

/** Exact 8-decimal text -> BigInt of 1e-8 units (independent of FixedSum). */
export function decimalUnits(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * 100_000_000n + BigInt(frac.padEnd(8, '0').slice(0, 8));
}

/** BigInt of 1e-8 units -> the number parseFloat gives for its 8-decimal text. */
export function unitsToNumber(units: bigint): number {
  const whole = units / 100_000_000n;
  const frac = (units % 100_000_000n).toString().padStart(8, '0');
  return Number(`${whole}.${frac}`);
}
