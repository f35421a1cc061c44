import { describe, expect, it } from 'vitest';
import { RETCODE } from '../../../src/core/index.js';
import type { PaperPrice, PaperVenue } from '../../../src/engines/paper/index.js';
import { bookPrices, order, setup, tradePrices } from './harness.js';

const quotes = bookPrices();
const trades = tradePrices();

/** Feeds every price in order, letting the venue check its stops on each; answers [index, ticket, price] of each trigger. */
function walk(venue: PaperVenue, at: (p: PaperPrice | undefined) => void, prices: PaperPrice[]): [number, string | null, number | null][] {
  const hits: [number, string | null, number | null][] = [];
  prices.forEach((p, i) => {
    at(p);
    for (const r of venue.onPrice('BTCUSD')) hits.push([i, r.ticket, r.price]);
  });
  return hits;
}

describe('PaperVenue close, P/L and hedging', () => {
  it('realises P/L on a partial then a full close and keeps equity = balance + floating', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 1, 'k')); // at ask 27981.4
    at(quotes[1369]); // bid 27990.7, ask 27990.8
    expect(venue.account()).toEqual({ currency: 'USD', balance: 10000, equity: 10009.3, floating: 9.3, tsEvent: 1696204808272 });
    expect(await venue.closePosition('P1', 0.4)).toMatchObject({ retcode: 10009, ticket: 'P1', price: 27990.7, volume: 0.4, fillNote: 'bid', message: 'close 0.4 of P1 at 27990.7, profit 3.72, 0.6 left' });
    expect(venue.positions()[0]).toMatchObject({ ticket: 'P1', volume: 0.6, profit: 5.58 });
    expect(venue.account()).toMatchObject({ balance: 10003.72, equity: 10009.3, floating: 5.58 });
    expect(await venue.closePosition('P1', null)).toMatchObject({ retcode: 10009, price: 27990.7, volume: 0.6 });
    expect(venue.account()).toMatchObject({ balance: 10009.3, equity: 10009.3, floating: 0 });
    expect(venue.positions()).toEqual([]);
    expect(venue.deals().map((d) => [d.ticket, d.volume, d.closePrice, d.profit, d.reason])).toEqual([
      ['P1', 0.4, 27990.7, 3.72, 'close'],
      ['P1', 0.6, 27990.7, 5.58, 'close'],
    ]);
    expect((await venue.closePosition('P1', null)).retcode).toBe(RETCODE.POSITION_CLOSED);
    expect((await venue.closePosition('P7', null)).retcode).toBe(RETCODE.INVALID);
  });

  it('answers 10014 for a close volume off the step, above the position, or leaving less than the minimum', async () => {
    const { venue, at, setOpen } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('sell', 1, 'k'));
    expect((await venue.closePosition('P1', 0.333)).message).toContain('not a multiple of step 0.01');
    expect((await venue.closePosition('P1', 1.5)).message).toBe('volume 1.5 exceeds position volume 1');
    expect((await venue.closePosition('P1', 0.95)).message).toBe('remaining volume 0.05 below minimum 0.1');
    expect((await venue.closePosition('P1', 0.05)).retcode).toBe(RETCODE.INVALID_VOLUME);
    setOpen(false);
    expect((await venue.closePosition('P1', null)).retcode).toBe(RETCODE.MARKET_CLOSED);
    setOpen(true);
    at(quotes[999]); // bid 27986.3, ask 27986.4: the sell loses 5.1 per lot
    expect(await venue.closePosition('P1', 0.9)).toMatchObject({ retcode: 10009, price: 27986.4, volume: 0.9, fillNote: 'ask' });
    expect(venue.account()).toMatchObject({ balance: 9995.41, floating: -0.51, equity: 9994.9 });
  });

  it('keeps an opposite position on the same symbol as a separate ticket (hedging)', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 0.5, 'b'));
    await venue.placeOrder(order('sell', 0.5, 's'));
    expect(venue.positions().map((p) => [p.ticket, p.side, p.volume, p.profit])).toEqual([
      ['P1', 'buy', 0.5, -0.05],
      ['P2', 'sell', 0.5, -0.05],
    ]);
    at(quotes[1369]);
    expect(venue.positions().map((p) => p.profit)).toEqual([4.65, -4.75]);
    expect(venue.account()).toMatchObject({ floating: -0.1, equity: 9999.9 });
    await venue.closePosition('P2', null);
    expect(venue.positions().map((p) => p.ticket)).toEqual(['P1']);
    expect(venue.account()).toMatchObject({ balance: 9995.25, floating: 4.65, equity: 9999.9 });
  });

  it('values floating P/L at the bid for buys and the ask for sells as the price moves, keeping the last price when none arrives', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 2, 'k'));
    at(quotes[999]); // bid 27986.3
    expect(venue.account()).toMatchObject({ balance: 10000, floating: 9.8, equity: 10009.8 });
    at(quotes[9998]); // bid 27969.8
    expect(venue.account()).toMatchObject({ floating: -23.2, equity: 9976.8 });
    at(null);
    expect(venue.account()).toMatchObject({ floating: -23.2, equity: 9976.8 });
    expect(venue.positions()[0]?.profit).toBe(-23.2);
  });
});

