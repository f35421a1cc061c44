import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidRequestError,
  type Candle,
  type LiveMarketView,
  type MarketSnapshot,
  type Source,
  type Timeframe,
} from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/importers/index.js';
import { MarketDataAccess, openStore, type CandlePage, type Store } from '../../../src/store/index.js';

const KLINES = fileURLToPath(new URL('../../fixtures/binance/BTCUSDT-1m-2017-08-17.csv', import.meta.url));
const H04 = Date.UTC(2017, 7, 17, 4);
const LAST = Date.UTC(2017, 7, 17, 23, 59); // openTime of the last kline of the file
const MIN = 60_000;

/** A live view holding one forming candle per (symbol, timeframe), like the pipeline does. */
class FakeLiveView implements LiveMarketView {
  constructor(
    private readonly open: Map<string, Candle>,
    private readonly primary: Record<string, string> = {},
  ) {}
  snapshot(symbol: string): MarketSnapshot {
    return { symbol, lastTrade: null, lastQuote: null, ticks: 0 };
  }
  openCandle(symbol: string, timeframe: Timeframe): Candle | null {
    return this.open.get(`${symbol}|${timeframe}`) ?? null;
  }
  primaryCandleSource(symbol: string): string {
    return this.primary[symbol] ?? 'binance';
  }
  activeSource(_symbol: string): Source | null {
    return null;
  }

  gaps(_symbol: string) {
    return { open: [], filled: 0, unfillable: [] };
  }
}

/** Every page of a walk started by `first` and continued with each nextCursor. */
function walk(access: MarketDataAccess, first: Parameters<MarketDataAccess['candles']>[0]): CandlePage[] {
  const pages: CandlePage[] = [access.candles(first)];
  for (;;) {
    const cursor = pages[pages.length - 1]?.nextCursor;
    if (!cursor) return pages;
    pages.push(access.candles({ symbol: first.symbol, timeframe: first.timeframe, limit: first.limit, cursor }));
    if (pages.length > 10_000) throw new Error('paging does not end');
  }
}

function expectContiguous(candles: readonly Candle[], step = MIN): void {
  for (let i = 1; i < candles.length; i++) expect(candles[i]!.openTime - candles[i - 1]!.openTime).toBe(step);
}

