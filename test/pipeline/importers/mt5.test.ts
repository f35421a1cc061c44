import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportFormatError } from '../../../src/pipeline/importers/index.js';
import { collect, fixture, iso, tempDir } from './collect.js';

const BTC_H1 = fixture('mt5', 'BTCUSD_H1_from_2024-01-01.csv');
const XAU_D1 = fixture('mt5', 'XAUUSD_D1_from_2023-05-16.csv');
const TERMINAL_BARS = fixture('mt5', 'BTCUSD_H1_202403180000_202403180500.csv');
const TERMINAL_TICKS = fixture('mt5', 'XAUUSD_202403190000_202403190001.csv');
const opts = { source: 'mt5', symbol: 'BTCUSD', onError: 'stop', serverOffset: 'eet' } as const;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('MT5 bars from the Python package (pandas index column)', () => {
  it("maps server time to UTC with 'eet': +2 before the US DST switch, +3 after", async () => {
    const r = await collect(BTC_H1, opts);
    expect([...r.formats]).toEqual(['mt5-bars']);
    expect(r.errors).toEqual([]);
    const at = (utc: string) => r.candles.find((c) => iso(c.openTime) === utc);
    // '2024-03-08 12:00:00' server
    expect(at('2024-03-08T10:00:00.000Z')).toMatchObject({ open: 67221.65, high: 67505.64, low: 67174.2, close: 67432.9, volume: 5934, trades: 5934 });
    // '2024-03-11 12:00:00' server
    expect(at('2024-03-11T09:00:00.000Z')).toMatchObject({ open: 71194.51, close: 71762.38, volume: 12285 });
    expect(r.candles[0]).toEqual({
      symbol: 'BTCUSD', timeframe: 'H1', openTime: Date.UTC(2023, 11, 31, 22), open: 42399.15, high: 42549.15, low: 42004.56, close: 42232.98,
      volume: 3918, quoteVolume: 0, trades: 3918, takerBuyVolume: 0, takerBuyQuoteVolume: 0,
      basis: 'bid', sources: ['mt5'], closed: true, tsEvent: Date.UTC(2023, 11, 31, 23) - 1, tsInit: Date.UTC(2023, 11, 31, 23) - 1,
    });
    expect(iso(r.candles.at(-1)!.openTime)).toBe('2024-03-19T00:00:00.000Z'); // '2024-03-19 03:00:00' at +3
  });

  it('merges the two server hours that share one UTC hour at the spring switch', async () => {
    const r = await collect(BTC_H1, opts);
    expect(r.candles).toHaveLength(1862); // 1863 rows
    const i = r.candles.findIndex((c) => iso(c.openTime) === '2024-03-10T07:00:00.000Z');
    // server 09:00 (146 ticks, the clock jumped a few minutes in) + server 10:00
    expect(r.candles[i]).toMatchObject({ open: 69465.68, high: 69575.73, low: 69413.29, close: 69486.3, volume: 1769, trades: 1769 });
    expect(iso(r.candles[i - 1]!.openTime)).toBe('2024-03-10T06:00:00.000Z'); // server 08:00 at +2
    expect(iso(r.candles[i + 1]!.openTime)).toBe('2024-03-10T08:00:00.000Z'); // server 11:00 at +3
  });

  it('uses a fixed offset when given a number', async () => {
    const r = await collect(BTC_H1, { ...opts, serverOffset: 2 });
    expect(r.candles).toHaveLength(1863);
    expect(r.candles.some((c) => iso(c.openTime) === '2024-03-11T10:00:00.000Z' && c.open === 71194.51)).toBe(true);
  });

  it('refuses to guess the server clock', async () => {
    const { serverOffset: _omit, ...noOffset } = opts;
    await expect(collect(BTC_H1, noOffset)).rejects.toThrow(ImportFormatError);
    await expect(collect(BTC_H1, noOffset)).rejects.toThrow(/serverOffset/);
  });
});

