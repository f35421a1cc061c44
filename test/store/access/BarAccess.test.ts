import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveMarketView, MarketSnapshot, Source } from '../../../src/core/index.js';
import { MarketDataAccess, openStore, type Store, type TickBar, type TickPage } from '../../../src/store/index.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { FakeArchive } from './fakeArchive.js';

// First BTCUSDT spot trades (334, 2017-08-17 04:00:28-07:59:42) in SQLite; the official 1m klines of that day as stored M1 candles.
const trades = trades2017();
const klines = klines2017();
const H04 = Date.UTC(2017, 7, 17, 4);
const H05 = Date.UTC(2017, 7, 17, 5);
const H08 = Date.UTC(2017, 7, 17, 8);
const live: LiveMarketView = {
  snapshot: (symbol: string): MarketSnapshot => ({ symbol, lastTrade: null, lastQuote: null, ticks: 0 }),
  openCandle: () => null,
  primaryCandleSource: () => 'binance',
  activeSource: (): Source | null => null,
  gaps: () => ({ open: [], filled: 0, unfillable: [] }),
};
const request = { symbol: 'BTCUSD', from: H04, to: H08, resolution: '1m' as const, limit: 5000 };
const noTicks = (bars: readonly TickBar[]) => bars.map((b) => ({ ...b, ticks: null }));

describe('BarAccess: 1m bars from stored M1 candles (archive, SQLite) equal the bars folded from the same ticks', () => {
  let store: Store;
  let rebuilt: TickPage;

  beforeAll(async () => {
    store = openStore({ path: ':memory:' });
    store.ticks.insertTicks(trades);
    rebuilt = await new MarketDataAccess(store.candles, live, 1_000, { history: store.ticks }).ticks({ ...request, rebuild: true });
  });
  afterAll(() => store.close());

  it('tick-built bars are the official klines of the minutes that had trades', () => {
    const official = klines.filter((k) => k.trades > 0 && k.openTime < H08);
    expect(rebuilt.bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume, b.trades])).toEqual(official.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.trades]));
    expect(rebuilt.bars).toHaveLength(official.length);
    expect(rebuilt.layers).toEqual({ ram: 0, sqlite: 334, archive: 0 });
    expect(rebuilt.candleBars).toEqual({ sqlite: 0, archive: 0 });
  });

  it('archived candles-M1 day answers every minute, reading no tick; the empty minutes give no bar', async () => {
    const archive = new FakeArchive().addCandles(klines);
    const access = new MarketDataAccess(store.candles, live, 1_000, { history: store.ticks, archive });
    const seen: string[] = [];
    const page = await access.ticks(request, (done, total, message) => {
      seen.push(`${done}/${total} ${message}`);
    });
    expect(page.bars).toEqual(noTicks(rebuilt.bars));
    expect(page.candleBars).toEqual({ sqlite: 0, archive: rebuilt.bars.length });
    expect(page.layers).toEqual({ ram: 0, sqlite: 0, archive: 0 });
    expect(seen).toEqual(['0/1 reading archive candles 2017-08-17T04:00:00.000Z to 2017-08-17T08:00:00.000Z', '1/1 done']);
    // rebuild ignores the candles
    expect((await access.ticks({ ...request, rebuild: true })).bars).toEqual(rebuilt.bars);
  });

  it('SQLite candles of 04:00-04:59 answer that hour, ticks the rest; the plan says so', async () => {
    const local = openStore({ path: ':memory:' });
    try {
      local.ticks.insertTicks(trades);
      local.candles.upsertCandles(klines.filter((k) => k.openTime < H05));
      const access = new MarketDataAccess(local.candles, live, 1_000, { history: local.ticks });
      expect(access.barLayers.plan('BTCUSD', '1m', 'binance', H04, H08)).toEqual([
        { from: H04, to: H05, basis: 'candles', layer: 'sqlite' },
        { from: H05, to: H08, basis: 'ticks' },
      ]);
      const page = await access.ticks(request);
      expect(page.bars).toEqual(rebuilt.bars.map((b) => (b.openTime < H05 ? { ...b, ticks: null } : b)));
      const early = rebuilt.bars.filter((b) => b.openTime < H05);
      expect(page.candleBars).toEqual({ sqlite: early.length, archive: 0 });
      expect(page.layers).toEqual({ ram: 0, sqlite: trades.filter((t) => t.tsEvent >= H05).length, archive: 0 });
      // a candle store without compact bar rows (only the CandleStore port) answers the same through queryCandles
      const port = { upsertCandles: () => undefined, queryCandles: local.candles.queryCandles.bind(local.candles) };
      expect(await new MarketDataAccess(port, live, 1_000, { history: local.ticks }).ticks(request)).toEqual(page);
      // pages of 10 stitch the same bars, the cursor crossing the candle/tick border
      const got: TickBar[] = [];
      let cursor: string | undefined;
      for (;;) {
        const p = await access.ticks({ ...request, limit: 10, ...(cursor ? { cursor } : {}) });
        got.push(...p.bars);
        if (!p.hasMore) break;
        cursor = p.nextCursor as string;
      }
      expect(got).toEqual(page.bars);
      // a source without a stored stream (mt5) is folded from ticks: none of them are mt5
      expect((await access.ticks({ ...request, source: 'mt5' })).bars).toEqual([]);
      expect(access.barLayers.plan('BTCUSD', '1m', null, H04, H08)).toEqual([{ from: H04, to: H08, basis: 'ticks' }]);
    } finally {
      local.close();
    }
  });

  it('a quote-basis (mid) candle stream is not used: its prices are not the trade bars', async () => {
    const archive = new FakeArchive().addCandles(klines.map((k) => ({ ...k, basis: 'mid' as const })));
    const access = new MarketDataAccess(store.candles, live, 1_000, { history: store.ticks, archive });
    const page = await access.ticks(request);
    expect(page.bars).toEqual(rebuilt.bars);
    expect(page.candleBars).toEqual({ sqlite: 0, archive: 0 });
  });
});
