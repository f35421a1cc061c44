import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle, LiveMarketView, MarketSnapshot, Source } from '../../../src/core/index.js';
import { MarketDataAccess, openStore, type CandlePage, type CandlePageRequest, type Store } from '../../../src/store/index.js';
import { klineCandle, klineRows } from '../../fixtures/load.js';
import { FakeArchive } from './fakeArchive.js';

/** The official BTCUSDT 1m klines of 2024-03-11 to 2024-03-18: eight whole UTC days. */
const days = [11, 12, 13, 14, 15, 16, 17, 18];
const ALL: Candle[] = days.flatMap((d) => klineRows(`binance/BTCUSDT-1m-2024-03-${d}.csv`).map(klineCandle));
const day = (d: number) => Date.UTC(2024, 2, d);

class NoLive implements LiveMarketView {
  snapshot(symbol: string): MarketSnapshot {
    return { symbol, lastTrade: null, lastQuote: null, ticks: 0 };
  }
  openCandle(): Candle | null {
    return null;
  }
  primaryCandleSource(): string {
    return 'binance';
  }
  activeSource(): Source | null {
    return null;
  }
  gaps() {
    return { open: [], filled: 0, unfillable: [] };
  }
}

async function walk(access: MarketDataAccess, first: CandlePageRequest): Promise<CandlePage[]> {
  const pages = [await access.candlesDeep(first)];
  for (;;) {
    const cursor = pages[pages.length - 1]?.nextCursor;
    if (!cursor) return pages;
    pages.push(await access.candlesDeep({ symbol: first.symbol, timeframe: first.timeframe, limit: first.limit, cursor }));
    if (pages.length > 1000) throw new Error('paging does not end');
  }
}

describe('candlesDeep: candles that retention moved to the archive are still answered', () => {
  let store: Store;
  let archive: FakeArchive;
  let access: MarketDataAccess;

  beforeAll(() => {
    expect(ALL).toHaveLength(8 * 1440);
    store = openStore({ path: ':memory:' });
    // SQLite keeps the newest days (13-18); the archive holds 11-14 (13 and 14 archived, not yet pruned)
    store.candles.upsertCandles(ALL.filter((c) => c.openTime >= day(13)));
    archive = new FakeArchive().addCandles(ALL.filter((c) => c.openTime < day(15)));
    access = new MarketDataAccess(store.candles, new NoLive(), 1_000, { archive });
  });
  afterAll(() => store.close());

  it('forward paging from the first archived minute returns every candle once, in order', async () => {
    const pages = await walk(access, { symbol: 'BTCUSD', timeframe: 'M1', from: day(11), limit: 1000 });
    const got = pages.flatMap((p) => p.candles);
    expect(got.length).toBe(ALL.length);
    expect(got).toEqual(ALL);
    expect(pages.slice(0, -1).every((p) => p.candles.length === 1000 && p.hasMore)).toBe(true);
    expect(pages.at(-1)).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('a bounded window inside the archived days is answered from the archive alone', async () => {
    const page = await access.candlesDeep({ symbol: 'BTCUSD', timeframe: 'M1', from: day(11) + 60_000, to: day(11) + 5 * 60_000, limit: 10 });
    expect(page.candles).toEqual(ALL.slice(1, 6));
    expect(page).toMatchObject({ hasMore: false, lastIsOpen: false, source: 'binance' });
  });

  it('backward paging (latest first) walks from SQLite into the archive down to the first minute', async () => {
    const pages = await walk(access, { symbol: 'BTCUSD', timeframe: 'M1', limit: 1000 });
    expect(pages[0]?.candles).toEqual(ALL.slice(-1000));
    const got = pages.reverse().flatMap((p) => p.candles);
    expect(got).toEqual(ALL);
  });

  it('the synchronous API still answers from SQLite only (unchanged behaviour)', () => {
    const page = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', from: day(11), limit: 5 });
    expect(page.candles[0]?.openTime).toBe(day(13));
  });

  it('multi-timeframe reads in parallel and reaches the archive', async () => {
    const out = await access.multiTimeframeDeep('BTCUSD', ['M1'], 10_000);
    expect(out.M1?.candles).toHaveLength(10_000);
    expect(out.M1?.candles).toEqual(ALL.slice(-10_000));
    expect(out.M1?.hasMore).toBe(true);
  });

  it('a request no layer holds is empty, not an error', async () => {
    const page = await access.candlesDeep({ symbol: 'BTCUSD', timeframe: 'H1', from: day(11), limit: 10 });
    expect(page).toMatchObject({ candles: [], hasMore: false, nextCursor: null });
  });
});