describe('MT5 bars without the index column (time,open,high,low,close,tick_volume)', () => {
  it('gives 775 D1 candles; dates are server midnights', async () => {
    const r = await collect(XAU_D1, { ...opts, symbol: 'XAUUSD' });
    expect([...r.formats]).toEqual(['mt5-bars']);
    expect(r.candles).toHaveLength(775);
    // '2023-05-16' server midnight during US DST = 21:00 UTC the day before
    expect(r.candles[0]).toMatchObject({ timeframe: 'D1', openTime: Date.UTC(2023, 4, 15, 21), open: 2015.69, close: 1988.98, volume: 79176 });
    expect(r.candles[774]).toMatchObject({ openTime: Date.UTC(2026, 4, 14, 21), close: 4649.94, volume: 13726 });
  });

  it('reads the rows without any header', async () => {
    const body = readFileSync(XAU_D1, 'utf8').split('\n').slice(1, 4).join('\n');
    const r = await collect(tmp.write('XAUUSD_D1_noheader.csv', body), { ...opts, serverOffset: 0 });
    expect(r.candles.map((c) => c.openTime)).toEqual([Date.UTC(2023, 4, 16), Date.UTC(2023, 4, 17), Date.UTC(2023, 4, 18)]);
  });
});

describe('MT5 terminal bar export (tab-separated, <DATE> <TIME> ...)', () => {
  it('gives the same candles as the Python export of those hours', async () => {
    const r = await collect(TERMINAL_BARS, opts);
    expect([...r.formats]).toEqual(['mt5-terminal-bars']);
    expect(r.candles).toHaveLength(6);
    const py = (await collect(BTC_H1, opts)).candles;
    const from = py.findIndex((c) => c.openTime === r.candles[0]!.openTime);
    expect(iso(r.candles[0]!.openTime)).toBe('2024-03-17T21:00:00.000Z');
    expect(r.candles).toEqual(py.slice(from, from + 6));
  });
});

describe('MT5 terminal tick export (hand-written fixture, see test/fixtures/mt5/README.md)', () => {
  it('carries an empty bid/ask cell forward from the previous tick', async () => {
    const r = await collect(TERMINAL_TICKS, { ...opts, symbol: 'XAUUSD' });
    expect([...r.formats]).toEqual(['mt5-terminal-ticks']);
    expect(r.errors).toEqual([]);
    expect(r.ticks.map((t) => [iso(t.tsEvent), t.bid, t.ask])).toEqual([
      ['2024-03-18T21:00:00.123Z', 2160.12, 2160.45],
      ['2024-03-18T21:00:00.480Z', 2160.15, 2160.45],
      ['2024-03-18T21:00:01.002Z', 2160.15, 2160.5],
      ['2024-03-18T21:00:01.750Z', 2160.18, 2160.49],
      ['2024-03-18T21:00:02.311Z', 2160.1, 2160.49],
      ['2024-03-18T21:00:03.054Z', 2160.1, 2160.41],
      ['2024-03-18T21:00:05.900Z', 2160.21, 2160.52],
      ['2024-03-18T21:00:07.017Z', 2160.24, 2160.52],
    ]);
    expect(r.ticks[0]).toMatchObject({ source: 'mt5', last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0 });
  });

  it('makes trade ticks from LAST, rejects a side never seen and a crossed book', async () => {
    const text = [
      '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>',
      '2024.03.19\t00:00:00.100\t67400.5\t\t\t\t2',
      '2024.03.19\t00:00:00.200\t\t67410.5\t\t\t4',
      '2024.03.19\t00:00:00.300\t\t\t67405\t0.25\t56',
      '2024.03.19\t00:00:00.400\t67420\t\t\t\t2',
    ].join('\n');
    const r = await collect(tmp.write('BTCUSD_ticks.csv', text), { ...opts, onError: 'skip', serverOffset: 3 });
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'ask not known yet (empty cell and no earlier value)'],
      [5, 'crossed book: bid 67420 > ask 67410.5'],
    ]);
    expect(r.ticks).toHaveLength(2);
    expect(r.ticks[1]).toMatchObject({ last: 67405, volume: 0.25, trades: 1, takerSide: 'buy', bid: 67400.5, ask: 67410.5, tsEvent: Date.UTC(2024, 2, 18, 21, 0, 0, 300) });
  });
});
