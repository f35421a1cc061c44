// Data access layer: a 10-day M5 query stitched across the archive and SQLite, p50; get_ticks 1m over 8 days from stored M1 candles, p50.
import type { Candle, LiveMarketView, MarketSnapshot, Source, Timeframe } from '../src/core/index.js';
import { MarketDataAccess, openStore, type ArchiveDayKind, type ArchiveReader } from '../src/store/index.js';
import { klineCandle, klineRows } from '../test/fixtures/load.js';

/** Result of {@link accessBench}. */
export type AccessBench = {
  candles: number;
  /** First query (archive days not cached yet). */
  coldMs: number;
  p50: number;
  p99: number;
  /** Of those candles, how many the archive answered. */
  fromArchive: number;
  /** get_ticks 1m over the same 8 days, answered from stored M1 candles (pages of 5,000 followed to the end). */
  ticks1m: { bars: number; pages: number; coldMs: number; p50: number; p99: number; fromArchive: number; fromSqlite: number };
};

const DAY = 86_400_000;

/** Official BTCUSDT 1m klines of 2024-03-11..18 as M1 candles (8 days of real data). */
function m1(): Candle[] {
  const out: Candle[] = [];
  for (let d = 11; d <= 18; d++) out.push(...klineRows(`binance/BTCUSDT-1m-2024-03-${d}.csv`).map(klineCandle));
  return out;
}

/** The 8 days of M1 rolled up to M5. */
function m5(): Candle[] {
  const out: Candle[] = [];
  {
    for (const k of m1()) {
      const open = Math.floor(k.openTime / 300_000) * 300_000;
      const b = out[out.length - 1];
      if (b && b.openTime === open) {
        out[out.length - 1] = {
          ...b,
          high: Math.max(b.high, k.high),
          low: Math.min(b.low, k.low),
          close: k.close,
          volume: b.volume + k.volume,
          quoteVolume: b.quoteVolume + k.quoteVolume,
          trades: b.trades + k.trades,
          takerBuyVolume: b.takerBuyVolume + k.takerBuyVolume,
          takerBuyQuoteVolume: b.takerBuyQuoteVolume + k.takerBuyQuoteVolume,
          tsEvent: k.tsEvent,
          tsInit: k.tsInit,
        };
      } else out.push({ ...k, timeframe: 'M5', openTime: open });
    }
  }
  return out;
}

/** An in-memory archive reader over whole UTC days (the shape the Parquet reader implements). */
class MemoryArchive implements ArchiveReader {
  constructor(private readonly rows: readonly Candle[]) {}
  listDays(_symbol: string, kind: ArchiveDayKind): readonly string[] {
    return [...new Set(this.rows.filter((c) => `candles-${c.timeframe}` === kind).map((c) => new Date(c.openTime).toISOString().slice(0, 10)))];
  }
  async readTicks(): Promise<never[]> {
    return [];
  }
  async readCandles(_symbol: string, timeframe: Timeframe, from: number, to: number): Promise<readonly Candle[]> {
    return this.rows.filter((c) => c.timeframe === timeframe && c.openTime >= from && c.openTime <= to);
  }
}

const live: LiveMarketView = {
  snapshot: (symbol: string): MarketSnapshot => ({ symbol, lastTrade: null, lastQuote: null, ticks: 0 }),
  openCandle: () => null,
  primaryCandleSource: () => 'binance',
  activeSource: (): Source | null => null,
  gaps: () => ({ open: [], filled: 0, unfillable: [] }),
};

/**
 * A 10-day M5 window (2024-03-09 to 03-19, holding the 8 days of real
 * data: 2,304 candles) through `MarketDataAccess.candlesDeep`: days 11-14
 * from the archive (an in-memory reader, so this measures the stitching,
 * SQLite and cache, not Parquet decoding), 15-18 from SQLite, in one page.
 * Throws unless every candle comes back once, in order.
 */
