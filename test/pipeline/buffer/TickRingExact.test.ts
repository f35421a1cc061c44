import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, SymbolRing, TickChunk, TickRing, type ChunkPool } from '../../../src/pipeline/buffer/index.js';
import type { Tick } from '../../../src/core/index.js';
import { mapWireTick, type WireTick } from '../../../src/pipeline/feeds/mt5/mapping.js';
import { TICK_FLAG } from '../../../src/pipeline/feeds/mt5/schema.js';
import { dukascopyQuotes } from '../../fixtures/load.js';
import { aggTrades2026, checksum, quotesSorted } from './recorded.js';

const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;
const { BID, ASK, LAST, BUY, SELL } = TICK_FLAG;
const quotes = dukascopyQuotes(); // 8523 real BTCUSD quotes of 2023-02-20 12:00-13:00 UTC: [ms, bid, ask]

/**
 * The Dukascopy quotes as MT5 ticks through the real bridge mapping: every
 * fifth a trade at the ask flagged with the quote (bid, ask and last all
 * set), every fifth a bare trade at the bid, the rest quotes.
 */
function mt5Ticks(): Tick[] {
  return quotes.map(([ts, bid, ask], i) => {
    const kind = i % 5;
    const w: WireTick = {
      tmsc: ts,
      bid,
      ask,
      last: kind === 0 ? ask : kind === 1 ? bid : 0,
      vol: kind < 2 ? 0.001 * (1 + (i % 7)) : 0,
      flags: kind === 0 ? BID | ASK | LAST | BUY : kind === 1 ? LAST | SELL : kind === 2 ? BID : kind === 3 ? ASK : BID | ASK,
    };
    const t = mapWireTick('BTCUSD', ts, w, ts + 15 + (i % 3));
    if (typeof t === 'string') throw new Error(`row ${i}: ${t}`);
    return t;
  });
}

/** The same quotes as one-sided and odd-shaped ticks of an imported source: bid only, ask only, bid + last, ask + last, no price. */
function oneSided(): Tick[] {
  return quotes.map(([ts, bid, ask], i) => {
    const kind = i % 6;
    return {
      symbol: 'BTCUSD',
      source: 'dukascopy',
      tsEvent: ts,
      tsInit: i % 97 === 0 ? ts + 40 * 86_400_000 : ts + 2,
      bid: kind === 0 || kind === 2 || kind === 5 ? bid : null,
      ask: kind === 1 || kind === 3 || kind === 5 ? ask : null,
      last: kind === 2 ? bid + 0.5 : kind === 3 ? ask - 0.5 : kind === 5 && i % 4 === 1 ? (bid + ask) / 2 : null,
      volume: kind === 4 ? 0 : 1.48,
      trades: kind === 4 ? 0 : 1,
      takerSide: null,
      seq: i % 2 === 0 ? i : null,
      offset: i % 3 === 0 ? -0.75 : 0,
    } satisfies Tick;
  });
}

