import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEFRAME_MS, candleCloseTime } from '../../../src/core/index.js';
import type { Candle } from '../../../src/core/index.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/index.js';
import { importFile } from '../../../src/pipeline/importers/index.js';
import type { ImportOptions } from '../../../src/pipeline/importers/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = (vendor: string, name: string): string => resolve(here, '../../fixtures', vendor, name);

async function load(path: string, options: Omit<ImportOptions, 'onError'>): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const batch of importFile(path, { ...options, onError: 'stop' })) out.push(...batch.candles);
  return out;
}

/** The real MT5 XAUUSD H1 export (2,908 bars, 2025-11-17 to 2026-05-15), server time converted with 'eet'. */
export function xauH1(): Promise<Candle[]> {
  return load(fixture('mt5', 'XAUUSD_H1_from_2025-11-16.csv'), { source: 'mt5', symbol: 'XAUUSD', serverOffset: 'eet' });
}

/** The official Binance BTCUSDT spot 1m klines of 2024-03-11 to 2024-03-18 (11,520 bars), as BTCUSD. */
export async function btcM1(): Promise<Candle[]> {
  const out: Candle[] = [];
  for (let day = 11; day <= 18; day++) {
    out.push(...(await load(fixture('binance', `BTCUSDT-1m-2024-03-${day}.csv`), { source: 'binance', symbol: 'BTCUSD' })));
  }
  return out;
}

/** Close time (inclusive) of a candle: what its close confirms is stamped with it. */
export function closeOf(c: Candle): number {
  return candleCloseTime(c.openTime, TIMEFRAME_MS[c.timeframe]);
}

/**
 * BTCUSD M5 candles rolled up from the 1m klines, each with the states it went
 * through while open: the M5 candle rolled up from its first 1, 2, 3 and 4
 * minutes, marked `closed: false` (what the live aggregator would have shown).
 */
export function m5WithForming(m1: readonly Candle[]): { closed: Candle[]; forming: Candle[][] } {
  const closed = aggregateCandles(m1, 'M5');
  let next = 0;
  const forming: Candle[][] = closed.map((c) => {
    const minutes: Candle[] = [];
    while (next < m1.length && (m1[next] as Candle).openTime < c.openTime + TIMEFRAME_MS.M5) minutes.push(m1[next++] as Candle);
    const states: Candle[] = [];
    for (let j = 1; j < minutes.length; j++) {
      const partial = aggregateCandles(minutes.slice(0, j), 'M5')[0];
      if (partial !== undefined) states.push({ ...partial, closed: false });
    }
    return states;
  });
  return { closed, forming };
}

/** ISO time of an epoch ms (for readable expectations). */
export const iso = (ms: number): string => new Date(ms).toISOString();
/** Epoch ms of an ISO time. */
export const ms = (isoTime: string): number => Date.parse(isoTime);