export async function accessBench(iterations = 300): Promise<AccessBench> {
  const all = m5();
  const split = Date.UTC(2024, 2, 15);
  const store = openStore({ path: ':memory:' });
  try {
    store.candles.upsertCandles(all.filter((c) => c.openTime >= split));
    const access = new MarketDataAccess(store.candles, live, 1_000, { archive: new MemoryArchive(all.filter((c) => c.openTime < split)) });
    const from = Date.UTC(2024, 2, 9);
    const request = { symbol: 'BTCUSD', timeframe: 'M5' as const, from, to: from + 10 * DAY - 1, limit: 3_000 };
    const t0 = performance.now();
    const first = await access.candlesDeep(request);
    const coldMs = performance.now() - t0;
    if (first.candles.length !== all.length || first.hasMore || first.candles.some((c, i) => c.openTime !== all[i]?.openTime)) {
      throw new Error(`10-day M5 query returned ${first.candles.length} candles, expected ${all.length}`);
    }
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await access.candlesDeep(request);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return {
      candles: first.candles.length,
      coldMs,
      p50: times[Math.floor(times.length / 2)] as number,
      p99: times[Math.floor(times.length * 0.99)] as number,
      fromArchive: all.filter((c) => c.openTime < split).length,
      ticks1m: await ticks1mBench(Math.max(10, Math.floor(iterations / 10))),
    };
  } finally {
    store.close();
  }
}

/**
 * get_ticks 1m over 8 days (2024-03-11..18) through `MarketDataAccess.ticks`:
 * M1 candles of days 11-14 in the archive (in-memory reader), 15-18 in SQLite,
 * every page of 5,000 followed. Throws unless every minute with trades comes
 * back once, in order, from stored candles.
 */
async function ticks1mBench(iterations: number): Promise<AccessBench['ticks1m']> {
  const all = m1();
  const split = Date.UTC(2024, 2, 15);
  const store = openStore({ path: ':memory:' });
  try {
    store.candles.upsertCandles(all.filter((c) => c.openTime >= split));
    const access = new MarketDataAccess(store.candles, live, 1_000, { history: store.ticks, archive: new MemoryArchive(all.filter((c) => c.openTime < split)) });
    const from = Date.UTC(2024, 2, 11);
    const run = async () => {
      let cursor: string | undefined;
      let bars = 0;
      let pages = 0;
      let fromArchive = 0;
      let fromSqlite = 0;
      let last = -1;
      for (;;) {
        const page = await access.ticks({ symbol: 'BTCUSD', from, to: from + 8 * DAY, resolution: '1m', limit: 5_000, ...(cursor ? { cursor } : {}) });
        pages++;
        for (const b of page.bars) {
          if (b.openTime <= last) throw new Error('1m bars out of order');
          last = b.openTime;
        }
        bars += page.bars.length;
        fromArchive += page.candleBars?.archive ?? 0;
        fromSqlite += page.candleBars?.sqlite ?? 0;
        if (!page.hasMore) break;
        cursor = page.nextCursor as string;
      }
      return { bars, pages, fromArchive, fromSqlite };
    };
    const t0 = performance.now();
    const first = await run();
    const coldMs = performance.now() - t0;
    const expected = all.filter((c) => c.trades > 0).length;
    if (first.bars !== expected || first.fromArchive + first.fromSqlite !== expected) {
      throw new Error(`8-day 1m query returned ${first.bars} bars (${first.fromArchive} archive + ${first.fromSqlite} SQLite candles), expected ${expected}`);
    }
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await run();
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    return { ...first, coldMs, p50: times[Math.floor(times.length / 2)] as number, p99: times[Math.floor(times.length * 0.99)] as number };
  } finally {
    store.close();
  }
}

/** The lines bench/run.ts prints for {@link accessBench}. */
export function accessLines(b: AccessBench): string[] {
  return [
    `\n[data access] 10-day M5 window (${b.candles.toLocaleString('en-US')} real candles: ${b.fromArchive} archive + ${b.candles - b.fromArchive} SQLite), one page`,
    `  cold ${b.coldMs.toFixed(2)} ms   warm p50 ${b.p50.toFixed(2)} ms   p99 ${b.p99.toFixed(2)} ms`,
    `[data access] get_ticks 1m over 8 days (${b.ticks1m.bars.toLocaleString('en-US')} bars from stored M1 candles: ${b.ticks1m.fromArchive} archive + ${b.ticks1m.fromSqlite} SQLite, ${b.ticks1m.pages} pages of 5,000)`,
    `  cold ${b.ticks1m.coldMs.toFixed(2)} ms   warm p50 ${b.ticks1m.p50.toFixed(2)} ms   p99 ${b.ticks1m.p99.toFixed(2)} ms`,
  ];
}
