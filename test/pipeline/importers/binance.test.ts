import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportFormatError } from '../../../src/pipeline/importers/index.js';
import { collect, fixture, iso, tempDir } from './collect.js';

const TRADES = fixture('binance', 'BTCUSDT-trades-2017-08-17_0400-0800.csv');
const AGG = fixture('binance', 'BTCUSDT-aggTrades-2026-01-01_first5000.csv');
const KLINES = fixture('binance', 'BTCUSDT-1m-2024-03-11.csv');
const BOOK = fixture('binance', 'BTCUSDT-bookTicker-2023-10-02-short.csv');
const PAXG = fixture('binance', 'PAXGUSDT_1h_2024-01-01_to_2024-03-19.csv');
const opts = { source: 'binance', symbol: 'BTCUSD', onError: 'stop' } as const;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('Binance trades (2017-08-17, ms)', () => {
  it('gives 334 trade ticks with exact first/last values', async () => {
    const r = await collect(TRADES, opts);
    expect([...r.formats]).toEqual(['binance-trades']);
    expect(r.errors).toEqual([]);
    expect(r.ticks).toHaveLength(334);
    expect(r.ticks[0]).toEqual({
      symbol: 'BTCUSD', source: 'binance', tsEvent: 1502942428322, tsInit: 1502942428322,
      bid: null, ask: null, last: 4261.48, volume: 0.1, trades: 1, takerSide: 'sell', seq: 0, offset: 0,
    });
    expect(r.ticks[2]).toMatchObject({ last: 4261.48, volume: 0.075183, takerSide: 'buy', seq: 2 });
    expect(r.ticks[333]).toMatchObject({ tsEvent: 1502956782846, last: 4349.99, volume: 0.140001, takerSide: 'buy', seq: 333 });
    // every trade of the file = the official H4 04:00 volume (SOURCES.md section 1)
    expect(r.ticks.reduce((s, t) => s + t.volume, 0)).toBeCloseTo(82.088865, 9);
  });
});

describe('Binance aggTrades (2026-01-01, µs)', () => {
  it('gives 5000 ticks, µs turned into fractional ms', async () => {
    const r = await collect(AGG, opts);
    expect([...r.formats]).toEqual(['binance-aggtrades']);
    expect(r.ticks).toHaveLength(5000);
    expect(r.ticks[0]).toMatchObject({
      tsEvent: 1767225600039.409, tsInit: 1767225600039.409, last: 87648.21, volume: 0.08185, trades: 1, takerSide: 'sell', seq: 3800397495,
    });
    expect(r.ticks[1]).toMatchObject({ last: 87648.22, volume: 0.00013, takerSide: 'buy', seq: 3800397496 });
    expect(r.ticks[4998]).toMatchObject({ seq: 3800402493, trades: 4, tsEvent: 1767226339347.108 }); // l - f + 1 = 5723719887 - 5723719884 + 1
    expect(r.ticks[4999]).toMatchObject({ tsEvent: 1767226339347.397, last: 87759.14, volume: 0.01614, seq: 3800402494 });
    expect(r.ticks.reduce((s, t) => s + t.trades, 0)).toBe(5723719888 - 5723703861 + 1);
  });

  it('reads the same rows with ms timestamps as ms (ms vs µs detection)', async () => {
    const lines = readFileSync(AGG, 'utf8').split('\n').slice(0, 3);
    const ms = lines.map((l) => { const c = l.split(','); c[5] = c[5]!.slice(0, 13); return c.join(','); });
    const r = await collect(tmp.write('BTCUSDT-aggTrades-ms.csv', ms.join('\n')), opts);
    expect(r.ticks.map((t) => t.tsEvent)).toEqual([1767225600039, 1767225600272, 1767225600276]);
  });
});

