import type { Candle, Timeframe } from '../../core/index.js';
import { candleSourceKey } from '../repos/CandleRepo.js';
import { AsyncLru } from './Lru.js';
import { DAY_MS, dayStart } from './days.js';
import type { ArchiveReader } from './layers.js';

/**
 * Archived candles by UTC day, through an LRU of hot closed ranges (an
 * archived day never changes). SQLite keeps the newest candles; this answers
 * the older ones that retention moved to the archive.
 */
export class ArchiveCandles {
  private readonly cache: AsyncLru<string, readonly Candle[]>;

  constructor(
    private readonly archive: ArchiveReader,
    cacheCandles = 200_000,
  ) {
    this.cache = new AsyncLru(cacheCandles, (v) => v.length);
  }

  /** Archived days of a symbol's candles of a timeframe, as epoch ms day starts, ascending. */
  dayStarts(symbol: string, timeframe: Timeframe): number[] {
    return this.archive
      .listDays(symbol, `candles-${timeframe}`)
      .map(dayStart)
      .sort((a, b) => a - b);
  }

  /** Candles of one source key with openTime in [from, to), ascending, at most `limit` (the earliest). */
  async forward(symbol: string, timeframe: Timeframe, source: string, from: number, to: number, limit: number): Promise<Candle[]> {
    const out: Candle[] = [];
    for (const d of this.dayStarts(symbol, timeframe)) {
      if (d + DAY_MS <= from) continue;
      if (d >= to || out.length >= limit) break;
      for (const c of await this.day(symbol, timeframe, d)) {
        if (c.openTime >= from && c.openTime < to && candleSourceKey(c.sources) === source) out.push(c);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** The latest `limit` candles of one source key with openTime < before, ascending. */
  async backward(symbol: string, timeframe: Timeframe, source: string, before: number, limit: number): Promise<Candle[]> {
    const days = this.dayStarts(symbol, timeframe).filter((d) => d < before);
    const out: Candle[] = [];
    // D1/H4 candles may be filed under the day they open; walk back day by day until enough
    for (let i = days.length - 1; i >= 0 && out.length < limit; i--) {
      const rows = (await this.day(symbol, timeframe, days[i] as number)).filter((c) => c.openTime < before && candleSourceKey(c.sources) === source);
      out.unshift(...rows.slice(Math.max(0, rows.length - (limit - out.length))));
    }
    return out;
  }

  /** Cache counters. */
  cacheStats(): { entries: number; weight: number; hits: number; misses: number } {
    return this.cache.stats();
  }

  private day(symbol: string, timeframe: Timeframe, d: number): Promise<readonly Candle[]> {
    return this.cache.get(`${symbol}|${timeframe}|${d}`, () => this.archive.readCandles(symbol, timeframe, d, d + DAY_MS - 1));
  }
}

