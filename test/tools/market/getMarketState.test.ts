import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import { getMarketState } from '../../../src/tools/index.js';
import { quotes2023, trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

const VALID = 'valid symbols: BTCUSD, XAUUSD, GBPJPY';

describe('get_market_state over a pipeline fed the first BTCUSDT trades (trades only)', () => {
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(() => parts.close());

  it('answers the last trade, no quote (with the reason), its age and the feed health', async () => {
    const out = await callTool(getMarketState, { symbol: 'BTCUSD' }, parts.ctx);
    // Last trade id 333: 4349.99 x 0.140001 at 07:59:42.846, received 5 ms later; now = that + 1 s.
    expect(out).toEqual({
      symbol: 'BTCUSD',
      bid: null,
      ask: null,
      mid: null,
      spread: null,
      quoteNote:
        'no quote source is live for this symbol: the feed delivers trades only (Binance publishes no spot bookTicker archive, and no MT5 bridge is connected)',
      last: { price: 4349.99, size: 0.140001, time: '2017-08-17T07:59:42.846Z', source: 'binance' },
      asOf: '2017-08-17T07:59:42.846Z',
      ageMs: 1_000,
      sources: [{ source: 'binance', feed: 'binance-spot', state: 'replaying', lastMessageAgeMs: 1_000, droppedFrames: 2, reconnects: 0, active: true }],
      gaps: { open: [], filled: 0, unfillable: [] },
    });
    expect(parts.clock.now()).toBe(1502956782851 + 1_000);
  });

  it('ages with the clock', async () => {
    parts.clock.advance(4_000);
    const out = await callTool(getMarketState, { symbol: 'BTCUSD' }, parts.ctx);
    expect(out.ageMs).toBe(5_000);
    expect(out.asOf).toBe('2017-08-17T07:59:42.846Z');
  });

  it.each(['btcusd', 'BtcUsd', ' btcusd '])('accepts the symbol case-insensitively: %j', async (symbol) => {
    const out = await callTool(getMarketState, { symbol }, parts.ctx);
    expect(out.symbol).toBe('BTCUSD');
    expect(out.last).toMatchObject({ price: 4349.99 });
  });

  it('a configured symbol without data says so', async () => {
    const out = await callTool(getMarketState, { symbol: 'XAUUSD' }, parts.ctx);
    expect(out).toEqual({
      symbol: 'XAUUSD',
      bid: null,
      ask: null,
      mid: null,
      spread: null,
      quoteNote: 'no data received for this symbol yet',
      last: null,
      asOf: null,
      ageMs: null,
      sources: [],
      gaps: { open: [], filled: 0, unfillable: [] },
    });
  });

  it('an unknown symbol fails with the list of valid symbols', async () => {
    const call = () => callTool(getMarketState, { symbol: 'ETHUSD' }, parts.ctx);
    await expect(call()).rejects.toThrow(InvalidRequestError);
    await expect(call()).rejects.toThrow(`unknown symbol "ETHUSD"; ${VALID}`);
  });

  it('rejects input outside the schema before the handler runs', () => {
    expect(() => getMarketState.input.parse({})).toThrow();
    expect(() => getMarketState.input.parse({ symbol: '' })).toThrow();
    expect(() => getMarketState.input.parse({ symbol: 'X'.repeat(21) })).toThrow();
  });
});

describe('get_market_state over a pipeline fed USD-M BTCUSDT bookTicker quotes (2023-10-02)', () => {
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(quotes2023(100), { settleMs: 250 });
  });
  afterAll(() => parts.close());

  it('answers bid, ask, mid and spread of the last quote; no trade', async () => {
    const out = await callTool(getMarketState, { symbol: 'BTCUSD' }, parts.ctx);
    // Row 100: update 3319368639623, bid 27984.0, ask 27984.7, transaction 1696204804697, event 1696204807195.
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      bid: 27984,
      ask: 27984.7,
      mid: (27984 + 27984.7) / 2,
      spread: 0.7, // ask - bid rounded to 8 decimals (not 0.7000000000007276)
      quoteNote: null,
      last: null,
      asOf: '2023-10-02T00:00:04.697Z',
      ageMs: 250,
    });
    expect(out.mid).toBe(27984.35);
    expect(out.spread).toBeCloseTo(0.7, 9);
  });

  it('a trade after the quote keeps the quote and adds the trade; asOf is the newest venue time', async () => {
    const extra = await realParts(quotes2023(100), {
      settleMs: 100,
      extra: [
        {
          symbol: 'BTCUSD',
          source: 'binance',
          tsEvent: 1696204804800,
          tsInit: 1696204807300,
          bid: null,
          ask: null,
          last: 27984.7,
          volume: 0.05,
          trades: 1,
          takerSide: 'buy',
          seq: null,
          offset: 0,
        },
      ],
    });
    try {
      const out = await callTool(getMarketState, { symbol: 'btcusd' }, extra.ctx);
      expect(out).toMatchObject({
        bid: 27984,
        ask: 27984.7,
        quoteNote: null,
        last: { price: 27984.7, size: 0.05, time: '2023-10-02T00:00:04.800Z', source: 'binance' },
        asOf: '2023-10-02T00:00:04.800Z',
        ageMs: 100,
      });
    } finally {
      await extra.close();
    }
  });
});
