import { describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { validateTick } from '../../../src/pipeline/filters/validateTick.js';
import { quotes2023, trades2017 } from '../../fixtures/load.js';

/** Spot `trades` archive rows (id, price, qty, quote_qty, time, is_buyer_maker, is_best_match) as BTCUSD ticks. */
const trades: Tick[] = trades2017();

/** USD-M bookTicker archive rows (update_id, bid, bid_qty, ask, ask_qty, transaction_time, event_time) as quote ticks. */
const quotes: Tick[] = quotes2023();

const TRADE = trades[0] as Tick; // 4261.48 x 0.1 at 2017-08-17 04:00:28.322
const QUOTE = quotes[0] as Tick; // 27981.3 / 27981.4 at 2023-10-02 00:00:00.012

describe('validateTick on real recorded data', () => {
  it('accepts every one of the 334 first BTCUSDT spot trades', () => {
    expect(trades).toHaveLength(334);
    expect(trades.map(validateTick).filter((r) => r !== null)).toEqual([]);
  });

  it('accepts every one of the 9999 USD-M bookTicker quotes (none crossed)', () => {
    expect(quotes).toHaveLength(9999);
    expect(quotes.map(validateTick).filter((r) => r !== null)).toEqual([]);
  });

  it('accepts a tick carrying both a trade and a quote, and a locked book (bid = ask)', () => {
    expect(validateTick({ ...QUOTE, last: 27981.3, volume: 0.5 })).toBeNull();
    expect(validateTick({ ...QUOTE, ask: 27981.3 })).toBeNull();
  });

  it('accepts a zero-size trade (size 0 is not negative)', () => {
    expect(validateTick({ ...TRADE, volume: 0 })).toBeNull();
  });
});

describe('validateTick rejects broken ticks with a reason', () => {
  const cases: [string, Tick, string][] = [
    ['crossed book (bid above ask)', { ...QUOTE, bid: 27981.5, ask: 27981.4 }, 'crossed book'],
    ['NaN trade price', { ...TRADE, last: Number.NaN }, 'non-positive or non-finite trade price'],
    ['Infinity trade price', { ...TRADE, last: Number.POSITIVE_INFINITY }, 'non-positive or non-finite trade price'],
    ['zero trade price', { ...TRADE, last: 0 }, 'non-positive or non-finite trade price'],
    ['negative trade price', { ...TRADE, last: -4261.48 }, 'non-positive or non-finite trade price'],
    ['negative size', { ...TRADE, volume: -0.1 }, 'negative or non-finite size'],
    ['NaN size', { ...TRADE, volume: Number.NaN }, 'negative or non-finite size'],
    ['infinite size', { ...TRADE, volume: Number.POSITIVE_INFINITY }, 'negative or non-finite size'],
    ['NaN bid', { ...QUOTE, bid: Number.NaN }, 'non-positive or non-finite quote'],
    ['infinite ask', { ...QUOTE, ask: Number.POSITIVE_INFINITY }, 'non-positive or non-finite quote'],
    ['zero bid', { ...QUOTE, bid: 0 }, 'non-positive or non-finite quote'],
    ['negative ask', { ...QUOTE, ask: -1 }, 'non-positive or non-finite quote'],
    ['bid without ask', { ...QUOTE, ask: null }, 'one-sided quote'],
    ['ask without bid', { ...QUOTE, bid: null }, 'one-sided quote'],
    ['neither trade nor quote', { ...QUOTE, bid: null, ask: null }, 'empty tick'],
    ['NaN tsEvent', { ...TRADE, tsEvent: Number.NaN }, 'invalid tsEvent'],
    ['zero tsEvent', { ...TRADE, tsEvent: 0 }, 'invalid tsEvent'],
    ['negative tsEvent', { ...TRADE, tsEvent: -1 }, 'invalid tsEvent'],
  ];
  it.each(cases)('%s', (_name, tick, reason) => {
    expect(validateTick(tick)).toBe(reason);
  });

  it('checks in a fixed order: time, trade price, size, quote shape, quote values, crossing', () => {
    expect(validateTick({ ...TRADE, tsEvent: Number.NaN, last: Number.NaN, volume: -1 })).toBe('invalid tsEvent');
    expect(validateTick({ ...TRADE, last: Number.NaN, volume: -1 })).toBe('non-positive or non-finite trade price');
    expect(validateTick({ ...QUOTE, volume: -1, bid: 5, ask: 4 })).toBe('negative or non-finite size');
    expect(validateTick({ ...QUOTE, bid: Number.NaN, ask: 1 })).toBe('non-positive or non-finite quote');
  });

  it('is pure: the tick is not changed', () => {
    const tick = Object.freeze({ ...QUOTE, bid: 27981.5 });
    expect(validateTick(tick)).toBe('crossed book');
    expect(tick.bid).toBe(27981.5);
  });
});
