import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import { getMultiTimeframe } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

const at = (hh: number, mm: number) => Date.UTC(2017, 7, 17, hh, mm);
type Row = [number, number, number, number, number, number, number, number, boolean];
type Frame = { candles: { openTime: number; open: number; high: number; low: number; close: number; volume: number; quoteVolume: number; trades: number; closed: boolean }[]; lastIsOpen: boolean; hasMore: boolean };
const rows = (f: Frame): Row[] => f.candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.trades, c.closed]);

describe('get_multi_timeframe over a pipeline fed the first BTCUSDT trades, recorded into an in-memory store', () => {
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(() => parts.close());

  it('answers the latest 3 bars of M1, M5, M15, H1 and H4, each ending with its forming candle', async () => {
    const out = (await callTool(getMultiTimeframe, { symbol: 'BTCUSD', bars: 3 }, parts.ctx)) as {
      symbol: string;
      source: string;
      timeframes: Record<'M1' | 'M5' | 'M15' | 'H1' | 'H4', Frame>;
      asOf: string | null;
      sources: unknown[];
      gaps: unknown;
    };
    expect(Object.keys(out.timeframes)).toEqual(['M1', 'M5', 'M15', 'H1', 'H4']);
    const { M1, M5, M15, H1, H4 } = out.timeframes;
    // Values = the official Binance 1m klines of 2017-08-17 and their roll-ups (exact 8-decimal sums).
    expect(rows(M1)).toEqual([
      [at(7, 57), 4334, 4334, 4334, 4334, 0.12, 520.08, 1, true],
      [at(7, 58), 4334, 4334, 4334, 4334, 0.105623, 457.770082, 1, true],
      [at(7, 59), 4334, 4349.99, 4334, 4349.99, 1.960811, 8515.84282012, 4, false],
    ]);
    expect(rows(M5)).toEqual([
      [at(7, 45), 4287.41, 4287.41, 4287.41, 4287.41, 0.004263, 18.27722883, 1, true],
      [at(7, 50), 4305.38, 4330.12, 4305.38, 4323.34, 0.552392, 2387.57597956, 6, true],
      [at(7, 55), 4323.34, 4349.99, 4323.34, 4349.99, 3.127234, 13570.36537412, 12, false],
    ]);
    expect(rows(M15)).toEqual([
      [at(7, 15), 4291.38, 4291.38, 4291.38, 4291.38, 0.038918, 167.01192684, 1, true],
      [at(7, 30), 4291.39, 4300, 4291.39, 4300, 0.718901, 3091.17587909, 4, true],
      [at(7, 45), 4287.41, 4349.99, 4287.41, 4349.99, 3.683889, 15976.21858251, 19, false],
    ]);
    expect(rows(H1)).toEqual([
      [at(5, 0), 4308.83, 4328.69, 4291.37, 4315.32, 23.234916, 100304.82356749, 102, true],
      [at(6, 0), 4330.29, 4345.45, 4309.37, 4324.35, 7.229691, 31282.31266989, 36, true],
      [at(7, 0), 4316.62, 4349.99, 4287.41, 4349.99, 4.443249, 19241.05829986, 25, false],
    ]);
    expect(rows(H4)).toEqual([[at(4, 0), 4261.48, 4349.99, 4261.32, 4349.99, 82.088865, 353194.33293028, 334, false]]);
    expect([M1, M5, M15, H1, H4].map((f) => [f.lastIsOpen, f.hasMore])).toEqual([
      [true, true],
      [true, true],
      [true, true],
      [true, true],
      [true, false],
    ]);
    // every frame ends with the candle the last trade (07:59:42.846) formed; the clock is 5 ms receive + 1 s settle later
    const frames = out.timeframes as unknown as Record<string, { asOf: string | null; ageMs: number | null }>;
    expect(Object.values(frames).map((f) => [f.asOf, f.ageMs])).toEqual(Array.from({ length: 5 }, () => ['2017-08-17T07:59:42.846Z', 1_005]));
    expect(parts.clock.now() - Date.parse('2017-08-17T07:59:42.846Z')).toBe(1_005);
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      source: 'binance',
      asOf: '2017-08-17T07:59:42.846Z',
      ageMs: 1_005,
      sources: [{ source: 'binance', feed: 'binance-spot', state: 'replaying', lastMessageAgeMs: 1_000, droppedFrames: 2 }],
    });
  });

  it('defaults to 100 bars and caps each timeframe at what exists', async () => {
    const out = (await callTool(getMultiTimeframe, { symbol: 'btcusd' }, parts.ctx)) as { timeframes: Record<string, Frame> };
    expect(out.timeframes.M1?.candles).toHaveLength(100);
    expect(out.timeframes.M1?.hasMore).toBe(true);
    expect(out.timeframes.H1?.candles).toHaveLength(4);
    expect(out.timeframes.H1?.hasMore).toBe(false);
    expect(out.timeframes.H4?.candles).toHaveLength(1);
  });

  it('a configured symbol without data answers empty frames', async () => {
    const out = (await callTool(getMultiTimeframe, { symbol: 'XAUUSD', bars: 5 }, parts.ctx)) as { timeframes: Record<string, Frame>; asOf: string | null };
    for (const frame of Object.values(out.timeframes)) expect(frame).toEqual({ candles: [], lastIsOpen: false, hasMore: false, asOf: null, ageMs: null });
    expect(out.asOf).toBeNull();
    expect((out as unknown as { ageMs: number | null }).ageMs).toBeNull();
  });

  it('an unknown symbol fails listing the valid ones', async () => {
    await expect(callTool(getMultiTimeframe, { symbol: 'ETH' }, parts.ctx)).rejects.toThrow(InvalidRequestError);
    await expect(callTool(getMultiTimeframe, { symbol: 'ETH' }, parts.ctx)).rejects.toThrow('unknown symbol "ETH"; valid symbols: BTCUSD, XAUUSD, GBPJPY');
  });

  it('rejects bars outside 1-500', () => {
    for (const bars of [0, 501, 1.5, -3]) expect(getMultiTimeframe.input.safeParse({ symbol: 'BTCUSD', bars }).success).toBe(false);
    expect(getMultiTimeframe.input.parse({ symbol: 'BTCUSD' })).toEqual({ symbol: 'BTCUSD', bars: 100 });
  });
});
