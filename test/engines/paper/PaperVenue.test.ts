import { describe, expect, it } from 'vitest';
import { RETCODE, TestClock } from '../../../src/core/index.js';
import { PaperVenue } from '../../../src/engines/paper/index.js';
import { BTC_RULES, bookPrices, order, setup, tradePrices } from './harness.js';

const quotes = bookPrices();
const trades = tradePrices();

describe('PaperVenue fills', () => {
  it('fills a buy at the ask and a sell at the bid of the current quote', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    const buy = await venue.placeOrder(order('buy', 0.5, 'k1'));
    const sell = await venue.placeOrder(order('sell', 0.5, 'k2'));
    expect(buy).toEqual({ retcode: 10009, ok: true, message: 'buy 0.5 BTCUSD at 27981.4', ticket: 'P1', price: 27981.4, volume: 0.5, fillNote: 'ask', tsEvent: 1696204800012 });
    expect(sell).toMatchObject({ retcode: 10009, ok: true, ticket: 'P2', price: 27981.3, volume: 0.5, fillNote: 'bid' });
    expect(venue.positions().map((p) => [p.ticket, p.side, p.openPrice, p.openTime])).toEqual([
      ['P1', 'buy', 27981.4, 1696204800012],
      ['P2', 'sell', 27981.3, 1696204800012],
    ]);
  });

  it('fills on a trades-only price at last ± half the configured spread and says so', async () => {
    const { venue, at } = setup();
    at(trades[0]);
    const buy = await venue.placeOrder(order('buy', 0.5, 'k1'));
    const sell = await venue.placeOrder(order('sell', 0.5, 'k2'));
    expect(buy).toMatchObject({ retcode: RETCODE.DONE, price: 87648.31, fillNote: 'last trade + half spread (0.1): no quote', tsEvent: 1767225600039 });
    expect(sell).toMatchObject({ retcode: RETCODE.DONE, price: 87648.11, fillNote: 'last trade - half spread (0.1): no quote' });
  });
});

