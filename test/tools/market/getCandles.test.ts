import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import { getCandles } from '../../../src/tools/index.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

const H04 = Date.UTC(2017, 7, 17, 4);
const MIN = 60_000;
const HOUR = 3_600_000;

/** Official 1m klines of BTCUSDT 2017-08-17 in the tool's candle shape (closed). */
const official = klines2017().map(({ openTime, open, high, low, close, volume, quoteVolume, trades }) => ({ openTime, open, high, low, close, volume, quoteVolume, trades, closed: true }));
const minute = (hh: number, mm: number) => official.find((k) => k.openTime === Date.UTC(2017, 7, 17, hh, mm));

type Out = {
  symbol: string;
  timeframe: string;
  source: string;
  candles: (typeof official)[number][];
  count: number;
  lastIsOpen: boolean;
  hasMore: boolean;
  nextCursor: string | null;
  asOf: string | null;
  sources: unknown[];
  gaps: unknown;
};

describe('get_candles over a pipeline fed the first BTCUSDT trades, recorded into an in-memory store', () => {
  let parts: RealParts;
  const call = async (args: Record<string, unknown>) => (await callTool(getCandles, { symbol: 'BTCUSD', ...args }, parts.ctx)) as unknown as Out;

  beforeAll(async () => {
    // All 334 trades, then 1 s: 07:59 is still forming (it closes 2 s after 08:00 venue time).
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(() => parts.close());

  it('latest M1 page: 07:50-07:58 closed as the official klines, 07:59 forming, with provenance', async () => {
    const out = await call({ timeframe: 'M1', limit: 10 });
    expect(out.candles).toEqual([
      ...[50, 51, 52, 53, 54, 55, 56, 57, 58].map((m) => minute(7, m)),
      { ...minute(7, 59), closed: false },
    ]);
    expect(out.candles[9]).toEqual({
      openTime: Date.UTC(2017, 7, 17, 7, 59),
      open: 4334,
      high: 4349.99,
      low: 4334,
      close: 4349.99,
      volume: 1.960811,
      quoteVolume: 8515.84282012,
      trades: 4,
      closed: false,
    });
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      timeframe: 'M1',
      source: 'binance',
      count: 10,
      lastIsOpen: true,
      hasMore: true,
      asOf: '2017-08-17T07:59:42.846Z',
      sources: [{ source: 'binance', feed: 'binance-spot', state: 'replaying', lastMessageAgeMs: 1_000, droppedFrames: 2 }],
    });
    expect(out.nextCursor).toEqual(expect.any(String));
  });

  it('default limit is 200 and the symbol is case-insensitive', async () => {
    const out = await call({ symbol: 'btcUSD', timeframe: 'M1' });
    expect(out.symbol).toBe('BTCUSD');
    expect(out.count).toBeLessThanOrEqual(200);
    expect(out.candles.at(-1)).toMatchObject({ openTime: Date.UTC(2017, 7, 17, 7, 59), closed: false });
  });

  it('H1: the three closed hours equal the roll-up of the official klines, 07:00 still forming', async () => {
    const out = await call({ timeframe: 'H1', limit: 10 });
    expect(out.candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.trades, c.closed])).toEqual([
      [H04, 4261.48, 4313.62, 4261.32, 4308.83, 47.181009, 202366.13839304, 171, true],
      [H04 + HOUR, 4308.83, 4328.69, 4291.37, 4315.32, 23.234916, 100304.82356749, 102, true],
      [H04 + 2 * HOUR, 4330.29, 4345.45, 4309.37, 4324.35, 7.229691, 31282.31266989, 36, true],
      [H04 + 3 * HOUR, 4316.62, 4349.99, 4287.41, 4349.99, 4.443249, 19241.05829986, 25, false],
    ]);
    expect(out).toMatchObject({ count: 4, lastIsOpen: true, hasMore: false, nextCursor: null });
  });

  it('H4: only the forming 04:00 candle (all 334 trades)', async () => {
    const out = await call({ timeframe: 'H4' });
    expect(out.candles).toEqual([
      { openTime: H04, open: 4261.48, high: 4349.99, low: 4261.32, close: 4349.99, volume: 82.088865, quoteVolume: 353194.33293028, trades: 334, closed: false },
    ]);
    expect(out).toMatchObject({ lastIsOpen: true, hasMore: false, nextCursor: null });
  });

  it('from as ISO or epoch ms gives the same page; forward paging walks to the forming candle', async () => {
    const iso = await call({ timeframe: 'M1', from: '2017-08-17T07:50:00Z', limit: 4 });
    const ms = await call({ timeframe: 'M1', from: Date.UTC(2017, 7, 17, 7, 50), limit: 4 });
    expect(ms).toEqual(iso);
    expect(iso.candles).toEqual([50, 51, 52, 53].map((m) => minute(7, m)));
    expect(iso).toMatchObject({ hasMore: true, lastIsOpen: false, asOf: '2017-08-17T07:53:57.769Z' });
    const second = await call({ timeframe: 'M1', limit: 4, cursor: iso.nextCursor });
    expect(second.candles.map((c) => c.openTime)).toEqual([54, 55, 56, 57].map((m) => Date.UTC(2017, 7, 17, 7, m)));
    const third = await call({ timeframe: 'M1', limit: 4, cursor: second.nextCursor });
    expect(third.candles).toEqual([minute(7, 58), { ...minute(7, 59), closed: false }]);
    expect(third).toMatchObject({ hasMore: false, nextCursor: null, lastIsOpen: true, count: 2 });
  });

  it('from with to: an inclusive window, given with a time-zone offset', async () => {
    const out = await call({ timeframe: 'M1', from: '2017-08-17T09:50:00+02:00', to: '2017-08-17T09:52:00+02:00' });
    expect(out.candles).toEqual([50, 51, 52].map((m) => minute(7, m)));
    expect(out).toMatchObject({ count: 3, hasMore: false, lastIsOpen: false });
  });

  it('a forged cursor is an invalid request with a clear message', async () => {
    await expect(call({ timeframe: 'M1', cursor: 'not-a-cursor' })).rejects.toThrow(InvalidRequestError);
    await expect(call({ timeframe: 'M1', cursor: 'not-a-cursor' })).rejects.toThrow(
      'cursor is not one this server issued; pass the nextCursor of a previous answer or omit it',
    );
  });

  it('an unknown symbol fails listing the valid ones', async () => {
    await expect(call({ symbol: 'DOGEUSD', timeframe: 'M1' })).rejects.toThrow('unknown symbol "DOGEUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY');
  });

  it('a configured symbol without data answers an empty page', async () => {
    const out = await call({ symbol: 'gbpjpy', timeframe: 'M5' });
    expect(out).toMatchObject({ symbol: 'GBPJPY', source: 'mt5', candles: [], count: 0, lastIsOpen: false, hasMore: false, nextCursor: null, asOf: null, sources: [] });
  });

  it('the input schema rejects a bad timeframe, limit or date before the handler runs', () => {
    for (const bad of [
      { symbol: 'BTCUSD', timeframe: 'M2' },
      { symbol: 'BTCUSD', timeframe: 'm1' },
      { symbol: 'BTCUSD', timeframe: 'M1', limit: 0 },
      { symbol: 'BTCUSD', timeframe: 'M1', limit: 1001 },
      { symbol: 'BTCUSD', timeframe: 'M1', limit: 2.5 },
      { symbol: 'BTCUSD', timeframe: 'M1', from: 'yesterday' },
      { symbol: 'BTCUSD', timeframe: 'M1', from: -1 },
      { symbol: 'BTCUSD', timeframe: 'M1', cursor: 'x'.repeat(201) },
    ]) {
      expect(getCandles.input.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  // Empty candles used to carry `sources: []` and were stored under source key '', so get_candles (reading
  // 'binance') silently skipped the 126 empty minutes; empty candles now carry their stream's source.
  it('includes the empty minutes the pipeline closed (07:40-07:49 = 10 candles, as the official klines)', async () => {
    const out = await call({ timeframe: 'M1', from: Date.UTC(2017, 7, 17, 7, 40), to: Date.UTC(2017, 7, 17, 7, 49) });
    expect(out.candles).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49].map((m) => minute(7, m)));
    expect(out.candles.filter((c) => c.trades === 0).map((c) => c.openTime)).toEqual([40, 42, 46, 47, 48, 49].map((m) => Date.UTC(2017, 7, 17, 7, m)));
  });

  it('answers every minute 04:00-07:59 equal to the official klines, the forming one last', async () => {
    const out = await call({ timeframe: 'M1', from: '2017-08-17T04:00:00Z', limit: 1000 });
    const want = official.filter((k) => k.openTime < Date.UTC(2017, 7, 17, 8));
    expect(out.candles).toEqual([...want.slice(0, -1), { ...want[239], closed: false }]);
    expect(out).toMatchObject({ count: 240, hasMore: false, nextCursor: null, lastIsOpen: true });
    expect(parts.store.candles.listSources('BTCUSD', 'M1')).toEqual([{ source: 'binance', count: 239 }]);
  });
});
