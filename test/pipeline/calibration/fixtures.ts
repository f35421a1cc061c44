import { fileURLToPath } from 'node:url';
import type { Candle, Tick } from '../../../src/core/index.js';
import { aggregateCandles } from '../../../src/pipeline/aggregation/index.js';
import { importFile, type ImportOptions } from '../../../src/pipeline/importers/index.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** The shipped Dukascopy BTCUSD bid/ask ticks of 2023-02-20 12:00-12:59 UTC (8,523 ticks). */
export const DUKASCOPY_TICKS = 'dukascopy/dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv';
/** Binance spot BTCUSDT official 1m klines of the whole of 2023-02-20 (1,440 rows). */
export const BINANCE_KLINES = 'binance/binance-spot_BTCUSDT-1m-2023-02-20.csv';
/** 2023-02-20 12:00:00 UTC. */
export const HOUR_START = Date.UTC(2023, 1, 20, 12);
/** 2023-02-20 13:00:00 UTC. */
export const HOUR_END = Date.UTC(2023, 1, 20, 13);

async function load(rel: string, options: Omit<ImportOptions, 'onError'>): Promise<{ ticks: Tick[]; candles: Candle[] }> {
  const ticks: Tick[] = [];
  const candles: Candle[] = [];
  for await (const batch of importFile(FIXTURES + rel, { ...options, onError: 'stop' })) {
    ticks.push(...batch.ticks);
    candles.push(...batch.candles);
  }
  return { ticks, candles };
}

/** Dukascopy ticks through the project's importer, symbol BTCUSD, source `dukascopy` (the broker side of the tests). */
export async function dukascopyTicks(): Promise<Tick[]> {
  return (await load(DUKASCOPY_TICKS, { source: 'dukascopy', symbol: 'BTCUSD' })).ticks;
}

/** Binance 1m candles of the day through the project's importer, symbol BTCUSD. */
export async function binanceMinutes(): Promise<Candle[]> {
  return (await load(BINANCE_KLINES, { source: 'binance', symbol: 'BTCUSD' })).candles;
}

/** Binance M5 candles of the day (rolled up from the official 1m klines). */
export async function binanceM5(): Promise<Candle[]> {
  return aggregateCandles(await binanceMinutes(), 'M5');
}

/**
 * The Binance side of the offset tests: each 1m kline's close as a trade
 * price at the kline's close time (openTime + 59 999 ms), the moment that
 * price was last traded at the latest. Not reconstructed trades: one price per
 * minute is all the kline honestly says.
 */
export function klineCloseTicks(minutes: readonly Candle[]): Tick[] {
  return minutes.map((c) => ({
    symbol: c.symbol,
    source: 'binance',
    tsEvent: c.openTime + 59_999,
    tsInit: c.openTime + 59_999,
    bid: null,
    ask: null,
    last: c.close,
    volume: 0,
    trades: 0,
    takerSide: null,
    seq: null,
    offset: 0,
  }));
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The observed basis per minute, computed independently of the engine:
 * Dukascopy mid in force at the minute's close time (last tick at or before
 * it) minus the Binance 1m close.
 */
export function observedBasis(broker: readonly Tick[], minutes: readonly Candle[]): number[] {
  const out: number[] = [];
  let i = 0;
  let mid: number | null = null;
  for (const m of minutes) {
    const close = m.openTime + 59_999;
    while (i < broker.length && (broker[i] as Tick).tsEvent <= close) {
      const t = broker[i] as Tick;
      mid = ((t.bid as number) + (t.ask as number)) / 2;
      i++;
    }
    if (mid !== null) out.push(mid - m.close);
  }
  return out;
}

/** Merges two venue-time-ordered tick lists into one (ties: `a` first). */
export function mergeByTime(a: readonly Tick[], b: readonly Tick[]): Tick[] {
  const out: Tick[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.tsEvent <= y.tsEvent)) {
      out.push(x as Tick);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}
