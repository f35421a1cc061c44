/**
 * System-level fault harness: the real composed app (`composeApp`, temp data
 * dir, silent logger) on one TestClock that paces the replay server, the
 * Binance connections' watchdogs and backoff, the gap filler's retries and
 * REST rate limits, and the recorder's flush. The clock only moves when a test
 * moves it; between moves the test waits for the real sockets (WebSocket,
 * HTTP, TCP) to deliver. Expectations come from an independent reading of the
 * recording (`readAggTrades`), never from the code under test.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, expect, vi } from 'vitest';
import type { ClockJumped, FrameDropped, SourceSwitched } from '../../../src/core/bus/BusEvents.js';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import type { FeedStatus, Gap, SystemEvent, Tick } from '../../../src/core/index.js';
import { composeApp, DATABASE_FILE, type App } from '../../../src/server/compose.js';
import { configSchema, type UtpConfig } from '../../../src/server/config.js';
import { CLOCK_START, readAggTrades, tempDir, type AggRow } from '../replayFixture.js';

/** The recording `utp start` replays (5000 real BTCUSDT aggTrades), read independently. */
export const ROWS: readonly AggRow[] = readAggTrades();

/** Waits for real I/O until `fn` passes. */
export const until = (fn: () => void, timeout = 10_000): Promise<void> => vi.waitFor(fn, { timeout, interval: 2 }).then(() => undefined);

/**
 * Advances `clock` by `stepMs` each time `fn` fails, checking again after real I/O had `intervalMs` to run,
 * until `fn` passes (for waits that need both the clock and the sockets: Retry-After, fill retries).
 */
export function drive(clock: TestClock, fn: () => void, stepMs = 500, intervalMs = 10): Promise<void> {
  return vi
    .waitFor(
      () => {
        try {
          fn();
        } catch (error) {
          clock.advance(stepMs);
          throw error;
        }
      },
      { timeout: 15_000, interval: intervalMs },
    )
    .then(() => undefined);
}

/** What the bus carried during a run, in publication order. */
export type Observed = {
  gaps: Gap[];
  switches: SourceSwitched[];
  jumps: ClockJumped[];
  drops: FrameDropped[];
  events: SystemEvent[];
  fused: Tick[];
};

/** One stored trade of BTCUSD, as the assertions compare it. */
export type StoredTrade = { seq: number; last: number; volume: number; ts_event: number; trades: number; taker_side: string | null };

/** One event_log row with its data parsed. */
export type StoredEvent = { id: number; kind: string; level: string; component: string; symbol: string | null; message: string; data: Record<string, unknown> };

/** The stored trade each recorded row must become. */
export function expectedTrade(r: AggRow): StoredTrade {
  return { seq: r.a, last: r.price, volume: r.qty, ts_event: r.tsEvent, trades: r.l - r.f + 1, taker_side: r.buyerMaker ? 'sell' : 'buy' };
}

const apps: { app: App; remove(): void }[] = [];
afterEach(async () => {
  for (const a of apps.splice(0).reverse()) {
    await a.app.stop();
    a.remove();
  }
});

/** A composed app under test, its clock, and what it published. */
export type Harness = Readonly<{
  app: App;
  clock: TestClock;
  dir: string;
  seen: Observed;
  /** Events the replay server has played (REST serves exactly these). */
  played(): number;
  /** Ticks the pipeline accepted. */
  accepted(): number;
  /** The feed status of `id` from the status facts. */
  feed(id?: string): FeedStatus;
  /** Connections up of a Binance feed, as its status reports them. */
  connectionsUp(id?: string): number;
  /** Advances the clock by `ms` in steps, after each waiting until every played trade (but `lost`) was delivered. */
  lockstep(ms: number, step?: number, lost?: number): Promise<void>;
  /** Lockstep until the replay has played everything and every trade (but `lost`) was delivered. */
  finish(step?: number, lost?: number): Promise<void>;
  /** Stops the app (flushes the recorder) and reads the database. */
  stopAndRead(): Promise<{ trades: StoredTrade[]; events: StoredEvent[]; db: Database.Database }>;
}>;

/**
 * Composes and starts UTP with `config` (merged over a temp data dir and
 * silent logs, or built by the caller for that dir) on a TestClock at
 * CLOCK_START; subscribes to the bus before start so nothing is missed.
 */
