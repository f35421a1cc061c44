/** Hand-built system facts for health and metrics tests (feeds up, down or waiting). */
import type { FeedStatus, Gap } from '../../../src/core/index.js';
import type { SystemFacts } from '../../../src/tools/index.js';

/** One feed status with the given state and counters. */
export function feed(id: string, source: 'binance' | 'mt5', state: FeedStatus['state'], counters: Partial<FeedStatus> = {}): FeedStatus {
  return { id, source, state, symbols: ['BTCUSD'], detail: '', frames: 0, ticks: 0, dropped: 0, reconnects: 0, lastMessageAt: null, tsInit: 0, ...counters };
}

/** Facts with the given feeds and default pipeline and store counters. */
export function facts(feeds: readonly FeedStatus[], overrides: Partial<SystemFacts> = {}): SystemFacts {
  return {
    mode: 'paper',
    startedAt: Date.UTC(2026, 0, 1),
    version: '0.1.0-test',
    feeds,
    pipeline: { accepted: 1000, rejected: 3, unknownSymbol: 0, lateTicks: 2, candlesClosed: 40, rejectReasons: { spike: 2, crossed: 1 }, spikes: 2, fused: 990 },
    store: { path: '/tmp/x.db', sizeBytes: 4096, ticks: 1000, candles: 40, pendingWrites: 12, writeErrors: 0 },
    replay: null,
    ...overrides,
  };
}

/** A gap of a symbol in a given state. */
export function gap(symbol: string, state: Gap['state'], from: number): Gap {
  return { id: `g-${symbol}-${from}`, symbol, source: 'binance', feed: 'binance-spot', from, to: from + 1000, fromSeq: null, toSeq: null, state, reason: 'reconnect', recovered: 0, tsInit: from };
}
