import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SystemEvent } from '../../../src/core/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { feedEvent } from '../fixtures.js';

const T0 = Date.UTC(2024, 2, 11);

describe('EventRepo', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('appends events and reads them back exactly, oldest first', () => {
    const events: SystemEvent[] = [
      feedEvent('feed.connected', T0, { url: 'wss://stream.binance.com:9443/stream', streams: ['btcusdt@aggTrade'] }),
      { ...feedEvent('frame.dropped', T0 + 1000, { reason: 'crossed book', bid: 27981.4, ask: 27981.3 }), level: 'warn' },
      { ...feedEvent('feed.disconnected', T0 + 2000), level: 'error', symbol: null },
    ];
    expect(store.events.appendMany(events)).toBe(3);
    expect(store.events.list({ limit: 10 })).toEqual(events);
  });

  it('filters by kind and time and returns the latest `limit`', () => {
    for (let i = 0; i < 10; i++) store.events.append(feedEvent(i % 2 === 0 ? 'feed.connected' : 'replay.looped', T0 + i * 1000, { i }));
    expect(store.events.list({ limit: 3 }).map((e) => e.data.i)).toEqual([7, 8, 9]);
    expect(store.events.list({ kind: 'feed.connected', limit: 10 }).map((e) => e.data.i)).toEqual([0, 2, 4, 6, 8]);
    expect(store.events.list({ kind: 'feed.connected', since: T0 + 3000, limit: 2 }).map((e) => e.data.i)).toEqual([6, 8]);
    expect(store.events.list({ since: T0 + 3000, until: T0 + 5000, limit: 10 }).map((e) => e.data.i)).toEqual([3, 4, 5]);
    expect(store.events.list({ kind: 'nope', limit: 10 })).toEqual([]);
  });

  it('refuses an event that breaks the contract, storing nothing of its batch', () => {
    const good = feedEvent('feed.connected', T0);
    const badLevel = { ...good, level: 'debug' } as unknown as SystemEvent;
    expect(() => store.events.appendMany([good, badLevel])).toThrow(/CHECK constraint/);
    const bigint = { ...good, data: { n: 1n } };
    expect(() => store.events.appendMany([good, bigint])).toThrow(TypeError);
    expect(store.events.list({ limit: 10 })).toEqual([]);
  });
});
