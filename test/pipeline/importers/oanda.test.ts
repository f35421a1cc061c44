import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportFormatError } from '../../../src/pipeline/importers/index.js';
import { collect, fixture, iso, shared, tempDir } from './collect.js';

const TICKS_GZ = fixture('oanda', '20140506_xauusd_tick_quote.csv.gz');
const SECOND_GZ = shared('oanda-xauusd-2014-05-06/20140506_xauusd_second_quote.csv.gz');
const MINUTE = fixture('oanda', '20140506_xauusd_minute_quote.csv');
const HOUR = fixture('oanda', 'xauusd_hour_2014Q2.csv');
const DAILY = fixture('oanda', 'xauusd_daily_2013_to_2019-02.csv');
const opts = { source: 'oanda', symbol: 'XAUUSD', onError: 'stop' } as const;
const DAY = Date.UTC(2014, 4, 6);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('OANDA tick quotes (.gz, date from the file name)', () => {
  it('gives 161,552 quote ticks, the first at 2014-05-06 00:00:00.808', async () => {
    const r = await collect(TICKS_GZ, opts);
    expect([...r.formats]).toEqual(['oanda-ticks']);
    expect(r.errors).toEqual([]);
    expect(r.ticks).toHaveLength(161552);
    expect(r.batches.map((b) => b.ticks.length).slice(0, 2)).toEqual([5000, 5000]);
    expect(r.ticks[0]).toEqual({
      symbol: 'XAUUSD', source: 'oanda', tsEvent: DAY + 808.0672, tsInit: DAY + 808.0672,
      bid: 1310.926, ask: 1311.237, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0,
    });
    expect(iso(r.ticks[0]!.tsEvent)).toBe('2014-05-06T00:00:00.808Z');
    expect(r.ticks[161551]).toMatchObject({ tsEvent: DAY + 86399882.139, bid: 1307.326, ask: 1307.642 });
  });
});

describe.skipIf(!existsSync(SECOND_GZ))('OANDA second quote bars (.gz)', () => {
  it('gives 30,235 S1 bid candles', async () => {
    const r = await collect(SECOND_GZ, opts);
    expect([...r.formats]).toEqual(['oanda-intraday-bars']);
    expect(r.candles).toHaveLength(30235);
    expect(r.candles[0]).toMatchObject({ timeframe: 'S1', openTime: DAY, open: 1310.926, high: 1310.926, low: 1310.909, close: 1310.909, tsEvent: DAY + 999 });
    expect(r.candles[30234]).toMatchObject({ openTime: DAY + 86399000, close: 1307.326 });
  });
});

describe('OANDA minute quote bars', () => {
  it('gives 1,385 M1 bid candles', async () => {
    const r = await collect(MINUTE, opts);
    expect([...r.formats]).toEqual(['oanda-intraday-bars']);
    expect(r.candles).toHaveLength(1385);
    expect(r.candles[0]).toEqual({
      symbol: 'XAUUSD', timeframe: 'M1', openTime: DAY, open: 1310.926, high: 1311.036, low: 1310.668, close: 1310.784,
      volume: 0, quoteVolume: 0, trades: 0, takerBuyVolume: 0, takerBuyQuoteVolume: 0,
      basis: 'bid', sources: ['oanda'], closed: true, tsEvent: DAY + 59999, tsInit: DAY + 59999,
    });
    expect(r.candles[1384]).toMatchObject({ openTime: DAY + 86340000, open: 1307.625, high: 1307.638, low: 1307.169, close: 1307.326 });
  });

  it('reads the same file gzipped on the fly', async () => {
    const gz = tmp.write('20140506_xauusd_minute_quote.csv.gz', gzipSync(readFileSync(MINUTE)));
    const r = await collect(gz, opts);
    expect(r.candles).toHaveLength(1385);
    expect(r.candles[1384]!.close).toBe(1307.326);
  });

  it('needs the date: from the file name, else dateOverride', async () => {
    const p = tmp.path('xauusd_minute_quote.csv');
    copyFileSync(MINUTE, p);
    await expect(collect(p, opts)).rejects.toThrow(ImportFormatError);
    await expect(collect(p, opts)).rejects.toThrow(/dateOverride/);
    const r = await collect(p, { ...opts, dateOverride: '2014-05-06' });
    expect(r.candles[0]!.openTime).toBe(DAY);
    const other = await collect(MINUTE, { ...opts, dateOverride: '20140507' });
    expect(other.candles[0]!.openTime).toBe(DAY + 86_400_000);
  });
});

describe('OANDA hour and daily quote bars (YYYYMMDD HH:mm)', () => {
  it('gives 1,482 H1 bid candles for 2014 Q2', async () => {
    const r = await collect(HOUR, opts);
    expect([...r.formats]).toEqual(['oanda-bars']);
    expect(r.candles).toHaveLength(1482);
    expect(r.candles[0]).toMatchObject({ timeframe: 'H1', openTime: Date.UTC(2014, 3, 1), open: 1284.506, high: 1284.506, low: 1281.795, close: 1282.581 });
    expect(r.candles[1481]).toMatchObject({ openTime: Date.UTC(2014, 5, 30, 23), close: 1326.451, tsEvent: Date.UTC(2014, 6, 1) - 1 });
  });

  it('gives 1,875 D1 bid candles from 2013', async () => {
    const r = await collect(DAILY, opts);
    expect(r.candles).toHaveLength(1875);
    expect(r.candles[0]).toMatchObject({ timeframe: 'D1', openTime: Date.UTC(2013, 0, 2), open: 1673.273, close: 1687.172 });
    expect(r.candles[1874]).toMatchObject({ openTime: Date.UTC(2019, 1, 25), close: 1327.485, tsEvent: Date.UTC(2019, 1, 26) - 1 });
  });
});
