/**
 * Health of a redundant Binance feed, per connection and merged, in the shape
 * `get_system_status` reports: connections up, reconnects and rotations,
 * frames, dropped frames, duplicates removed by the merge, gaps open / filled
 * / unfillable, ticks held behind a hole, last message age, and each symbol's
 * state (live, or waiting with the reason, e.g. not listed).
 */
import type { FeedState, FeedStatus } from '../../../core/types/FeedStatus.js';
import type { RestStatus } from './BinanceRest.js';
import type { BinanceStream } from './BinanceStream.js';
import type { GapCounters } from './GapFiller.js';
import type { TradeLane } from './TradeSequencer.js';

/** One connection of the feed. */
export type ConnectionHealth = Readonly<{
  id: string;
  url: string;
  state: FeedState;
  frames: number;
  ticks: number;
  dropped: number;
  reconnects: number;
  rotations: number;
  /** Times the watchdog killed this connection for silence. */
  silentKills: number;
  lastMessageAt: number | null;
  /** ms since the last frame, or null. */
  lastMessageAgeMs: number | null;
  lastError: string;
}>;

/** One symbol of the feed. */
export type SymbolHealth = Readonly<{
  /** `live` = streaming; `waiting` = not streamed (reason says why, e.g. not listed). */
  state: 'live' | 'waiting';
  reason: string | null;
  /** Last aggregate id delivered, or null. */
  lastSeq: number | null;
  /** Ticks held behind an open hole right now. */
  held: number;
}>;

/** The whole feed. */
export type BinanceFeedHealth = Readonly<{
  id: string;
  state: FeedState;
  connections: readonly ConnectionHealth[];
  /** Connections currently open. */
  connected: number;
  reconnects: number;
  rotations: number;
  silentKills: number;
  frames: number;
  dropped: number;
  /** Ticks delivered downstream (after the merge). */
  delivered: number;
  /** Trade copies removed by the merge (second connection, overlap, REST after live). */
  duplicates: number;
  /** Quotes dropped because a newer `u` was already delivered (same or older book state). */
  staleQuotes: number;
  gaps: GapCounters;
  lastMessageAt: number | null;
  lastMessageAgeMs: number | null;
  symbols: Readonly<Record<string, SymbolHealth>>;
  rest: RestStatus | null;
}>;

/** What the feed hands over to build its health. */
export type HealthInput = Readonly<{
  id: string;
  state: FeedState;
  connected: number;
  connections: readonly BinanceStream[];
  symbols: readonly string[];
  lane: (symbol: string) => TradeLane;
  waiting: ReadonlyMap<string, string>;
  delivered: number;
  staleQuotes: number;
  gaps: GapCounters;
  rest: RestStatus | null;
  now: number;
}>;

/** Assembles the feed's health from its connections, lanes and counters. */
export function buildHealth(x: HealthInput): BinanceFeedHealth {
  const age = (t: number | null) => (t === null ? null : Math.max(0, x.now - t));
  const connections: ConnectionHealth[] = x.connections.map((c) => {
    const s = c.status();
    const l = c.lifecycle();
    return {
      id: s.id,
      url: c.url,
      state: s.state,
      frames: s.frames,
      ticks: s.ticks,
      dropped: s.dropped,
      reconnects: s.reconnects,
      rotations: l.rotations,
      silentKills: l.silentKills,
      lastMessageAt: s.lastMessageAt,
      lastMessageAgeMs: age(s.lastMessageAt),
      lastError: l.lastError,
    };
  });
  const sum = (f: (c: ConnectionHealth) => number) => connections.reduce((n, c) => n + f(c), 0);
  const last = connections.reduce<number | null>((m, c) => (c.lastMessageAt !== null && (m === null || c.lastMessageAt > m) ? c.lastMessageAt : m), null);
  const symbols: Record<string, SymbolHealth> = {};
  let duplicates = 0;
  for (const symbol of x.symbols) {
    const lane = x.lane(symbol);
    duplicates += lane.duplicates;
    const why = x.waiting.get(symbol) ?? null;
    symbols[symbol] = { state: why === null ? 'live' : 'waiting', reason: why, lastSeq: lane.next > 0 ? lane.next - 1 : null, held: lane.held.size };
  }
  return {
    id: x.id,
    state: x.state,
    connections,
    connected: x.connected,
    reconnects: sum((c) => c.reconnects),
    rotations: sum((c) => c.rotations),
    silentKills: sum((c) => c.silentKills),
    frames: sum((c) => c.frames),
    dropped: sum((c) => c.dropped),
    delivered: x.delivered,
    duplicates,
    staleQuotes: x.staleQuotes,
    gaps: x.gaps,
    lastMessageAt: last,
    lastMessageAgeMs: age(last),
    symbols,
    rest: x.rest,
  };
}

/** The feed's `FeedStatus` (for `get_system_status`) from its health. */
export function mergedStatus(h: BinanceFeedHealth, symbols: readonly string[], now: number): FeedStatus {
  const waiting = Object.entries(h.symbols).filter(([, s]) => s.state === 'waiting');
  const parts = [
    `${h.connected}/${h.connections.length} connections up`,
    `gaps open ${h.gaps.open}, filled ${h.gaps.filled}, unfillable ${h.gaps.unfillable} (${h.gaps.recovered} trades recovered)`,
    `duplicates ${h.duplicates}`,
  ];
  if (waiting.length > 0) parts.push(`waiting: ${waiting.map(([s, w]) => `${s} (${w.reason ?? 'no data'})`).join(', ')}`);
  const errors = h.connections.filter((c) => c.lastError).map((c) => `${c.id}: ${c.lastError}`);
  if (errors.length > 0) parts.push(`last errors: ${errors.join('; ')}`);
  return {
    id: h.id,
    source: 'binance',
    state: h.state,
    symbols,
    detail: parts.join('; '),
    frames: h.frames,
    ticks: h.delivered,
    dropped: h.dropped,
    reconnects: h.reconnects,
    lastMessageAt: h.lastMessageAt,
    tsInit: now,
  };
}