describe('PaperVenue retcodes', () => {
  it('answers 10014 for a volume off the step, below the minimum, above the maximum or not positive', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    for (const [volume, text] of [
      [0.015, 'not a multiple of step 0.01'],
      [0.05, 'below minimum 0.1'],
      [5.01, 'above maximum 5'],
      [0, 'not positive'],
    ] as const) {
      const r = await venue.placeOrder(order('buy', volume, `v${volume}`));
      expect(r).toMatchObject({ retcode: RETCODE.INVALID_VOLUME, ok: false, ticket: null, price: null });
      expect(r.message).toContain(text);
    }
    expect((await venue.placeOrder(order('buy', 5, 'max'))).retcode).toBe(10009);
    expect(venue.positions()).toHaveLength(1);
  });

  it('answers 10016 for SL/TP on the wrong side or closer than the stop level, and accepts the exact distance', async () => {
    const { venue, at } = setup();
    at(quotes[0]); // bid 27981.3, ask 27981.4, stop level 1.00
    const cases: [ 'buy' | 'sell', number | null, number | null, string][] = [
      ['buy', 27981.5, null, 'sl 27981.5 is on the wrong side of bid 27981.3'],
      ['buy', 27980.5, null, 'sl 27980.5 is closer than the stop level (100 points = 1) to 27981.3'],
      ['buy', null, 27982.0, 'tp 27982 is closer than the stop level'],
      ['buy', null, 27980.0, 'tp 27980 is on the wrong side'],
      ['sell', 27982.0, null, 'sl 27982 is closer than the stop level (100 points = 1) to 27981.4'],
      ['sell', null, 27982.0, 'tp 27982 is on the wrong side of ask 27981.4'],
    ];
    for (const [side, sl, tp, text] of cases) {
      const r = await venue.placeOrder(order(side, 0.1, `${side}${sl}${tp}`, sl, tp));
      expect(r.retcode).toBe(RETCODE.INVALID_STOPS);
      expect(r.message).toContain(text);
    }
    expect(venue.positions()).toHaveLength(0);
    const buy = await venue.placeOrder(order('buy', 0.1, 'ok-buy', 27980.3, 27982.3));
    const sell = await venue.placeOrder(order('sell', 0.1, 'ok-sell', 27982.4, 27980.4));
    expect([buy.retcode, sell.retcode]).toEqual([10009, 10009]);
    expect(venue.positions().map((p) => [p.sl, p.tp])).toEqual([
      [27980.3, 27982.3],
      [27982.4, 27980.4],
    ]);
  });

  it('answers 10021 without a price, 10018 when the market is closed, 10013 for an unknown symbol', async () => {
    const { venue, at, setOpen } = setup();
    at(null);
    expect(await venue.placeOrder(order('buy', 0.1, 'a'))).toMatchObject({ retcode: RETCODE.NO_QUOTES, message: 'no price for BTCUSD' });
    at(quotes[0]);
    setOpen(false);
    expect(await venue.placeOrder(order('buy', 0.1, 'b'))).toMatchObject({ retcode: RETCODE.MARKET_CLOSED, ok: false });
    setOpen(true);
    expect((await venue.placeOrder({ ...order('buy', 0.1, 'c'), symbol: 'XAUUSD' })).retcode).toBe(RETCODE.INVALID);
    expect(venue.positions()).toHaveLength(0);
    expect(venue.account().balance).toBe(10000);
  });

  it('answers 10021 on a trades-only price of a symbol without a configured spread', async () => {
    const venue = new PaperVenue({ clock: new TestClock(0), rules: { BTCUSD: BTC_RULES }, balance: 1000, currency: 'USD', defaultSpread: {}, priceOf: () => trades[0] ?? null });
    expect((await venue.placeOrder(order('buy', 0.1, 'a'))).retcode).toBe(RETCODE.NO_QUOTES);
  });

  it('answers a repeated idempotency key with the first result and fills only once', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    const first = await venue.placeOrder(order('buy', 1, 'same'));
    at(quotes[1369]);
    const again = await venue.placeOrder(order('buy', 1, 'same'));
    expect(again).toBe(first);
    expect(again).toMatchObject({ ticket: 'P1', price: 27981.4 });
    expect(venue.positions()).toHaveLength(1);
    expect((await venue.placeOrder(order('buy', 1, 'other'))).ticket).toBe('P2');
  });

  it('retries a rejected key: only a filled request is remembered', async () => {
    const { venue, at } = setup();
    at(null);
    expect((await venue.placeOrder(order('buy', 1, 'k'))).retcode).toBe(RETCODE.NO_QUOTES);
    at(quotes[0]);
    expect(await venue.placeOrder(order('buy', 1, 'k'))).toMatchObject({ retcode: 10009, ticket: 'P1' });
  });
});

describe('PaperVenue modifyPosition', () => {
  it('validates new stops like an entry and answers 10013 / 10036 / 10018 / 10021 for missing, closed, closed market, no price', async () => {
    const { venue, at, setOpen } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 1, 'k'));
    expect((await venue.modifyPosition('P1', 27981.5, null)).retcode).toBe(RETCODE.INVALID_STOPS);
    expect((await venue.modifyPosition('P1', 27980.4, null)).retcode).toBe(RETCODE.INVALID_STOPS);
    expect(await venue.modifyPosition('P1', 27980.3, 27990)).toMatchObject({ retcode: 10009, ok: true, ticket: 'P1', volume: 1 });
    expect(venue.positions()[0]).toMatchObject({ sl: 27980.3, tp: 27990 });
    expect((await venue.modifyPosition('P9', 27980, null)).retcode).toBe(RETCODE.INVALID);
    setOpen(false);
    expect((await venue.modifyPosition('P1', null, null)).retcode).toBe(RETCODE.MARKET_CLOSED);
    setOpen(true);
    at(null);
    expect((await venue.modifyPosition('P1', null, null)).retcode).toBe(RETCODE.NO_QUOTES);
    at(quotes[0]);
    expect(await venue.modifyPosition('P1', null, null)).toMatchObject({ retcode: 10009 });
    expect(venue.positions()[0]).toMatchObject({ sl: null, tp: null });
    await venue.closePosition('P1', null);
    expect((await venue.modifyPosition('P1', 27980, null)).retcode).toBe(RETCODE.POSITION_CLOSED);
  });
});
