import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Candle, Timeframe } from '../../../src/core/index.js';
import { InvalidRequestError } from '../../../src/core/index.js';
import { candleSourceKey, openStore, type Store } from '../../../src/store/index.js';
import { klines2017 } from '../../fixtures/load.js';

const H04 = Date.UTC(2017, 7, 17, 4); // 1502942400000, first kline of the file
const MIN = 60_000;
const q = (extra: Partial<{ source: string; from: number; to: number; limit: number; order: 'asc' | 'desc' }> = {}) => ({
  symbol: 'BTCUSD',
  timeframe: 'M1' as Timeframe,
  limit: 1000,
  ...extra,
});

describe('CandleRepo', () => {
  let store: Store;
  let klines: Candle[];
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
    klines = klines2017();
    store.candles.upsertCandles(klines);
  });
  afterEach(() => store.close());

  it('stores the official klines and maps them back exactly', () => {
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1200);
    const first = store.candles.queryCandles(q({ limit: 3 }));
    expect(first).toEqual(klines.slice(0, 3));
    // 04:00 is the first minute of BTCUSDT: 3 trades, 1.775183 BTC, taker-buy 0.075183
    expect(first[0]).toEqual({
      symbol: 'BTCUSD',
      timeframe: 'M1',
      openTime: 1502942400000,
      open: 4261.48,
      high: 4261.48,
      low: 4261.48,
      close: 4261.48,
      volume: 1.775183,
      quoteVolume: 7564.90685084,
      trades: 3,
      takerBuyVolume: 0.075183,
      takerBuyQuoteVolume: 320.39085084,
      basis: 'trade',
      sources: ['binance'],
      closed: true,
      tsEvent: 1502942459999,
      tsInit: 1502942460000,
    });
    // 04:01 is an empty minute: O=H=L=C = previous close, zero volume
    expect(first[1]).toMatchObject({ open: 4261.48, close: 4261.48, volume: 0, trades: 0 });
  });

  it('answers asc from `from`, with inclusive `to` and `limit`', () => {
    const rows = store.candles.queryCandles(q({ from: H04 + 10 * MIN, to: H04 + 14 * MIN }));
    expect(rows.map((c) => (c.openTime - H04) / MIN)).toEqual([10, 11, 12, 13, 14]);
    expect(store.candles.queryCandles(q({ from: H04 + 10 * MIN, limit: 2 })).map((c) => c.openTime)).toEqual([
      H04 + 10 * MIN,
      H04 + 11 * MIN,
    ]);
    // a `from` between open times starts at the next candle
    expect(store.candles.queryCandles(q({ from: H04 + 1, limit: 1 }))[0]!.openTime).toBe(H04 + MIN);
    expect(store.candles.queryCandles(q({ limit: 0 }))).toEqual([]);
  });

  it('answers desc with the latest `limit` rows, returned ascending', () => {
    const last5 = store.candles.queryCandles(q({ order: 'desc', limit: 5 }));
    expect(last5).toEqual(klines.slice(1195));
    // 23:59, the last minute of the day, is empty at 4285.08 (the D1 close)
    expect(last5[4]).toMatchObject({ openTime: Date.UTC(2017, 7, 17, 23, 59), close: 4285.08, volume: 0 });
    // the latest 3 at or before 04:59
    const upTo = store.candles.queryCandles(q({ order: 'desc', to: H04 + 59 * MIN, limit: 3 }));
    expect(upTo.map((c) => (c.openTime - H04) / MIN)).toEqual([57, 58, 59]);
    // desc within [from, to] when the range holds fewer than `limit`
    const few = store.candles.queryCandles(q({ order: 'desc', from: H04, to: H04 + 2 * MIN, limit: 100 }));
    expect(few).toEqual(klines.slice(0, 3));
  });

  it('upsert replaces: a forming candle becomes the closed one', () => {
    const closed = klines[2]!; // 04:02: 2 trades, 0.261074 BTC at 4280.56
    const forming: Candle = { ...closed, volume: 0.1, quoteVolume: 428.056, trades: 1, takerBuyVolume: 0.1, takerBuyQuoteVolume: 428.056, closed: false, tsEvent: closed.tsEvent - 30_000 };
    store.candles.upsertCandles([forming]);
    expect(store.candles.queryCandles(q({ from: closed.openTime, limit: 1 }))).toEqual([forming]);
    store.candles.upsertCandles([closed]);
    expect(store.candles.queryCandles(q({ from: closed.openTime, limit: 1 }))).toEqual([closed]);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(1200);
  });

  it('keeps derived columns when the candle is unchanged and clears them when it changed', () => {
    const c = klines[0]!;
    const atr = () =>
      store.db
        .prepare('SELECT atr FROM candles WHERE symbol = ? AND timeframe = ? AND source = ? AND open_time = ?')
        .pluck()
        .get(c.symbol, c.timeframe, 'binance', c.openTime);
    store.db.prepare('UPDATE candles SET atr = 12.5 WHERE open_time = ?').run(c.openTime);
    store.candles.upsertCandles([{ ...c, tsInit: c.tsInit + 1000 }]); // same values, written again
    expect(atr()).toBe(12.5);
    store.candles.upsertCandles([{ ...c, high: 4300 }]); // corrected candle
    expect(atr()).toBeNull();
  });

  it('keeps sources apart and reads the primary, else the most populated source', () => {
    const fused: Candle[] = klines.slice(0, 10).map((k) => ({ ...k, sources: ['binance', 'mt5'], basis: 'mid' }));
    store.candles.upsertCandles(fused);
    expect(candleSourceKey(['binance', 'mt5'])).toBe('binance+mt5');
    expect(store.candles.listSources('BTCUSD', 'M1')).toEqual([
      { source: 'binance', count: 1200 },
      { source: 'binance+mt5', count: 10 },
    ]);
    expect(store.candles.queryCandles(q({ source: 'binance+mt5' }))).toEqual(fused);
    expect(store.candles.queryCandles(q({ limit: 1 }))[0]!.sources).toEqual(['binance']);
    expect(store.candles.queryCandles(q({ source: 'oanda' }))).toEqual([]);
    expect(store.candles.queryCandles({ ...q(), symbol: 'XAUUSD' })).toEqual([]);
    expect(store.candles.resolveSource('XAUUSD', 'M1')).toBeNull();

    const other = openStore({ path: ':memory:', primarySource: (s) => (s === 'BTCUSD' ? 'binance+mt5' : undefined) });
    other.candles.upsertCandles([...klines, ...fused]);
    expect(other.candles.queryCandles(q({ limit: 1 }))[0]!.sources).toEqual(['binance', 'mt5']);
    other.close();
  });

  it('recomputes the default source after writes', () => {
    const mt5: Candle[] = klines.map((k) => ({ ...k, sources: ['mt5'] }));
    const h1: Candle[] = mt5.slice(0, 3).map((k) => ({ ...k, timeframe: 'H1' }));
    store.candles.upsertCandles(h1);
    expect(store.candles.resolveSource('BTCUSD', 'H1')).toBe('mt5');
    store.candles.upsertCandles(h1.slice(0, 2).map((k) => ({ ...k, sources: ['binance'] })));
    expect(store.candles.resolveSource('BTCUSD', 'H1')).toBe('mt5');
    store.candles.upsertCandles(h1.map((k) => ({ ...k, sources: ['binance'], openTime: k.openTime + 86_400_000 })));
    expect(store.candles.resolveSource('BTCUSD', 'H1')).toBe('binance'); // 5 vs 3
  });

  it('refuses an unknown timeframe or a bad limit', () => {
    expect(() => store.candles.queryCandles({ ...q(), timeframe: 'M2' as Timeframe })).toThrow(InvalidRequestError);
    expect(() => store.candles.queryCandles(q({ limit: 1.5 }))).toThrow(InvalidRequestError);
  });
});
