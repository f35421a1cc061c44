import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tick } from '../../src/core/index.js';
import { openStore } from '../../src/store/index.js';
import { klines2017, trades2017 } from '../fixtures/load.js';
import { feedEvent, tmpFolder } from './fixtures.js';

describe('openStore', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  beforeEach(() => {
    tmp = tmpFolder();
  });
  afterEach(() => tmp.cleanup());

  it('runs a file database in WAL mode with the configured pragmas', () => {
    const path = join(tmp.dir, 'nested', 'folder', 'utp.db'); // the parent folder is created
    const store = openStore({ path, busyTimeoutMs: 1234 });
    expect(store.path).toBe(path);
    expect(store.journalMode).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    store.close();
  });

  it('keeps the data of a file database across close and re-open', () => {
    const path = join(tmp.dir, 'utp.db');
    const store = openStore({ path });
    expect(store.ticks.insertTicks(trades2017())).toBe(334);
    store.candles.upsertCandles(klines2017());
    store.events.append(feedEvent('feed.connected', 1502942400000));
    expect(existsSync(`${path}-wal`)).toBe(true);
    store.close();
    store.close(); // idempotent
    expect(store.isOpen).toBe(false);

    const again = openStore({ path });
    expect(again.migration.applied).toEqual([]);
    expect(again.journalMode).toBe('wal');
    expect(again.ticks.countTicks()).toBe(334);
    expect(again.ticks.lastTick('BTCUSD')).toEqual(trades2017()[333]);
    expect(again.candles.countCandles('BTCUSD', 'M1')).toBe(1200);
    expect(again.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', limit: 1, order: 'desc' })).toEqual([
      klines2017()[1199],
    ]);
    expect(again.events.list({ limit: 10 }).map((e) => e.kind)).toEqual(['feed.connected']);
    again.close();
  });

  it('reports its size as pages plus WAL, and the files once closed', () => {
    const path = join(tmp.dir, 'size.db');
    const store = openStore({ path });
    store.candles.upsertCandles(klines2017());
    const pages = Number(store.db.pragma('page_count', { simple: true })) * Number(store.db.pragma('page_size', { simple: true }));
    const wal = statSync(`${path}-wal`).size;
    expect(wal).toBeGreaterThan(0);
    expect(store.sizeBytes()).toBe(pages + wal);
    store.close();
    const onDisk = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    expect(store.sizeBytes()).toBe(onDisk);
    expect(onDisk).toBeGreaterThan(100_000); // 1200 candles
  });

  it('opens in memory without WAL', () => {
    const store = openStore({ path: ':memory:' });
    expect(store.journalMode).toBe('memory');
    expect(store.sizeBytes()).toBeGreaterThan(0);
    store.close();
    expect(store.sizeBytes()).toBe(0);
  });

  it('read-only: reads, refuses writes, and needs an existing file', () => {
    const path = join(tmp.dir, 'ro.db');
    const writer = openStore({ path });
    writer.ticks.insertTicks(trades2017().slice(0, 10));
    writer.close();
    const ro = openStore({ path, readonly: true });
    expect(ro.ticks.countTicks('BTCUSD')).toBe(10);
    expect(() => ro.ticks.insertTicks(trades2017().slice(10, 11))).toThrow(/readonly/);
    ro.close();
    expect(() => openStore({ path: join(tmp.dir, 'absent.db'), readonly: true })).toThrow();
  });

  it('a transaction interrupted by an error leaves no partial rows', () => {
    const store = openStore({ path: ':memory:' });
    const trades = trades2017();
    // a bad row in the middle of a batch: negative volume breaks the CHECK constraint
    const bad: Tick = { ...trades[50]!, volume: -1 };
    const batch = [...trades.slice(0, 50), bad, ...trades.slice(51, 100)];
    expect(() => store.ticks.insertTicks(batch)).toThrow(/CHECK constraint failed/);
    expect(store.ticks.countTicks()).toBe(0);

    // a candle that cannot be stored (NaN open binds as NULL) in the middle of a batch
    const candles = klines2017().slice(0, 20);
    candles[10] = { ...candles[10]!, open: Number.NaN };
    expect(() => store.candles.upsertCandles(candles)).toThrow(/NOT NULL constraint failed: candles.open/);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(0);

    // several repositories in one store transaction, aborted by the caller
    expect(() =>
      store.transaction(() => {
        store.ticks.insertTicks(trades.slice(0, 100));
        store.candles.upsertCandles(klines2017().slice(0, 5));
        store.events.append(feedEvent('feed.connected', 1));
        throw new Error('aborted');
      }),
    ).toThrow('aborted');
    expect(store.ticks.countTicks()).toBe(0);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(0);
    expect(store.events.list({ limit: 10 })).toEqual([]);

    // and the store is still usable
    expect(store.ticks.insertTicks(trades.slice(0, 100))).toBe(100);
    store.close();
  });
});
