// Real recorded inputs for streaming-calculator tests, shared by the contract suite and the per-calculator tests.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle, Tick, Timeframe } from '../../src/core/index.js';
import { aggregateCandles } from '../../src/pipeline/aggregation/index.js';
import { importFile } from '../../src/pipeline/importers/index.js';
import type { ImportOptions } from '../../src/pipeline/importers/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The official Binance spot BTCUSDT 1m kline days in test/fixtures/binance (2024-03-11 .. 2024-03-18, UTC). */
export const BINANCE_M1_DAYS = ['11', '12', '13', '14', '15', '16', '17', '18'].map((d) => `BTCUSDT-1m-2024-03-${d}.csv`);

async function read(path: string, options: ImportOptions): Promise<{ candles: Candle[]; ticks: Tick[] }> {
  const candles: Candle[] = [];
  const ticks: Tick[] = [];
  for await (const batch of importFile(path, options)) {
    if (batch.errors.length > 0) throw new Error(`${path}: ${batch.errors[0]!.message}`);
    candles.push(...batch.candles);
    ticks.push(...batch.ticks);
  }
  return { candles, ticks };
}

/** Real Binance BTCUSDT 1m candles of the given days (default all eight: 11,520 candles, 7 UTC day boundaries). */
export async function binanceM1(days: readonly string[] = BINANCE_M1_DAYS): Promise<Candle[]> {
  const out: Candle[] = [];
  for (const name of days) {
    const { candles } = await read(resolve(fixtures, 'binance', name), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' });
    out.push(...candles);
  }
  return out;
}

/**
 * Real MT5 bars from test/fixtures/mt5 (broker server time converted with the `eet` rule), e.g.
 * `mt5Bars('BTCUSD_H1_from_2024-01-01.csv', 'BTCUSD')` (1,862 H1 bars) or `XAUUSD_H1_from_2024-01-01.csv` (1,264).
 */
export async function mt5Bars(file: string, symbol: string): Promise<Candle[]> {
  return (await read(resolve(fixtures, 'mt5', file), { source: 'mt5', symbol, onError: 'stop', serverOffset: 'eet' })).candles;
}

/** Real Binance BTCUSDT trade ticks (the first 5,000 aggTrades of 2026-01-01, official archive). */
export async function binanceTrades(): Promise<Tick[]> {
  const path = resolve(fixtures, 'binance', 'BTCUSDT-aggTrades-2026-01-01_first5000.csv');
  return (await read(path, { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })).ticks;
}

/** Higher-timeframe candles rolled up from real 1m klines, with the still-forming versions of each. */
export type FormingSeries = Readonly<{
  /** The closed candles, oldest first. */
  candles: Candle[];
  /** The forming versions of `candles[i]` after each `step` minutes (closed: false), the full candle excluded. */
  forming: (i: number) => Candle[];
  /** The forming version of a candle halfway through its interval: an amended open candle for `replace`. */
  partial: (candle: Candle) => Candle;
}>;

/**
 * Rolls real 1m klines up into `timeframe` (default H1: 192 candles over the eight days) and builds, for each
 * candle, the versions a live aggregator would have shown while it formed: the roll-up of its first k minutes.
 */
export function formingSeries(m1: readonly Candle[], timeframe: Timeframe = 'H1', step = 10): FormingSeries {
  const candles = aggregateCandles(m1, timeframe);
  const perCandle = m1.length / candles.length;
  if (!Number.isInteger(perCandle) || candles.some((c, i) => c.openTime !== m1[i * perCandle]?.openTime)) {
    throw new Error('formingSeries needs gap-free 1m candles aligned to the timeframe');
  }
  const minutesOf = (i: number) => m1.slice(i * perCandle, (i + 1) * perCandle);
  const partialAt = (i: number, k: number): Candle => ({ ...aggregateCandles(minutesOf(i).slice(0, k), timeframe)[0]!, closed: false });
  const index = new Map(candles.map((c, i) => [c.openTime, i]));
  return {
    candles,
    forming: (i) => {
      const out: Candle[] = [];
      for (let k = 1; k < perCandle; k += step) out.push(partialAt(i, k));
      return out;
    },
    partial: (candle) => {
      const i = index.get(candle.openTime);
      if (i === undefined) throw new Error(`no candle at ${candle.openTime}`);
      return partialAt(i, Math.ceil(perCandle / 2));
    },
  };
}
