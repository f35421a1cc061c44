import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, fixture, iso, tempDir } from './collect.js';

const TICKS = fixture('dukascopy', 'dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv');
const BARS = fixture('dukascopy', 'dukascopy_btcusd_h1_bid_2023-02_decoded.csv');
const opts = { source: 'dukascopy', symbol: 'BTCUSD', onError: 'stop' } as const;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('Dukascopy decoded ticks', () => {
  it('gives 8,523 quote ticks with exact first/last bid and ask', async () => {
    const r = await collect(TICKS, opts);
    expect([...r.formats]).toEqual(['dukascopy-ticks']);
    expect(r.ticks).toHaveLength(8523);
    expect(r.ticks[0]).toEqual({
      symbol: 'BTCUSD', source: 'dukascopy', tsEvent: 1676894400084, tsInit: 1676894400084,
      bid: 24849.4, ask: 24921.5, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0,
    });
    expect(iso(r.ticks[8522]!.tsEvent)).toBe('2023-02-20T12:59:58.781Z');
    expect(r.ticks[8522]).toMatchObject({ bid: 24784.7, ask: 24856.4 });
    // the bid ticks rebuild Dukascopy's own 12:00 H1 bid candle (SOURCES.md section 5)
    const bids = r.ticks.map((t) => t.bid!);
    expect([bids[0], Math.max(...bids), Math.min(...bids), bids.at(-1)]).toEqual([24849.4, 24880.0, 24693.6, 24784.7]);
  });

  it('reads the file without its header by column count', async () => {
    const body = readFileSync(TICKS, 'utf8').split('\n').slice(1, 11).join('\n');
    const r = await collect(tmp.write('noheader.csv', body), opts);
    expect([...r.formats]).toEqual(['dukascopy-ticks']);
    expect(r.ticks).toHaveLength(10);
    expect(r.ticks[0]).toMatchObject({ tsEvent: 1676894400084, bid: 24849.4, ask: 24921.5 });
  });
});

describe('Dukascopy decoded H1 bid candles', () => {
  it('gives 672 closed H1 bid candles; the 2023-02-20 12:00 one matches the ticks', async () => {
    const r = await collect(BARS, opts);
    expect([...r.formats]).toEqual(['dukascopy-bars']);
    expect(r.candles).toHaveLength(672);
    expect(r.candles[0]).toEqual({
      symbol: 'BTCUSD', timeframe: 'H1', openTime: Date.UTC(2023, 1, 1), open: 23096.4, high: 23130.4, low: 22969.7, close: 23047.0,
      volume: 0.011541, quoteVolume: 0, trades: 0, takerBuyVolume: 0, takerBuyQuoteVolume: 0,
      basis: 'bid', sources: ['dukascopy'], closed: true, tsEvent: Date.UTC(2023, 1, 1, 1) - 1, tsInit: Date.UTC(2023, 1, 1, 1) - 1,
    });
    expect(r.candles[671]).toMatchObject({ openTime: Date.UTC(2023, 1, 28, 23), close: 23102.6, volume: 0.002628 });
    const noon = r.candles.find((c) => c.openTime === Date.UTC(2023, 1, 20, 12));
    expect(noon).toMatchObject({ open: 24849.4, high: 24880.0, low: 24693.6, close: 24784.7 });
  });
});