describe('Binance klines', () => {
  it('gives 1440 closed M1 trade candles for 2024-03-11 with exact numbers', async () => {
    const r = await collect(KLINES, opts);
    expect([...r.formats]).toEqual(['binance-klines']);
    expect(r.candles).toHaveLength(1440);
    expect(r.candles[0]).toEqual({
      symbol: 'BTCUSD', timeframe: 'M1', openTime: 1710115200000,
      open: 68955.88, high: 68955.9, low: 68915.27, close: 68919.99,
      volume: 49.4669, quoteVolume: 3410122.6404652, trades: 1642, takerBuyVolume: 11.52368, takerBuyQuoteVolume: 794393.6908475,
      basis: 'trade', sources: ['binance'], closed: true, tsEvent: 1710115259999, tsInit: 1710115259999,
    });
    expect(r.candles[1439]).toMatchObject({ openTime: 1710201540000, open: 72101.11, close: 72078.1, volume: 33.40381, trades: 919 });
    expect(iso(r.candles[1439]!.openTime)).toBe('2024-03-11T23:59:00.000Z');
  });

  it('rejects every row when the timeframe override does not fit close_time', async () => {
    const r = await collect(KLINES, { ...opts, onError: 'skip', timeframe: 'M5' });
    expect(r.candles).toHaveLength(0);
    expect(r.errors).toHaveLength(1440);
    expect(r.errors[0]!.message).toContain('does not fit a M5 kline');
  });

  it('says clearly when the interval is not a supported timeframe', async () => {
    const p = tmp.write('BTCUSDT-30m-2024-03-11.csv', readFileSync(KLINES, 'utf8').split('\n')[0]!);
    await expect(collect(p, opts)).rejects.toThrow(ImportFormatError);
    await expect(collect(p, opts)).rejects.toThrow(/pass timeframe/);
  });
});

describe.skipIf(!existsSync(BOOK))('Binance USD-M bookTicker (with header)', () => {
  it('gives 9999 quote ticks, seq = update_id, time = transaction_time', async () => {
    const r = await collect(BOOK, opts);
    expect([...r.formats]).toEqual(['binance-bookticker']);
    expect(r.errors).toEqual([]);
    expect(r.ticks).toHaveLength(9999);
    expect(r.ticks[0]).toEqual({
      symbol: 'BTCUSD', source: 'binance', tsEvent: 1696204800012, tsInit: 1696204800012,
      bid: 27981.3, ask: 27981.4, last: null, volume: 0, trades: 0, takerSide: null, seq: 3319366863672, offset: 0,
    });
    expect(r.ticks[9998]).toMatchObject({ tsEvent: 1696204827849, bid: 27969.8, ask: 27969.9, seq: 3319370990389 });
  });
});

describe('Binance-derived hourly OHLCV (PAXGUSDT, header, UTC)', () => {
  it('gives 1896 H1 trade candles', async () => {
    const r = await collect(PAXG, { ...opts, symbol: 'XAUUSD' });
    expect([...r.formats]).toEqual(['binance-ohlcv']);
    expect(r.candles).toHaveLength(1896);
    expect(r.candles[0]).toMatchObject({ timeframe: 'H1', openTime: Date.UTC(2024, 0, 1), open: 2027, high: 2034, low: 2027, close: 2031, volume: 3.1978, trades: 0 });
    expect(r.candles[1895]).toMatchObject({ openTime: Date.UTC(2024, 2, 19, 23), close: 2132, volume: 74.222, tsEvent: Date.UTC(2024, 2, 20) - 1 });
  });
});

describe('Binance detection without a telling file name', () => {
  it('detects trades, aggTrades and klines from the row shape, and honours an explicit format', async () => {
    const trades = tmp.write('a.csv', readFileSync(TRADES, 'utf8').split('\n').slice(0, 5).join('\n'));
    const agg = tmp.write('b.csv', readFileSync(AGG, 'utf8').split('\n').slice(0, 5).join('\n'));
    const kl = tmp.write('c.csv', readFileSync(KLINES, 'utf8').split('\n').slice(0, 5).join('\n'));
    expect([...(await collect(trades, opts)).formats]).toEqual(['binance-trades']);
    expect([...(await collect(agg, opts)).formats]).toEqual(['binance-aggtrades']);
    await expect(collect(kl, opts)).rejects.toThrow(/timeframe/); // klines found, interval unknown
    expect((await collect(kl, { ...opts, timeframe: 'M1' })).candles).toHaveLength(5);
    expect((await collect(trades, { ...opts, format: 'binance-trades' })).ticks).toHaveLength(5);
    await expect(collect(trades, { ...opts, format: 'dukascopy-ticks' })).rejects.toThrow(/not a binance format/);
  });
});
