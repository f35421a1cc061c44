import { describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { readSeq, storedSeq, SyntheticSeq, tickKind } from '../../../src/store/index.js';
import { quotes2023, trades2017 } from '../../fixtures/load.js';
import { brokerQuotes } from '../fixtures.js';

describe('tick identity', () => {
  it('tickKind: trade T, quote Q, both B', () => {
    const trade = trades2017()[0]!;
    const quote = quotes2023(3)[0]!;
    expect(tickKind(trade)).toBe('T');
    expect(tickKind(quote)).toBe('Q');
    expect(tickKind({ ...trade, bid: quote.bid, ask: quote.ask })).toBe('B');
  });

  it('SyntheticSeq counts per symbol, source and time in arrival order, late ticks included', () => {
    const s = new SyntheticSeq();
    const q = brokerQuotes(13); // 7 ticks at 12:00:00, then 5 at 12:00:01, then one at 12:00:04
    expect(q.map((t) => storedSeq(t, s))).toEqual([-1, -2, -3, -4, -5, -6, -7, -1, -2, -3, -4, -5, -1]);
    // a late tick of the first second continues its count; other symbols and sources count apart
    expect(s.next('BTCUSD', 'mt5', q[0]!.tsEvent)).toBe(-8);
    expect(s.next('XAUUSD', 'mt5', q[0]!.tsEvent)).toBe(-1);
    expect(s.next('BTCUSD', 'dukascopy', q[0]!.tsEvent)).toBe(-1);
    // a tick with a venue id keeps it and counts nothing
    const venue: Tick = trades2017()[0]!;
    expect(storedSeq(venue, s)).toBe(0);
    expect(readSeq(-3)).toBeNull();
    expect(readSeq(0)).toBe(0);
    expect(readSeq(3800397495)).toBe(3800397495);
  });

  it('rollback takes back every id handed out since begin', () => {
    const s = new SyntheticSeq();
    expect(s.next('BTCUSD', 'mt5', 1000)).toBe(-1);
    s.begin();
    expect(s.next('BTCUSD', 'mt5', 1000)).toBe(-2);
    expect(s.next('BTCUSD', 'mt5', 2000)).toBe(-1);
    s.rollback();
    expect(s.next('BTCUSD', 'mt5', 1000)).toBe(-2);
    expect(s.next('BTCUSD', 'mt5', 2000)).toBe(-1);
    s.begin();
    expect(s.next('BTCUSD', 'mt5', 2000)).toBe(-2);
    s.commit();
    s.rollback(); // nothing to undo after commit
    expect(s.next('BTCUSD', 'mt5', 2000)).toBe(-3);
  });

  it('remembers the last 1024 times of a stream', () => {
    const s = new SyntheticSeq();
    for (let ts = 0; ts < 1025; ts++) expect(s.next('BTCUSD', 'mt5', ts)).toBe(-1);
    expect(s.next('BTCUSD', 'mt5', 1)).toBe(-2); // still remembered
    expect(s.next('BTCUSD', 'mt5', 0)).toBe(-1); // forgotten: the oldest time was evicted
  });
});