describe('MarketDataAccess over the official 1m klines of 2017-08-17 and a live forming candle', () => {
  let store: Store;
  let all: Candle[] = [];
  let open: Candle;
  let access: MarketDataAccess;

  beforeAll(async () => {
    // Imported with the real importer: 1200 closed candles, 04:00-23:59. The store keeps 04:00-23:58; the
    // 23:59 minute is the one still forming in the live view (not yet closed, so not yet stored).
    for await (const batch of importFile(KLINES, { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) {
      expect(batch.errors).toEqual([]);
      all.push(...batch.candles);
    }
    store = openStore({ path: ':memory:' });
    store.candles.upsertCandles(all.filter((c) => c.openTime < LAST));
    const last = all[all.length - 1] as Candle;
    open = { ...last, closed: false, tsInit: last.tsEvent - 100 };
    access = new MarketDataAccess(store.candles, new FakeLiveView(new Map([['BTCUSD|M1', open]])));
  });

  afterAll(() => store.close());

  it('has the fixture: 1200 minutes from 04:00, the 23:59 one forming (4285.08 close)', () => {
    expect(all).toHaveLength(1200);
    expect(all[0]?.openTime).toBe(H04);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1199);
    expect(open).toMatchObject({ openTime: LAST, close: 4285.08, closed: false });
  });

  it('latest page: ascending, the forming candle last, lastIsOpen, hasMore and a cursor', () => {
    const page = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 100 });
    expect(page.candles).toHaveLength(100);
    expect(page.candles[99]).toBe(open);
    expect(page.candles[0]?.openTime).toBe(LAST - 99 * MIN);
    expect(page.candles[0]).toEqual(all[1100]);
    expectContiguous(page.candles);
    expect(page.candles.slice(0, 99).every((c) => c.closed)).toBe(true);
    expect(page).toMatchObject({ lastIsOpen: true, hasMore: true, source: 'binance' });
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it.each([100, 7, 1199, 1200, 5000])('pages backward with limit %i: no overlap, no gap, until exhausted; the union is every row', (limit) => {
    const pages = walk(access, { symbol: 'BTCUSD', timeframe: 'M1', limit });
    expect(pages).toHaveLength(Math.ceil(1200 / limit));
    const last = pages[pages.length - 1] as CandlePage;
    expect(last).toMatchObject({ hasMore: false, nextCursor: null });
    for (const p of pages.slice(0, -1)) {
      expect(p.candles).toHaveLength(limit);
      expect(p.hasMore).toBe(true);
    }
    expect(pages.map((p) => p.lastIsOpen)).toEqual(pages.map((_, i) => i === 0));
    // Pages go back in time; within a page candles ascend.
    const union = [...pages].reverse().flatMap((p) => p.candles);
    expect(union).toHaveLength(1200);
    expectContiguous(union);
    expect(union.map((c) => c.openTime)).toEqual(all.map((c) => c.openTime));
    expect(union.slice(0, -1)).toEqual(all.slice(0, -1));
    expect(union[1199]).toBe(open);
  });

  it('pages forward from a time with a small limit, to the end, the forming candle last', () => {
    const from = Date.UTC(2017, 7, 17, 20);
    const pages = walk(access, { symbol: 'BTCUSD', timeframe: 'M1', from, limit: 50 });
    // 20:00-23:59 = 240 minutes: 50, 50, 50, 50, 40.
    expect(pages.map((p) => p.candles.length)).toEqual([50, 50, 50, 50, 40]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, true, true, false]);
    expect(pages.map((p) => p.lastIsOpen)).toEqual([false, false, false, false, true]);
    const union = pages.flatMap((p) => p.candles);
    expectContiguous(union);
    expect(union[0]?.openTime).toBe(from);
    expect(union.slice(0, -1)).toEqual(all.filter((c) => c.openTime >= from && c.openTime < LAST));
    expect(union.at(-1)).toBe(open);
    expect(pages[4]?.nextCursor).toBeNull();
  });

  it('a forward page starts at the first candle at or after from (unaligned from)', () => {
    const page = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', from: H04 + 30_500, limit: 2 });
    expect(page.candles.map((c) => c.openTime)).toEqual([H04 + MIN, H04 + 2 * MIN]);
    expect(page.candles[0]).toMatchObject({ open: 4261.48, close: 4261.48, volume: 0, trades: 0, sources: ['binance'] });
  });

  it('respects to (inclusive open time) forward, in every page of the walk', () => {
    const pages = walk(access, { symbol: 'BTCUSD', timeframe: 'M1', from: H04, to: H04 + 29 * MIN, limit: 7 });
    expect(pages.map((p) => p.candles.length)).toEqual([7, 7, 7, 7, 2]);
    const union = pages.flatMap((p) => p.candles);
    expect(union.map((c) => c.openTime)).toEqual(all.slice(0, 30).map((c) => c.openTime));
    expect(pages.every((p) => !p.lastIsOpen)).toBe(true);
    // An unaligned to includes the candle opening before it.
    const one = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', from: H04, to: H04 + 9 * MIN + 30_000, limit: 100 });
    expect(one).toMatchObject({ hasMore: false, nextCursor: null, lastIsOpen: false });
    expect(one.candles).toEqual(all.slice(0, 10));
  });

  it('respects to backward: the latest candles up to it, without the forming one', () => {
    const noon = Date.UTC(2017, 7, 17, 12);
    const page = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', to: noon, limit: 5 });
    expect(page.candles.map((c) => c.openTime)).toEqual([4, 3, 2, 1, 0].map((i) => noon - i * MIN));
    expect(page.candles).toEqual(all.filter((c) => c.openTime <= noon).slice(-5));
    expect(page).toMatchObject({ lastIsOpen: false, hasMore: true });
    const pages = walk(access, { symbol: 'BTCUSD', timeframe: 'M1', to: noon, limit: 100 });
    const union = [...pages].reverse().flatMap((p) => p.candles);
    expect(union).toEqual(all.filter((c) => c.openTime <= noon));
  });

  it('a to at or after the forming candle includes it', () => {
    const page = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', to: LAST, limit: 2 });
    expect(page.candles.map((c) => c.openTime)).toEqual([LAST - MIN, LAST]);
    expect(page.lastIsOpen).toBe(true);
  });

  it('a range with nothing in it is an empty, final page', () => {
    const before = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', to: H04 - 1, limit: 10 });
    expect(before).toEqual({ candles: [], lastIsOpen: false, hasMore: false, nextCursor: null, source: 'binance' });
    const after = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', from: LAST + MIN, limit: 10 });
    expect(after).toEqual({ candles: [], lastIsOpen: false, hasMore: false, nextCursor: null, source: 'binance' });
  });

  it('a timeframe without stored candles answers with the forming candle alone, or nothing', () => {
    const m5Open: Candle = { ...open, timeframe: 'M5', openTime: LAST - 4 * MIN };
    const view = new FakeLiveView(new Map([['BTCUSD|M5', m5Open]]));
    const a = new MarketDataAccess(store.candles, view);
    expect(a.candles({ symbol: 'BTCUSD', timeframe: 'M5', limit: 10 })).toEqual({
      candles: [m5Open],
      lastIsOpen: true,
      hasMore: false,
      nextCursor: null,
      source: 'binance',
    });
    expect(a.candles({ symbol: 'BTCUSD', timeframe: 'H1', limit: 10 }).candles).toEqual([]);
  });

  it('reads the live primary source: a symbol whose primary is mt5 sees none of the binance rows', () => {
    const a = new MarketDataAccess(store.candles, new FakeLiveView(new Map(), { BTCUSD: 'mt5' }));
    expect(a.candles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 10 })).toMatchObject({ candles: [], source: 'mt5' });
  });

  it('multiTimeframe gives the latest bars of each timeframe', () => {
    const m5Open: Candle = { ...open, timeframe: 'M5', openTime: LAST - 4 * MIN };
    const a = new MarketDataAccess(store.candles, new FakeLiveView(new Map([['BTCUSD|M1', open], ['BTCUSD|M5', m5Open]])));
    const out = a.multiTimeframe('BTCUSD', ['M1', 'M5'], 3);
    expect(Object.keys(out)).toEqual(['M1', 'M5']);
    expect(out.M1?.candles.map((c) => c.openTime)).toEqual([LAST - 2 * MIN, LAST - MIN, LAST]);
    expect(out.M1).toMatchObject({ lastIsOpen: true, hasMore: true });
    expect(out.M5).toMatchObject({ candles: [m5Open], lastIsOpen: true, hasMore: false });
  });

  describe('rejects a cursor it did not issue', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const message = 'cursor is not one this server issued; pass the nextCursor of a previous answer or omit it';
    it.each([
      ['not base64 JSON', 'hello'],
      ['empty', ''],
      ['unknown direction', b64({ dir: 'sideways', to: 1 })],
      ['forward without a from', b64({ dir: 'fwd' })],
      ['backward with a text to', b64({ dir: 'back', to: 'yesterday' })],
      ['forward with a non-finite from', b64({ dir: 'fwd', from: 'Infinity' })],
      // A text `to` used to slip through and silently drop the bound; an object `to` made SQLite throw a RangeError.
      ['forward with a text to', b64({ dir: 'fwd', from: H04, to: 'x' })],
      ['forward with an object to', b64({ dir: 'fwd', from: H04, to: { a: 1 } })],
      ['JSON null', b64(null)],
      ['a JSON array', b64([1, 2])],
    ])('%s', (_name, cursor) => {
      const call = () => access.candles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 10, cursor });
      expect(call).toThrow(InvalidRequestError);
      expect(call).toThrow(message);
      try {
        call();
      } catch (error) {
        expect((error as InvalidRequestError).code).toBe('invalid_request');
      }
    });

    it('a cursor given with from follows the cursor, not from', () => {
      const first = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 3 });
      const next = access.candles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 3, from: H04, cursor: first.nextCursor as string });
      expect(next.candles.map((c) => c.openTime)).toEqual([LAST - 5 * MIN, LAST - 4 * MIN, LAST - 3 * MIN]);
    });
  });
});
