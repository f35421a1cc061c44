/** Real recorded ticks for the buffer and access-layer tests, as BTCUSD ticks. */
import { createHash } from 'node:crypto';
import type { Tick } from '../../../src/core/index.js';
import { AGG_TRADES_2026, fixtureRows, quotes2023, trades2017 } from '../../fixtures/load.js';

/**
 * The 5000 BTCUSDT spot aggTrades of 2026-01-01 00:00-00:12 UTC
 * (agg id, price, qty, first id, last id, time in µs, buyer is maker, best
 * match) as BTCUSD trade ticks, venue time floored to the millisecond,
 * received 7 ms later.
 */
export function aggTrades2026(): Tick[] {
  return fixtureRows(AGG_TRADES_2026).map((c) => {
    const ts = Math.floor(Number(c[5]) / 1000);
    return {
      symbol: 'BTCUSD',
      source: 'binance',
      tsEvent: ts,
      tsInit: ts + 7,
      bid: null,
      ask: null,
      last: Number(c[1]),
      volume: Number(c[2]),
      trades: Number(c[4]) - Number(c[3]) + 1,
      takerSide: c[6] === 'True' ? 'sell' : 'buy',
      seq: Number(c[0]),
      offset: 0,
    } satisfies Tick;
  });
}

/** The USD-M bookTicker quotes of 2023-10-02 sorted as unified_ticks orders them (time, then update id). */
export function quotesSorted(): Tick[] {
  return [...quotes2023()].sort((a, b) => a.tsEvent - b.tsEvent || (a.seq as number) - (b.seq as number));
}

export { trades2017 };

/** SHA-256 over every field of every tick, in order. */
export function checksum(ticks: readonly Tick[]): string {
  const h = createHash('sha256');
  for (const t of ticks) h.update(`${t.symbol},${t.source},${t.tsEvent},${t.tsInit},${t.bid},${t.ask},${t.last},${t.volume},${t.trades},${t.takerSide},${t.seq},${t.offset}\n`);
  return h.digest('hex');
}
