import { describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { MarketStateBook } from '../../../src/pipeline/state/MarketStateBook.js';
import { quotes2023, trades2017 } from '../../fixtures/load.js';

// First BTCUSDT spot trades (2017-08-17 04:00-08:00), received 5 ms after the venue time.
const trades: Tick[] = trades2017();

// USD-M BTCUSDT bookTicker 2023-10-02: transaction time is the venue time, event time our receive time.
const quotes: Tick[] = quotes2023(100);

describe('MarketStateBook', () => {
  it('knows nothing of a symbol before its first tick', () => {
    const book = new MarketStateBook();
    expect(book.snapshot('BTCUSD')).toEqual({ symbol: 'BTCUSD', lastTrade: null, lastQuote: null, ticks: 0 });
  });

  it('keeps the last trade of a trades-only stream and counts every tick', () => {
    const book = new MarketStateBook();
    for (const t of trades) book.apply(t);
    // Last row of the file: id 333, 4349.99 x 0.140001 at 1502956782846 (07:59:42.846), buyer was taker.
    expect(book.snapshot('BTCUSD')).toEqual({
      symbol: 'BTCUSD',
      lastTrade: { price: 4349.99, size: 0.140001, source: 'binance', tsEvent: 1502956782846, tsInit: 1502956782851 },
      lastQuote: null,
      ticks: 334,
    });
  });

  it('keeps the last quote of a quote stream', () => {
    const book = new MarketStateBook();
    for (const q of quotes) book.apply(q);
    const last = quotes[99] as Tick;
    expect(book.snapshot('BTCUSD')).toEqual({
      symbol: 'BTCUSD',
      lastTrade: null,
      lastQuote: { bid: last.bid, ask: last.ask, source: 'binance', tsEvent: last.tsEvent, tsInit: last.tsInit },
      ticks: 100,
    });
  });

  it('a quote does not erase the last trade, nor a trade the last quote', () => {
    const book = new MarketStateBook();
    const trade = trades[0] as Tick;
    const quote = quotes[0] as Tick;
    book.apply(trade);
    book.apply(quote);
    book.apply({ ...trades[1]!, tsEvent: quote.tsEvent + 1 });
    const snap = book.snapshot('BTCUSD');
    expect(snap.lastTrade).toMatchObject({ price: 4261.48, size: 1.6 });
    expect(snap.lastQuote).toMatchObject({ bid: 27981.3, ask: 27981.4, tsEvent: 1696204800012, tsInit: 1696204800018 });
    expect(snap.ticks).toBe(3);
  });

  it('a tick with both a trade and a quote updates both', () => {
    const book = new MarketStateBook();
    book.apply({ ...(quotes[0] as Tick), last: 27981.4, volume: 0.25, source: 'mt5' });
    expect(book.snapshot('BTCUSD')).toEqual({
      symbol: 'BTCUSD',
      lastTrade: { price: 27981.4, size: 0.25, source: 'mt5', tsEvent: 1696204800012, tsInit: 1696204800018 },
      lastQuote: { bid: 27981.3, ask: 27981.4, source: 'mt5', tsEvent: 1696204800012, tsInit: 1696204800018 },
      ticks: 1,
    });
  });

  it('keeps symbols apart', () => {
    const book = new MarketStateBook();
    for (const t of trades.slice(0, 10)) book.apply(t);
    book.apply({ ...(quotes[0] as Tick), symbol: 'XAUUSD', bid: 2330.1, ask: 2330.4 });
    expect(book.snapshot('BTCUSD').ticks).toBe(10);
    expect(book.snapshot('BTCUSD').lastQuote).toBeNull();
    expect(book.snapshot('XAUUSD')).toMatchObject({ ticks: 1, lastTrade: null, lastQuote: { bid: 2330.1, ask: 2330.4 } });
    expect(book.snapshot('GBPJPY').ticks).toBe(0);
  });

  it('can keep a tick under another key (per source), apart from the symbol entry', () => {
    const book = new MarketStateBook();
    book.apply(trades[0] as Tick, 'BTCUSD|binance');
    expect(book.snapshot('BTCUSD|binance')).toMatchObject({ ticks: 1, lastTrade: { price: 4261.48, size: 0.1 } });
    expect(book.snapshot('BTCUSD')).toEqual({ symbol: 'BTCUSD', lastTrade: null, lastQuote: null, ticks: 0 });
  });

  it('the last applied tick wins (arrival order, not venue time)', () => {
    const book = new MarketStateBook();
    book.apply(trades[10] as Tick);
    book.apply(trades[3] as Tick);
    expect(book.snapshot('BTCUSD').lastTrade?.tsEvent).toBe(trades[3]?.tsEvent);
  });

  it('snapshots are values: a later tick does not change an earlier snapshot', () => {
    const book = new MarketStateBook();
    book.apply(trades[0] as Tick);
    const before = book.snapshot('BTCUSD');
    book.apply(trades[3] as Tick);
    expect(before.lastTrade?.price).toBe(4261.48);
    expect(before.ticks).toBe(1);
    expect(book.snapshot('BTCUSD').lastTrade?.price).toBe(4280.56);
  });
});
