import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TickRing } from '../../../src/pipeline/buffer/index.js';
import { MarketDataAccess } from '../../../src/store/index.js';
import type { ToolContext } from '../../../src/tools/index.js';
import { getTicks } from '../../../src/tools/market/getTicks.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { FakeArchive } from '../../store/access/fakeArchive.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

const trades = trades2017();
const H04 = Date.UTC(2017, 7, 17, 4);
const H06 = Date.UTC(2017, 7, 17, 6);
const H08 = Date.UTC(2017, 7, 17, 8);
type Bar = { openTime: number; open: number; high: number; low: number; close: number; volume: number; ticks: number | null; trades: number; bid: number | null; ask: number | null; basis: string };
type Out = { bars: Bar[]; count: number; hasMore: boolean; nextCursor: string | null; layers: Record<string, number>; barsFrom: { ticks: number; sqliteCandles: number; archiveCandles: number } };

describe('get_ticks 1s / 1m answered from the stored S1 / M1 candles the pipeline recorded, ticks for the RAM window', () => {
  let parts: RealParts;
  let ctx: ToolContext;

  beforeAll(async () => {
    parts = await realParts(trades, { settleMs: 1_000 });
    const ring = new TickRing();
    ring.refill('BTCUSD', [trades.filter((t) => t.tsEvent >= H06)], H06);
    ctx = { ...parts.ctx, access: new MarketDataAccess(parts.store.candles, parts.pipeline, 1_000, { window: ring, history: parts.store.ticks, archive: new FakeArchive() }) };
  });
  afterAll(() => parts?.close());

  const ask = async (args: Record<string, unknown>) => (await callTool(getTicks, { symbol: 'BTCUSD', from: H04, to: H08, limit: 5000, ...args }, ctx)) as unknown as Out;

  it('1m: minutes before the RAM window come from SQLite M1 candles and equal the tick-built bars (ticks, bid, ask unknown there)', async () => {
    const fromCandles = await ask({ resolution: '1m' });
    const rebuilt = await ask({ resolution: '1m', rebuild: true });
    const early = rebuilt.bars.filter((b) => b.openTime < H06);
    expect(fromCandles.barsFrom).toEqual({ ticks: rebuilt.bars.length - early.length, sqliteCandles: early.length, archiveCandles: 0 });
    expect(rebuilt.barsFrom).toEqual({ ticks: rebuilt.bars.length, sqliteCandles: 0, archiveCandles: 0 });
    expect(fromCandles.bars).toEqual(rebuilt.bars.map((b) => (b.openTime < H06 ? { ...b, ticks: null } : b)));
    // only the RAM window's ticks were read; the rebuild read all 334
    expect(fromCandles.layers).toEqual({ ram: trades.filter((t) => t.tsEvent >= H06).length, sqlite: 0, archive: 0 });
    expect(rebuilt.layers).toEqual({ ram: trades.filter((t) => t.tsEvent >= H06).length, sqlite: trades.filter((t) => t.tsEvent < H06).length, archive: 0 });
    // and both equal the official Binance klines of the minutes that had trades
    const official = klines2017().filter((k) => k.trades > 0 && k.openTime < H08);
    expect(fromCandles.bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume, b.trades])).toEqual(official.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.trades]));
  });

  it('1s: seconds before the RAM window come from SQLite S1 candles and equal the tick-built bars', async () => {
    const fromCandles = await ask({ resolution: '1s' });
    const rebuilt = await ask({ resolution: '1s', rebuild: true });
    const early = rebuilt.bars.filter((b) => b.openTime < H06);
    expect(early.length).toBeGreaterThan(0);
    expect(fromCandles.barsFrom).toEqual({ ticks: rebuilt.bars.length - early.length, sqliteCandles: early.length, archiveCandles: 0 });
    expect(fromCandles.bars).toEqual(rebuilt.bars.map((b) => (b.openTime < H06 ? { ...b, ticks: null } : b)));
  });

  it('an unaligned from folds its partial minute from ticks; pages of 7 across the candle/tick border equal one page', async () => {
    const from = H04 + 30_500; // inside 04:00, after its first trade (04:00:28)
    const one = await ask({ resolution: '1m', from });
    const partial = trades.filter((t) => t.tsEvent >= from && t.tsEvent < H04 + 60_000);
    expect(partial.length).toBeGreaterThan(0);
    // the partial minute is folded from its ticks only (a candle would hold the whole minute)
    expect(one.bars[0]).toMatchObject({ openTime: H04, ticks: partial.length, trades: partial.length, open: partial[0]?.last, close: partial[partial.length - 1]?.last });
    expect(one.barsFrom.ticks).toBe(one.bars.filter((b) => b.ticks !== null).length);
    expect(one.barsFrom.sqliteCandles).toBe(one.bars.filter((b) => b.ticks === null).length);
    const got: Bar[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await ask({ resolution: '1m', from, limit: 7, ...(cursor ? { cursor } : {}) });
      pages++;
      got.push(...page.bars);
      expect(page.barsFrom.ticks + page.barsFrom.sqliteCandles + page.barsFrom.archiveCandles).toBe(page.count);
      if (!page.hasMore) break;
      cursor = page.nextCursor as string;
    }
    expect(got).toEqual(one.bars);
    expect(pages).toBe(Math.ceil(one.bars.length / 7));
  });

  it('raw resolution reports no bars from any basis', async () => {
    const raw = await ask({ from: H06, to: H06 + 60_000 });
    expect(raw.barsFrom).toEqual({ ticks: 0, sqliteCandles: 0, archiveCandles: 0 });
  });
});
