import { describe, expect, it } from 'vitest';
import { BYTES_PER_TICK, CHUNK_BYTES, CHUNK_TICKS, TickRing } from '../../../src/pipeline/buffer/index.js';
import type { Tick } from '../../../src/core/index.js';
import { aggTrades2026, checksum, quotesSorted } from './recorded.js';

const trades = aggTrades2026();
const first = trades[0] as Tick;
const last = trades[trades.length - 1] as Tick;
const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

describe('TickRing', () => {
  it('stores a tick in 47 bytes of typed arrays and gives back exactly the ticks it was fed (trades and quotes)', () => {
    expect(BYTES_PER_TICK).toBe(47);
    expect(CHUNK_BYTES).toBe(47 * 4096);
    const ring = new TickRing();
    const quotes = quotesSorted();
    for (const t of trades) expect(ring.add(t)).toBe(true);
    for (const q of quotes) ring.add({ ...q, symbol: 'XAUUSD', offset: 12.25 });
    const back = ring.ticks('BTCUSD', ...ALL, 10_000);
    expect(back).toHaveLength(5000);
    expect(back).toEqual(trades);
    expect(checksum(back)).toBe(checksum(trades));
    const xau = ring.ticks('XAUUSD', ...ALL, 20_000);
    expect(xau).toEqual(quotes.map((q) => ({ ...q, symbol: 'XAUUSD', offset: 12.25 })));
    const s = ring.status();
    expect(s).toMatchObject({ ticks: 5000 + 9999, bytes: (2 + 3) * CHUNK_BYTES, shortened: false, reason: null, windowMs: 3 * 3_600_000 });
  });

  it('answers [from, to) in order, with limit and source filter', () => {
    const ring = new TickRing();
    for (const t of trades) ring.add(t);
    const from = trades[100]!.tsEvent;
    const to = trades[200]!.tsEvent;
    const expected = trades.filter((t) => t.tsEvent >= from && t.tsEvent < to);
    expect(ring.ticks('BTCUSD', from, to, 1_000)).toEqual(expected);
    expect(ring.ticks('BTCUSD', from, to, 10)).toEqual(expected.slice(0, 10));
    expect(ring.ticks('BTCUSD', from, to, 1_000, 'mt5')).toEqual([]);
    expect(ring.ticks('ETHUSD', ...ALL, 10)).toEqual([]);
  });

  it('inserts ticks that arrive out of order (interleaved sources) in event-time order, ties in arrival order', () => {
    const ring = new TickRing();
    const mt5 = trades.slice(0, 300).map((t, i) => ({ ...t, source: 'mt5' as const, tsEvent: t.tsEvent - 40, seq: i }));
    const arrival: Tick[] = [];
    for (let i = 0; i < 300; i++) arrival.push(mt5[i]!, trades[i]!); // MT5 40 ms behind: each lands before Binance ticks already held
    for (const t of arrival) ring.add(t);
    const expected = [...arrival].sort((a, b) => a.tsEvent - b.tsEvent);
    expect(ring.ticks('BTCUSD', ...ALL, 1_000)).toEqual(expected);
  });

  it('rolls a window by event time: holds exactly the ticks of the last windowMs, refuses older ones', () => {
    const ring = new TickRing({ windowMs: 60_000 });
    for (const t of trades) ring.add(t);
    const cut = last.tsEvent - 60_000;
    const kept = trades.filter((t) => t.tsEvent >= cut);
    expect(ring.coveredFrom('BTCUSD')).toBe(cut);
    expect(ring.ticks('BTCUSD', ...ALL, 10_000)).toEqual(kept);
    expect(ring.add(first)).toBe(false);
    expect(ring.status().symbols[0]).toMatchObject({ ticks: kept.length, late: 1, shortened: false });
  });

  it('under a byte cap shortens the window (oldest out first, whole milliseconds) and says so', () => {
    const ring = new TickRing({ capBytes: 2 * CHUNK_BYTES });
    const quotes = quotesSorted();
    for (const q of quotes) expect(ring.add(q)).toBe(true);
    const s = ring.status();
    expect(s.bytes).toBe(2 * CHUNK_BYTES);
    expect(s.bytes).toBeLessThanOrEqual(s.capBytes);
    const from = ring.coveredFrom('BTCUSD') as number;
    const kept = quotes.filter((t) => t.tsEvent >= from);
    // the first chunk (4096 ticks) went, plus the rest of its last millisecond
    expect(kept.length).toBeLessThanOrEqual(quotes.length - CHUNK_TICKS);
    expect(quotes.filter((t) => t.tsEvent < from).length).toBeGreaterThanOrEqual(CHUNK_TICKS);
    expect(ring.ticks('BTCUSD', ...ALL, 20_000)).toEqual(kept);
    const newest = quotes[quotes.length - 1]!.tsEvent;
    expect(s.shortened).toBe(true);
    expect(s.windowMs).toBe(newest - from);
    expect(s.configuredWindowMs).toBe(3 * 3_600_000);
    expect(s.reason).toMatch(/^byte cap of 376 KiB reached: RAM window shortened to BTCUSD \d+m\d\ds \(configured 3h00m\); older ticks are answered from SQLite$/);
  });

  it('frees the globally oldest data across symbols first', () => {
    const ring = new TickRing({ capBytes: 2 * CHUNK_BYTES });
    const quotes = quotesSorted().map((q) => ({ ...q, symbol: 'XAUUSD' })); // 2023: older than every 2026 trade
    for (const q of quotes.slice(0, CHUNK_TICKS)) ring.add(q);
    for (const t of trades) ring.add(t);
    const s = ring.status();
    expect(ring.ticks('BTCUSD', ...ALL, 10_000)).toEqual(trades);
    expect(ring.coveredFrom('XAUUSD')).toBeNull();
    expect(s.symbols.find((x) => x.symbol === 'XAUUSD')).toMatchObject({ ticks: 0, shortened: true });
    expect(s.shortened).toBe(true);
  });

  it('refills a symbol from durable pages: covers from the first tick, or from a declared start', () => {
    const ring = new TickRing();
    const pages = [trades.slice(0, 2000), trades.slice(2000)];
    expect(ring.refill('BTCUSD', pages)).toBe(5000);
    expect(ring.coveredFrom('BTCUSD')).toBe(first.tsEvent);
    expect(ring.ticks('BTCUSD', ...ALL, 10_000)).toEqual(trades);
    const declared = new TickRing();
    expect(declared.refill('BTCUSD', trades, first.tsEvent - 5_000)).toBe(5000);
    expect(declared.coveredFrom('BTCUSD')).toBe(first.tsEvent - 5_000);
  });

  it('keeps a receive time far from the venue time exactly (kept aside), through out-of-order inserts and eviction', () => {
    const ring = new TickRing({ windowMs: 60_000 });
    const odd = (t: Tick, i: number): Tick => (i % 50 === 0 ? { ...t, tsInit: i % 100 === 0 ? t.tsEvent + 40 * 86_400_000 : 1.5 + t.tsEvent } : t);
    const fed = trades.map(odd);
    const late = fed.slice(0, 2000).map((t, i) => ({ ...t, source: 'mt5' as const, tsEvent: t.tsEvent - 30, tsInit: i % 7 === 0 ? 0 : t.tsInit }));
    const arrival: Tick[] = [];
    fed.forEach((t, i) => {
      if (i < 2000) arrival.push(late[i]!);
      arrival.push(t);
    });
    for (const t of arrival) ring.add(t);
    const full = new TickRing();
    for (const t of arrival) full.add(t);
    expect(full.ticks('BTCUSD', ...ALL, 10_000)).toEqual([...arrival].sort((a, b) => a.tsEvent - b.tsEvent));
    const cut = last.tsEvent - 60_000;
    const expected = arrival.filter((t) => t.tsEvent >= cut).sort((a, b) => a.tsEvent - b.tsEvent);
    expect(ring.ticks('BTCUSD', ...ALL, 10_000)).toEqual(expected);
  });

  it('refuses a tick it cannot hold exactly instead of altering it', () => {
    const ring = new TickRing();
    expect(ring.add({ ...first, trades: 1.5 })).toBe(false);
    expect(ring.status().refused).toBe(1);
  });
});