describe('TickRing packed columns (two price slots, seq deltas)', () => {
  it('gives back real MT5 ticks exactly: trades, quotes, and trades flagged with their quote (bid, ask and last)', () => {
    const ticks = mt5Ticks();
    const shapes = (ts: readonly Tick[], b: boolean, a: boolean, l: boolean) => ts.filter((t) => (t.bid !== null) === b && (t.ask !== null) === a && (t.last !== null) === l).length;
    expect(ticks).toHaveLength(8523);
    expect([shapes(ticks, true, true, true), shapes(ticks, false, false, true), shapes(ticks, true, true, false)]).toEqual([1705, 1705, 5113]);
    expect(ticks[0]).toEqual({ symbol: 'BTCUSD', source: 'mt5', tsEvent: 1676894400084, tsInit: 1676894400099, bid: 24849.4, ask: 24921.5, last: 24921.5, volume: 0.001, trades: 0, takerSide: 'buy', seq: null, offset: 0 });
    const ring = new TickRing();
    for (const t of ticks) expect(ring.add(t)).toBe(true);
    const back = ring.ticks('BTCUSD', ...ALL, 10_000);
    expect(back).toEqual(ticks);
    expect(checksum(back)).toBe(checksum(ticks));
    expect(ring.status()).toMatchObject({ ticks: 8523, bytes: 3 * CHUNK_BYTES });
  });

  it('keeps one-sided and three-price ticks exact through out-of-order inserts across chunks and eviction', () => {
    const mt5 = mt5Ticks().map((t, i) => ({ ...t, tsEvent: t.tsEvent - 45, tsInit: i % 11 === 0 ? 0.5 : t.tsInit }));
    const other = oneSided();
    // MT5 45 ms behind (its first tick opens the window): each lands before ticks already held
    const arrival: Tick[] = [mt5[0] as Tick, other[0] as Tick];
    for (let i = 1; i < other.length; i++) arrival.push(other[i] as Tick, mt5[i] as Tick);
    const full = new TickRing();
    for (const t of arrival) expect(full.add(t)).toBe(true);
    const sorted = [...arrival].sort((a, b) => a.tsEvent - b.tsEvent);
    const back = full.ticks('BTCUSD', ...ALL, 20_000);
    expect(back).toHaveLength(2 * 8523);
    expect(back).toEqual(sorted);
    expect(checksum(back)).toBe(checksum(sorted));
    expect(full.ticks('BTCUSD', ...ALL, 20_000, 'dukascopy')).toEqual(other);

    const windowed = new TickRing({ windowMs: 20 * 60_000 });
    for (const t of arrival) windowed.add(t);
    const cut = windowed.coveredFrom('BTCUSD') as number;
    const kept = sorted.filter((t) => t.tsEvent >= cut);
    expect(cut).toBe(Math.max(...arrival.map((t) => t.tsEvent)) - 20 * 60_000);
    expect(kept.length).toBeGreaterThan(4000);
    expect(windowed.ticks('BTCUSD', ...ALL, 20_000)).toEqual(kept);
  });

  it('tells null from a NaN price and keeps -0 (price and seq)', () => {
    const ring = new TickRing();
    const [ts, bid, ask] = quotes[0] as [number, number, number];
    const base = mt5Ticks()[0] as Tick;
    const odd: Tick[] = [
      { ...base, tsEvent: ts, bid: NaN, ask, last: null },
      { ...base, tsEvent: ts + 1, bid: null, ask: null, last: NaN },
      { ...base, tsEvent: ts + 2, bid, ask: -0, last: NaN },
      { ...base, tsEvent: ts + 3, bid: null, ask: null, last: null },
    ];
    for (const t of odd) ring.add(t);
    expect(ring.ticks('BTCUSD', ...ALL, 10)).toEqual(odd);
    const zero = new TickRing();
    zero.add({ ...base, seq: -0 }); // the first seq of a chunk is its base
    zero.add({ ...base, tsEvent: ts + 1, seq: 2 });
    expect(zero.ticks('BTCUSD', ...ALL, 10).map((t) => t.seq)).toEqual([-0, 2]);
    expect(Object.is(zero.ticks('BTCUSD', ...ALL, 10)[0]!.seq, -0)).toBe(true);
  });

  it('holds real Binance trade ids and bookTicker update ids as deltas, with nothing kept aside', () => {
    // aggTrade ids ~3.8e9 and USD-M update ids ~3.3e12 interleaved in one symbol: one base per source and kind
    const trades = aggTrades2026();
    const t0 = trades[0]!.tsEvent;
    const quotes = quotesSorted().slice(0, 5000);
    const q0 = quotes[0]!.tsEvent;
    const mixed = [...trades, ...quotes.map((q) => ({ ...q, tsEvent: q.tsEvent - q0 + t0, tsInit: q.tsInit - q0 + t0 }))].sort((a, b) => a.tsEvent - b.tsEvent);
    const pool = unboundedPool();
    const ring = new SymbolRing('BTCUSD');
    for (const t of mixed) expect(ring.add(t, pool)).toBe(true);
    expect(ring.asideCount).toBe(0);
    expect(ring.range(...ALL, 20_000)).toEqual(mixed);
    // recycled chunks start over with new bases: ids a long way on still fit
    const t1 = mixed[mixed.length - 1]!.tsEvent + 1;
    const later = mixed.map((t) => ({ ...t, tsEvent: t.tsEvent - t0 + t1, tsInit: t.tsInit - t0 + t1, seq: (t.seq as number) + 2 ** 40 }));
    ring.evictBefore(t1, pool);
    expect(ring.size).toBe(0);
    for (const t of later) expect(ring.add(t, pool)).toBe(true);
    expect(ring.asideCount).toBe(0);
    expect(ring.range(...ALL, 20_000)).toEqual(later);
  });

  it('keeps any seq exact (beyond an Int32 from the chunk base, fractional, negative, -0, NaN, beyond 2^53) through inserts across chunks', () => {
    const trades = aggTrades2026();
    const odd = [2 ** 40, 0.5, -3, -0, NaN, 2 ** 60, Number.MAX_SAFE_INTEGER, -(2 ** 31), 2 ** 31 - 1];
    const fed = trades.map((t, i) => ({ ...t, seq: i % 37 === 0 ? (odd[(i / 37) % odd.length] as number) : i % 13 === 0 ? (t.seq as number) + 2 ** 33 : t.seq }));
    const late = fed.map((t, i) => ({ ...t, source: 'mt5' as const, tsEvent: t.tsEvent - 25, seq: i % 3 === 0 ? null : i % 3 === 1 ? 7e12 + i : (t.seq as number) * 1000 }));
    const arrival: Tick[] = [late[0] as Tick];
    for (let i = 0; i < fed.length; i++) arrival.push(fed[i] as Tick, ...(i + 1 < late.length ? [late[i + 1] as Tick] : []));
    const pool = unboundedPool();
    const ring = new SymbolRing('BTCUSD');
    for (const t of arrival) expect(ring.add(t, pool)).toBe(true);
    const sorted = [...arrival].sort((a, b) => a.tsEvent - b.tsEvent);
    const back = ring.range(...ALL, 20_000);
    expect(back).toEqual(sorted);
    expect(back.filter((t) => Object.is(t.seq, -0))).toHaveLength(fed.filter((t) => Object.is(t.seq, -0)).length);
    expect(ring.asideCount).toBeGreaterThan(0);
    ring.evictBefore(Number.MAX_SAFE_INTEGER, pool);
    expect([ring.size, ring.asideCount]).toEqual([0, 0]);
  });
});

function unboundedPool(): ChunkPool {
  const free: TickChunk[] = [];
  return { take: () => free.pop() ?? new TickChunk(), give: (c) => free.push(c) };
}
