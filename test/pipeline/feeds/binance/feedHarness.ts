import { afterEach, expect, vi } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import type { Gap } from '../../../../src/core/types/Gap.js';
import type { SystemEvent } from '../../../../src/core/types/SystemEvent.js';
import type { Tick } from '../../../../src/core/types/Tick.js';
import type { ArchiveAggTrade } from '../../../../src/pipeline/feeds/binance/archive.js';
import { BinanceFeed, type BinanceFeedOptions } from '../../../../src/pipeline/feeds/binance/BinanceFeed.js';
import { BinanceRest } from '../../../../src/pipeline/feeds/binance/BinanceRest.js';
import { BinanceReplayServer, type BinanceReplayServerOptions } from '../../../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../../../src/sim/binanceRecording.js';
import { fixture } from './captures.js';

/** Wall time both clocks start at. */
export const T0 = Date.UTC(2026, 0, 1, 1);

let cached: BinanceRecording | null = null;
/** The real 5000-row BTCUSDT aggTrades recording. */
export async function recording(symbol = 'btcusdt'): Promise<BinanceRecording> {
  cached ??= await loadRecording(fixture('BTCUSDT-aggTrades-2026-01-01_first5000.csv'));
  return symbol === 'btcusdt' ? cached : { ...cached, symbol };
}

/** The tick the feed must deliver for archive row `r` (tsInit left out of comparisons). */
export function expectedTick(r: ArchiveAggTrade, symbol = 'BTCUSD'): Omit<Tick, 'tsInit'> {
  return {
    symbol,
    source: 'binance',
    tsEvent: Math.floor(r.T),
    bid: null,
    ask: null,
    last: Number(r.p),
    volume: Number(r.q),
    trades: r.l - r.f + 1,
    takerSide: r.m ? 'sell' : 'buy',
    seq: r.a,
    offset: 0,
  };
}

/** A tick without its receive time. */
export function strip(t: Tick): Omit<Tick, 'tsInit'> {
  const { tsInit: _drop, ...rest } = t;
  return rest;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Waits for real I/O (sockets, fetch) until `fn` passes. */
export const until = (fn: () => void, timeout = 10_000) => vi.waitFor(fn, { timeout, interval: 2 });

export type Rig = Awaited<ReturnType<typeof rig>>;

/**
 * A simulator (own TestClock, speed 1, no loop) and a redundant feed on a second TestClock, with
 * REST pointed at the simulator. The replay only moves when `play` advances the server clock; the
 * feed's timers (watchdog, backoff, grace, REST waits) only when the test advances `clock`.
 */
export async function rig(o: { server?: Partial<BinanceReplayServerOptions>; feed?: Partial<BinanceFeedOptions>; rest?: boolean } = {}) {
  const rec = o.server?.recordings ?? (await recording());
  const rows = (Array.isArray(rec) ? rec[0] : rec).rows as readonly ArchiveAggTrade[];
  const serverClock = new TestClock(T0);
  // Large jumps of the server clock happen without I/O: no pong could arrive in between, so the
  // simulator's pong deadline is off here (it has its own test).
  const server = new BinanceReplayServer({ recordings: rec, clock: serverClock, speed: 1, loop: false, pongTimeoutMs: Infinity, ...o.server });
  await server.start();
  closers.push(() => server.close());
  const clock = new TestClock(T0);
  const market = o.server?.market ?? 'spot';
  const rest = o.rest === false ? null : new BinanceRest({ baseUrls: [server.restUrl], market, clock });
  const ticks: Tick[] = [];
  const gaps: Gap[] = [];
  const events: SystemEvent[] = [];
  const drops: string[] = [];
  const errors: unknown[] = [];
  const feed = new BinanceFeed({
    id: 'binance-spot',
    market,
    wsUrls: [server.url],
    kinds: ['aggTrade'],
    symbols: { btcusdt: 'BTCUSD' },
    clock,
    rest,
    random: () => 1,
    silenceMs: 5_000,
    onTick: (t) => ticks.push(t),
    onGap: (g) => gaps.push(g),
    onEvent: (e) => events.push(e),
    onDrop: (reason) => drops.push(reason),
    onError: (e) => errors.push(e),
    ...o.feed,
  });
  closers.push(() => feed.stop());
  /** Rows the replay has sent so far. */
  const played = () => (server.status().replaying ? server.status().position : rows.length);
  /** Advances the replay. */
  const play = (ms: number) => serverClock.advance(ms);
  /** Waits until the feed delivered every played row. */
  const caughtUp = () => until(() => expect(ticks.length).toBe(played()));
  /** Both clocks in small steps, so live connections keep proving they are alive to the watchdog. */
  const lockstep = async (ms: number, step = 500) => {
    for (let t = 0; t < ms; t += step) {
      play(step);
      await caughtUp();
      clock.advance(step);
    }
  };
  /** The recording's rows the feed must have delivered: all played, exactly once, in order. */
  const expectExact = (n = played()) => {
    expect(ticks.map(strip)).toEqual(rows.slice(0, n).map((r) => expectedTick(r)));
  };
  return { server, serverClock, clock, rest, feed, ticks, gaps, events, drops, errors, rows, played, play, caughtUp, lockstep, expectExact };
}

/** A rig whose feed is started with both connections open and `ms` of replay delivered in lockstep. */
export async function startedRig(ms: number, o: Parameters<typeof rig>[0] = {}): Promise<Rig> {
  const r = await rig(o);
  await r.feed.start();
  await until(() => expect(r.server.clientList()).toHaveLength(2));
  await r.lockstep(ms);
  return r;
}

/** Plays the rest of the 5000-row recording and checks the feed delivered every row exactly once, in order. */
export async function playToEndExact(r: Rig): Promise<void> {
  r.play(800_000);
  await until(() => expect(r.ticks).toHaveLength(5000));
  r.expectExact(5000);
}

/** Advances `clock` in steps while waiting for real I/O, until `fn` passes. */
export function drive(clock: TestClock, fn: () => void, stepMs = 50): Promise<void> {
  return vi.waitFor(
    () => {
      try {
        fn();
      } catch (error) {
        clock.advance(stepMs);
        throw error;
      }
    },
    { timeout: 10_000, interval: 5 },
  );
}
