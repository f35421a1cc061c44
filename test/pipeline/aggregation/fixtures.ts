import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Candle } from '../../../src/core/types/Candle.js';
import type { Tick } from '../../../src/core/types/Tick.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Lines of a fixture file (gzip is unpacked), without the trailing empty line. */
export function fixtureLines(relPath: string): string[] {
  const raw = readFileSync(FIXTURES + relPath);
  const text = (relPath.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((line) => line.length > 0);
}

/** One row of an official Binance kline file, fields kept as the archive writes them. */
export type KlineRow = {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  closeTime: number;
  quoteVolume: string;
  trades: number;
  takerBuyVolume: string;
  takerBuyQuoteVolume: string;
};

/** Parses an official 12-column Binance kline CSV. */
export function readKlines(relPath: string): KlineRow[] {
  return fixtureLines(relPath).map((line) => {
    const c = line.split(',');
    return {
      openTime: Number(c[0]),
      open: c[1] ?? '',
      high: c[2] ?? '',
      low: c[3] ?? '',
      close: c[4] ?? '',
      volume: c[5] ?? '',
      closeTime: Number(c[6]),
      quoteVolume: c[7] ?? '',
      trades: Number(c[8]),
      takerBuyVolume: c[9] ?? '',
      takerBuyQuoteVolume: c[10] ?? '',
    };
  });
}

/** The fields a candle and a kline row share, as numbers (parseFloat of Binance's strings). */
export function klineFields(row: KlineRow) {
  return {
    openTime: row.openTime,
    open: Number(row.open),
    high: Number(row.high),
    low: Number(row.low),
    close: Number(row.close),
    volume: Number(row.volume),
    quoteVolume: Number(row.quoteVolume),
    trades: row.trades,
    takerBuyVolume: Number(row.takerBuyVolume),
    takerBuyQuoteVolume: Number(row.takerBuyQuoteVolume),
  };
}

/** The same fields picked from a candle. */
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

/** An official 1m kline as an imported closed candle of BTCUSD. */
export function klineCandle(row: KlineRow): Candle {
  return {
    symbol: 'BTCUSD',
    timeframe: 'M1',
    ...klineFields(row),
    basis: 'trade',
    sources: ['binance'],
    closed: true,
    tsEvent: row.closeTime,
    tsInit: row.closeTime,
  };
}

/** Spot `trades` archive rows (trade_id, price, qty, quote_qty, time, is_buyer_maker, is_best_match) as ticks. */
export function readTradeTicks(relPath: string): Tick[] {
  return fixtureLines(relPath).map((line) => {
    const c = line.split(',');
    const ts = Number(c[4]);
    return {
      symbol: 'BTCUSD',
      source: 'binance',
      tsEvent: ts,
      tsInit: ts,
      bid: null,
      ask: null,
      last: Number(c[1]),
      volume: Number(c[2]),
      trades: 1,
      takerSide: c[5] === 'True' ? 'sell' : 'buy',
      seq: Number(c[0]),
      offset: 0,
    };
  });
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