describe('PaperVenue stops at the venue', () => {
  it('closes at the touching price when an SL is hit (buy: bid ≤ SL, sell: ask ≥ SL)', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 1, 'b', 27978.0)); // P1 at 27981.4
    await venue.placeOrder(order('sell', 1, 's', 27990.0)); // P2 at 27981.3
    expect(walk(venue, at, quotes)).toEqual([
      [240, 'P2', 27991.0], // first ask ≥ 27990: 27991.0 (gapped through)
      [404, 'P1', 27978.0], // first bid ≤ 27978
    ]);
    expect(venue.deals().map((d) => [d.ticket, d.reason, d.profit, d.tsEvent])).toEqual([
      ['P2', 'sl', -9.7, quotes[240]?.tsEvent],
      ['P1', 'sl', -3.4, quotes[404]?.tsEvent],
    ]);
    expect(venue.account()).toMatchObject({ balance: 9986.9, equity: 9986.9, floating: 0 });
    expect(venue.positions()).toEqual([]);
  });

  it('closes at the touching price when a TP is hit (buy: bid ≥ TP, sell: ask ≤ TP)', async () => {
    const { venue, at } = setup();
    at(quotes[0]);
    await venue.placeOrder(order('buy', 1, 'b', 27970.0, 27990.0));
    await venue.placeOrder(order('sell', 1, 's', 27995.0, 27978.0));
    expect(walk(venue, at, quotes)).toEqual([
      [1369, 'P1', 27990.7],
      [7936, 'P2', 27976.7],
    ]);
    expect(venue.deals().map((d) => [d.reason, d.profit])).toEqual([
      ['tp', 9.3],
      ['tp', 4.6],
    ]);
    expect(venue.account().balance).toBe(10013.9);
  });

  it('triggers a modified SL, and on a trades-only stream at last ∓ half spread', async () => {
    const { venue, at } = setup();
    at(trades[0]); // last 87648.21 → buys fill at 87648.31
    await venue.placeOrder(order('buy', 0.5, 'a'));
    await venue.placeOrder(order('buy', 1, 'b', null, 87700.0));
    expect((await venue.modifyPosition('P1', 87640.0, null)).retcode).toBe(10009);
    const hits: [number, string | null, number | null, string | null][] = [];
    trades.forEach((p, i) => {
      at(p);
      for (const r of venue.onPrice('BTCUSD')) hits.push([i, r.ticket, r.price, r.fillNote]);
    });
    expect(hits).toEqual([
      [146, 'P1', 87639.91, 'last trade - half spread (0.1): no quote'], // last 87640.01
      [1439, 'P2', 87700.44, 'last trade - half spread (0.1): no quote'], // last 87700.54
    ]);
    expect(venue.deals().map((d) => [d.reason, d.profit])).toEqual([
      ['sl', -4.2],
      ['tp', 52.13],
    ]);
    expect(venue.account().balance).toBe(10047.93);
    expect(venue.onPrice('XAUUSD')).toEqual([]);
  });
});
