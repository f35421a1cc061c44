import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError, type Tick } from '../../../src/core/index.js';
import { TickRing } from '../../../src/pipeline/buffer/index.js';
import { openStore, TickAccess, type ArchiveReader, type Store, type TickBar, type TickPage, type TickPageRequest } from '../../../src/store/index.js';
import type { Archive } from '../../../src/store/archive/index.js';
import { klines2017 } from '../../fixtures/load.js';
import { aggTrades2026, checksum, quotesSorted, trades2017 } from '../../pipeline/buffer/recorded.js';
import { FakeArchive } from './fakeArchive.js';

/** Compile-time check: the store's Parquet `Archive` is an ArchiveReader as it is (no adapter needed). */
export const archiveIsAReader = (a: Archive): ArchiveReader => a;

const old = trades2017(); // archived day 2017-08-17 (also still in SQLite: archived, not yet pruned)
const quotes = quotesSorted(); // 2023-10-02, SQLite only
const recent = aggTrades2026(); // 2026-01-01, SQLite (the recorder's copy) and, from RAM_FROM on, the RAM buffer
const RAM_FROM = (recent[2500] as Tick).tsEvent;
const ALL = [...old, ...quotes, ...recent];
const FROM = Date.UTC(2017, 7, 17);
const TO = Date.UTC(2026, 0, 2);

/** Every page of a query, following nextCursor. */
async function allPages(access: TickAccess, request: TickPageRequest): Promise<TickPage[]> {
  const pages: TickPage[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await access.page({ ...request, ...(cursor ? { cursor } : {}) });
    pages.push(page);
    if (!page.hasMore) return pages;
    expect(page.nextCursor).toEqual(expect.any(String));
    cursor = page.nextCursor as string;
  }
}

/** 1 s / 1 min bars folded straight from ticks (trade prints), as an independent expectation. */
function foldTrades(ticks: readonly Tick[], size: number): Pick<TickBar, 'openTime' | 'open' | 'high' | 'low' | 'close' | 'ticks' | 'trades'>[] {
  const out: Pick<TickBar, 'openTime' | 'open' | 'high' | 'low' | 'close' | 'ticks' | 'trades'>[] = [];
  for (const t of ticks) {
    const open = Math.floor(t.tsEvent / size) * size;
    const p = t.last as number;
    const b = out[out.length - 1];
    if (b && b.openTime === open) Object.assign(b, { high: Math.max(b.high, p), low: Math.min(b.low, p), close: p, ticks: (b.ticks ?? 0) + 1, trades: b.trades + t.trades });
    else out.push({ openTime: open, open: p, high: p, low: p, close: p, ticks: 1, trades: t.trades });
  }
  return out;
}

