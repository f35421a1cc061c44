import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataIntegrityError, type Candle } from '../../../src/core/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { klines2017 } from '../../fixtures/load.js';

const H04 = Date.UTC(2017, 7, 17, 4);
const MIN = 60_000;

describe('CandleRepo raw-row reads: the same Candle objects, analytics only when set', () => {
  let store: Store;
  let klines: Candle[];
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
    klines = klines2017().slice(0, 10);
  });
  afterEach(() => store.close());

  it('maps analytics when any derived column is set, and omits the key otherwise', () => {
    const withAnalytics: Candle = { ...klines[1]!, analytics: { atr: 1.25, vwap: null, volatilityState: 'calm', structureLabel: null, structureJson: '{"trend":"up"}' } };
    store.candles.upsertCandles([klines[0]!, withAnalytics, klines[2]!]);
    const got = store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 10 });
    expect(got).toEqual([klines[0], withAnalytics, klines[2]]);
    expect('analytics' in got[0]!).toBe(false);
    expect(got[1]?.analytics).toEqual({ atr: 1.25, vwap: null, volatilityState: 'calm', structureLabel: null, structureJson: '{"trend":"up"}' });
    // desc reads the latest, returned oldest first
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 2, order: 'desc' })).toEqual([withAnalytics, klines[2]]);
  });

  it('a joined source key maps to its sources, each candle its own array', () => {
    const fused = klines.slice(0, 2).map((k) => ({ ...k, sources: ['binance', 'mt5'] as const }));
    store.candles.upsertCandles(fused);
    const got = store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance+mt5', limit: 10 });
    expect(got).toEqual(fused);
    expect(got[0]?.sources).not.toBe(got[1]?.sources);
  });

  it('an unknown source in a stored key is a data integrity error; an empty answer is not', () => {
    store.db.prepare("INSERT INTO candles (symbol, timeframe, source, open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, basis, closed, ts_event, ts_init) VALUES ('BTCUSD', 'M1', 'binance+nyse', 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 'trade', 1, 0, 0)").run();
    expect(() => store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance+nyse', limit: 5 })).toThrow(DataIntegrityError);
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance+nyse', from: 1, limit: 5 })).toEqual([]);
  });

  it('queryBarRows: closed candles with trades only, compact rows, ascending', () => {
    const all = klines2017();
    store.candles.upsertCandles(all);
    // 04:00 (3 trades), 04:01 empty, 04:02 (1 trade), 04:03 (2 trades): official klines of 2017-08-17
    const rows = store.candles.queryBarRows('BTCUSD', 'M1', 'binance', H04, H04 + 3 * MIN, 10);
    const expected = all.filter((k) => k.openTime <= H04 + 3 * MIN && k.trades > 0).map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.trades]);
    expect(rows).toEqual(expected);
    expect(rows[0]).toEqual([H04, 4261.48, 4261.48, 4261.48, 4261.48, 1.775183, 3]);
    expect(store.candles.queryBarRows('BTCUSD', 'M1', 'binance', H04, H04 + 3 * MIN, 1)).toEqual([expected[0]]);
    store.candles.upsertCandles([{ ...all[0]!, closed: false }]);
    expect(store.candles.queryBarRows('BTCUSD', 'M1', 'binance', H04, H04, 10)).toEqual([]);
  });
});