export async function startApp(config: Record<string, unknown> | ((dataDir: string) => UtpConfig), clock = new TestClock(CLOCK_START)): Promise<Harness> {
  const dir = tempDir('utp-fault-');
  const parsed = typeof config === 'function' ? config(dir.dir) : configSchema.parse({ dataDir: dir.dir, logLevel: 'silent', ...config });
  const app = await composeApp(parsed, { clock, logger: pino({ level: 'silent' }) });
  apps.push({ app, remove: dir.remove });
  const seen: Observed = { gaps: [], switches: [], jumps: [], drops: [], events: [], fused: [] };
  app.bus.subscribe('gap.updated', (g) => seen.gaps.push(g));
  app.bus.subscribe('source.switched', (s) => seen.switches.push(s));
  app.bus.subscribe('clock.jumped', (j) => seen.jumps.push(j));
  app.bus.subscribe('frame.dropped', (d) => seen.drops.push(d));
  app.bus.subscribe('system.event', (e) => seen.events.push(e));
  app.bus.subscribe('tick.fused', (t) => seen.fused.push(t));
  await app.start();

  const played = () => app.replay?.status().position ?? 0;
  const accepted = () => app.pipeline.stats().accepted;
  const feed = (id = 'binance-spot') => {
    const f = app.ctx.facts().feeds.find((x) => x.id === id);
    if (!f) throw new Error(`no feed ${id}`);
    return f;
  };
  const connectionsUp = (id = 'binance-spot') => Number(/^(\d+)\/\d+ connections up/.exec(feed(id).detail)?.[1] ?? Number.NaN);
  const lockstep = async (ms: number, step = 500, lost = 0) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await until(() => expect(accepted()).toBe(played() - lost));
    }
  };
  const finish = async (step = 1_000, lost = 0) => {
    const events = app.replay?.status().events ?? 0;
    for (let i = 0; i < 2_000 && !(played() === events && accepted() === events - lost); i++) {
      clock.advance(step);
      await until(() => expect(accepted()).toBe(played() - lost));
    }
    expect(accepted()).toBe(events - lost);
  };
  const stopAndRead = async () => {
    await app.stop();
    const db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
    apps.push({ app, remove: () => db.close() });
    const trades = db
      .prepare("SELECT seq, last, volume, ts_event, trades, taker_side FROM unified_ticks WHERE symbol = 'BTCUSD' AND source = 'binance' ORDER BY seq")
      .all() as StoredTrade[];
    const events = (db.prepare('SELECT id, kind, level, component, symbol, message, data_json FROM event_log ORDER BY id').all() as (StoredEvent & { data_json: string })[]).map(
      ({ data_json, ...e }) => ({ ...e, data: JSON.parse(data_json) as Record<string, unknown> }),
    );
    return { trades, events, db };
  };
  return { app, clock, dir: dir.dir, seen, played, accepted, feed, connectionsUp, lockstep, finish, stopAndRead };
}

/** Starts the default replay (the 5000-trade recording, no loop) at `speed` x real time. */
export function startReplay(speed: number | 'max'): Promise<Harness> {
  return startApp({ replay: { speed, loop: false } });
}

/** The stored trades equal the recording exactly (minus the ids in `lost`): seq, price, size, time, side; no duplicates. */
export function expectExact(trades: readonly StoredTrade[], lost: ReadonlySet<number> = new Set()): void {
  const want = ROWS.filter((r) => !lost.has(r.a)).map(expectedTrade);
  expect(trades).toHaveLength(want.length);
  expect(new Set(trades.map((t) => t.seq)).size).toBe(trades.length);
  expect(trades).toEqual(want);
}

/** Gap rows of the event log (kind gap.open / gap.filled / gap.unfillable) as [kind, fromSeq, toSeq, recovered]. */
export function gapRows(events: readonly StoredEvent[]): [string, unknown, unknown, unknown][] {
  return events.filter((e) => e.kind.startsWith('gap.')).map((e) => [e.kind, e.data.fromSeq, e.data.toSeq, e.data.recovered]);
}

/** Aggregate id of recorded row `i`. */
export const idAt = (i: number): number => (ROWS[i] as AggRow).a;