describe('TickAccess: one query over RAM, SQLite and the archive, with real recorded ticks', () => {
  let store: Store;
  let archive: FakeArchive;
  let ring: TickRing;
  let access: TickAccess;

  beforeAll(() => {
    store = openStore({ path: ':memory:' });
    store.ticks.insertTicks(old);
    store.ticks.insertTicks(quotes);
    store.ticks.insertTicks(recent);
    archive = new FakeArchive().addTicks(old);
    ring = new TickRing();
    ring.refill('BTCUSD', [recent.filter((t) => t.tsEvent >= RAM_FROM)], RAM_FROM);
    access = new TickAccess({ window: ring, history: store.ticks, archive });
  });
  afterAll(() => store.close());

  it('plans the range: archived day, SQLite, then RAM from where it covers every tick', () => {
    expect(access.plan('BTCUSD', FROM, TO)).toEqual([
      { layer: 'archive', from: FROM, to: FROM + 86_400_000 },
      { layer: 'sqlite', from: FROM + 86_400_000, to: RAM_FROM },
      { layer: 'ram', from: RAM_FROM, to: TO },
    ]);
    expect(access.plan('XAUUSD', FROM, TO)).toEqual([{ layer: 'sqlite', from: FROM, to: TO }]);
  });

  it('a range spanning all three layers returns exactly the ingested ticks, once each (count and checksum)', async () => {
    const pages = await allPages(access, { symbol: 'BTCUSD', from: FROM, to: TO, resolution: 'raw', limit: 1000 });
    const got = pages.flatMap((p) => p.ticks);
    expect(got.length).toBe(334 + 9999 + 5000);
    expect(checksum(got)).toBe(checksum(ALL));
    expect(got).toEqual(ALL);
    const layers = pages.reduce((s, p) => ({ ram: s.ram + p.layers.ram, sqlite: s.sqlite + p.layers.sqlite, archive: s.archive + p.layers.archive }), { ram: 0, sqlite: 0, archive: 0 });
    expect(layers.archive).toBe(334);
    expect(layers.ram).toBe(recent.filter((t) => t.tsEvent >= RAM_FROM).length);
    expect(pages.every((p) => p.ticks.length === 1000 || !p.hasMore)).toBe(true);
  });

  it('pages of 7 cut inside runs of equal-millisecond ticks lose and repeat nothing, across the SQLite/RAM border', async () => {
    const from = (recent[2400] as Tick).tsEvent;
    const to = (recent[2700] as Tick).tsEvent;
    const pages = await allPages(access, { symbol: 'BTCUSD', from, to, resolution: 'raw', limit: 7 });
    expect(pages.flatMap((p) => p.ticks)).toEqual(recent.filter((t) => t.tsEvent >= from && t.tsEvent < to));
    expect(pages.some((p) => p.layers.sqlite > 0 && p.layers.ram > 0)).toBe(true);
  });

  it('1-minute aggregates of the archived 2017 trades equal Binance’s official klines', async () => {
    const pages = await allPages(access, { symbol: 'BTCUSD', from: FROM, to: FROM + 86_400_000, resolution: '1m', limit: 100 });
    const bars = pages.flatMap((p) => p.bars);
    const official = klines2017().filter((k) => k.trades > 0 && k.openTime < Date.UTC(2017, 7, 17, 8));
    expect(bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.trades, b.basis])).toEqual(
      official.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.trades, 'trade']),
    );
    bars.forEach((b, i) => expect(b.volume).toBeCloseTo((official[i] as { volume: number }).volume, 8));
  });

  it('1-second aggregates across the SQLite/RAM border equal a fold of the recorded trades; quotes aggregate as mids', async () => {
    const from = Date.UTC(2026, 0, 1);
    const pages = await allPages(access, { symbol: 'BTCUSD', from, to: TO, resolution: '1s', limit: 50 });
    expect(pages.flatMap((p) => p.bars).map(({ openTime, open, high, low, close, ticks, trades }) => ({ openTime, open, high, low, close, ticks, trades }))).toEqual(
      foldTrades(recent, 1000),
    );
    const q = await access.page({ symbol: 'BTCUSD', from: Date.UTC(2023, 9, 2), to: Date.UTC(2023, 9, 3), resolution: '1m', limit: 1 });
    const first = quotes[0] as Tick;
    expect(q.bars[0]).toMatchObject({ basis: 'mid', open: ((first.bid as number) + (first.ask as number)) / 2, trades: 0, volume: 0 });
  });

  it('filters by source and refuses a forged cursor or another symbol’s cursor', async () => {
    const none = await access.page({ symbol: 'BTCUSD', from: FROM, to: TO, resolution: 'raw', limit: 10, source: 'mt5' });
    expect(none).toMatchObject({ ticks: [], hasMore: false, nextCursor: null });
    const page = await access.page({ symbol: 'BTCUSD', from: FROM, to: TO, resolution: 'raw', limit: 10 });
    await expect(access.page({ symbol: 'XAUUSD', from: FROM, to: TO, resolution: 'raw', limit: 10, cursor: page.nextCursor as string })).rejects.toThrow(InvalidRequestError);
    await expect(access.page({ symbol: 'BTCUSD', from: FROM, to: TO, resolution: 'raw', limit: 10, cursor: 'bogus' })).rejects.toThrow(
      'cursor is not one this server issued for this symbol; pass the nextCursor of a previous answer or omit it',
    );
  });

  it('stops a long read when the caller cancels', async () => {
    const abort = new AbortController();
    abort.abort(new Error('client cancelled'));
    await expect(access.page({ symbol: 'BTCUSD', from: FROM, to: TO, resolution: '1m', limit: 10 }, undefined, abort.signal)).rejects.toThrow('client cancelled');
  });

  it('reports progress per layer segment, and serves a hot archived day from the LRU cache', async () => {
    const calls: [number, number, string][] = [];
    const reads = archive.reads;
    await access.page({ symbol: 'BTCUSD', from: FROM, to: TO, resolution: '1m', limit: 100_000 }, (d, t, m) => {
      calls.push([d, t, m]);
    });
    expect(calls.map(([d, t]) => [d, t])).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(calls[0]?.[2]).toBe('reading archive 2017-08-17T00:00:00.000Z to 2017-08-18T00:00:00.000Z');
    expect(archive.reads).toBe(reads); // the day was read by an earlier test: cached
    expect(access.cacheStats()).toMatchObject({ entries: 1, weight: 334 });
  });
});
