/**
 * Failover and failback of the fused stream, whole system in paper mode:
 * BTCUSD from Binance (the app's redundant feed pointed, through the
 * UTP_BINANCE_SPOT_* environment overrides, at a BinanceReplayServer started
 * here) and from MT5 (`Mt5TerminalSim` on the app's bridge). There is no
 * broker tick recording of the same minutes, so the MT5 quotes are derived
 * from the same real Binance trades: for every recorded trade one broker
 * quote with the same time, bid = price - 5 and ask = price + 5 (spread 10,
 * true offset 0). Both simulators run at 10x on one TestClock from the same
 * instant, so they are aligned in time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import type { Tick } from '../../../src/core/index.js';
import { loadConfig } from '../../../src/server/config.js';
import { BinanceReplayServer } from '../../../src/sim/BinanceReplayServer.js';
import { loadRecording } from '../../../src/sim/binanceRecording.js';
import { SIM_SYMBOL_SPECS, withQuoteFlags } from '../../../src/sim/mt5SimData.js';
import { Mt5TerminalSim } from '../../../src/sim/Mt5TerminalSim.js';
import { CLOCK_START, RECORDING } from '../replayFixture.js';
import { ROWS, startApp, until, type Harness } from './faultHarness.js';

const SPEED = 10;
const HALF_SPREAD = 5;
/** One broker quote per recorded trade, same time, bid = price - 5, ask = price + 5. */
const QUOTES = withQuoteFlags(ROWS.map((r) => ({ utcMs: r.tsEvent, bid: r.price - HALF_SPREAD, ask: r.price + HALF_SPREAD })));
/** A fused tick's price: the trade (Binance, offset applied) or the quote mid (MT5). */
const price = (t: Tick) => (t.last ?? ((t.bid as number) + (t.ask as number)) / 2) as number;
/** Largest time between consecutive recorded trades, ms. */
const MAX_INTER_ARRIVAL = Math.max(...ROWS.slice(1).map((r, i) => r.tsEvent - ROWS[i]!.tsEvent));

type Run = {
  offset: number;
  /** tick.fused in publication order, and where the outage and the failback start in it. */
  fused: Tick[];
  downAt: number;
  backAt: number;
  switches: unknown[][];
  binanceRows: { seq: number; last: number; offset: number; volume: number; ts_event: number }[];
  mt5Rows: { ts_event: number; bid: number; ask: number }[];
  times: number[];
};

/** Runs the whole scenario once; the tests below read what it saw and stored. */
async function failoverRun(): Promise<Run> {
  const clock = new TestClock(CLOCK_START);
  const server = new BinanceReplayServer({ recordings: await loadRecording(RECORDING, { symbol: 'btcusdt' }), clock, speed: SPEED, loop: false });
  await server.start();
  let sim: Mt5TerminalSim | null = null;
  let started: Harness | null = null;
  try {
    const env = { UTP_BINANCE_SPOT_WS: `${server.url},${server.url}`, UTP_BINANCE_SPOT_REST: server.restUrl, UTP_MT5_BRIDGE_PORT: '0' };
    const h = await startApp((dataDir) => loadConfig({ dataDir, mode: 'paper', symbols: 'BTCUSD', logLevel: 'silent' }, env), clock);
    started = h;
    expect(h.app.ctx.facts().feeds.map((f) => f.id)).toEqual(['binance-spot', 'mt5']);
    const port = Number(/tcp 127\.0\.0\.1:(\d+)/.exec(h.feed('mt5').detail)?.[1]);
    const mt5 = new Mt5TerminalSim({ port, clock, symbols: [{ sym: 'BTCUSD', ...SIM_SYMBOL_SPECS.BTCUSD, ticks: QUOTES }], speed: SPEED });
    sim = mt5;
    await mt5.start(); // same clock instant as the replay's first client: both timelines start together
    await until(() => expect(h.feed('mt5').state).toBe('connected'));
    await until(() => expect(mt5.stats().subscribed).toBe(true));
    await until(() => expect(server.clientList()).toHaveLength(2));

    const binanceTicks = () => h.feed('binance-spot').ticks;
    /** Waits until both feeds delivered what their simulators sent (Binance: all played, unless down) and the pipeline took it all. */
    const settled = (binanceUp: boolean) =>
      until(() => {
        expect(h.feed('mt5').ticks).toBe(mt5.stats().ticksSent);
        if (binanceUp) expect(binanceTicks()).toBe(server.status().position);
        expect(h.accepted()).toBe(binanceTicks() + h.feed('mt5').ticks);
      });
    const step = async (ms = 500) => {
      clock.advance(ms);
      await settled(h.connectionsUp() > 0);
    };
    for (let t = 0; t < 20_000; t += 500) await step(); // 200 s of market from both sources
    expect(h.app.pipeline.activeSource('BTCUSD')).toBe('binance');
    const offset = h.app.pipeline.offset('BTCUSD');

    // every Binance connection drops, and reconnects are refused for 6 s of clock (a minute of market)
    server.refuseConnections(6_000, { ws: true });
    server.dropClients();
    await until(() => expect(h.app.pipeline.activeSource('BTCUSD')).toBe('mt5'));
    const downAt = h.seen.fused.length;
    for (let i = 0; i < 80 && h.app.pipeline.activeSource('BTCUSD') !== 'binance'; i++) await step();
    expect(h.app.pipeline.activeSource('BTCUSD')).toBe('binance');
    await settled(true);
    const backAt = h.seen.fused.findIndex((t, i) => i >= downAt && t.source === 'binance');
    while (!(server.status().position === ROWS.length && mt5.stats().finished)) await step(1_000);
    await settled(true);

    const { db, events } = await h.stopAndRead();
    return {
      offset,
      fused: [...h.seen.fused],
      downAt,
      backAt,
      switches: events.filter((e) => e.kind === 'source.switched').map((e) => [e.data.from, e.data.to]),
      binanceRows: db.prepare("SELECT seq, last, \"offset\", volume, ts_event FROM unified_ticks WHERE symbol = 'BTCUSD' AND source = 'binance' ORDER BY seq").all() as Run['binanceRows'],
      mt5Rows: db.prepare("SELECT ts_event, bid, ask FROM unified_ticks WHERE symbol = 'BTCUSD' AND source = 'mt5' ORDER BY ts_event, seq DESC").all() as Run['mt5Rows'],
      times: (db.prepare("SELECT ts_event FROM unified_ticks WHERE symbol = 'BTCUSD' ORDER BY ts_event").all() as { ts_event: number }[]).map((r) => r.ts_event),
    };
  } finally {
    await started?.app.stop(); // already stopped on success; on a failure, the bridge must close before the terminal
    await sim?.stop();
    await server.close();
  }
}

describe('failover binance -> mt5 -> binance, whole system (paper mode)', () => {
  let run: Run;
  beforeAll(async () => {
    run = await failoverRun();
  });

  it('calibrates the offset from the aligned quotes (true offset 0) and logs source.switched binance -> mt5 and back', () => {
    expect(MAX_INTER_ARRIVAL).toBe(3312);
    expect(Math.abs(run.offset)).toBeLessThan(0.05);
    expect(run.switches.slice(0, 3)).toEqual([
      [null, 'binance'],
      ['binance', 'mt5'],
      ['mt5', 'binance'],
    ]);
    expect(run.switches.slice(3)).toEqual([['binance', null]]); // stop
  });

  it('the live fused stream continues from MT5 during the outage: no time gap beyond the recorded inter-arrival, no price jump beyond spread + offset error', () => {
    const { fused, downAt, backAt } = run;
    expect(backAt).toBeGreaterThan(downAt);
    const live = fused.slice(0, backAt);
    const outage = live.slice(downAt);
    expect(live.slice(0, downAt).every((t) => t.source === 'binance')).toBe(true);
    expect(outage.length).toBeGreaterThan(200);
    expect(outage.every((t) => t.source === 'mt5')).toBe(true);
    for (let i = 1; i < live.length; i++) expect(live[i]!.tsEvent - live[i - 1]!.tsEvent).toBeLessThanOrEqual(MAX_INTER_ARRIVAL);
    const before = live[downAt - 1]!;
    const first = outage[0]!;
    expect(first.tsEvent).toBeGreaterThanOrEqual(before.tsEvent);
    expect(Math.abs(price(first) - price(before))).toBeLessThanOrEqual(2 * HALF_SPREAD + Math.abs(run.offset));
    // the MT5 stretch is exactly the derived quotes that followed the last Binance trade, each once, in order
    const j = QUOTES.findIndex((q) => q.utcMs > before.tsEvent);
    expect(outage.map((t) => [t.tsEvent, t.bid, t.ask])).toEqual(QUOTES.slice(j, j + outage.length).map((q) => [q.utcMs, q.bid, q.ask]));
    // and it reached the moment Binance came back: the failback found no standby Binance tick newer than it
    expect(outage[outage.length - 1]!.tsEvent).toBeGreaterThan(before.tsEvent + 50_000);
  });

  it('stores every accepted tick of both sources once, in venue prices: all 5000 Binance trades and every MT5 quote received', () => {
    expect(run.binanceRows.map((r) => [r.seq, r.volume, r.ts_event, r.offset])).toEqual(ROWS.map((r) => [r.a, r.qty, r.tsEvent, 0]));
    run.binanceRows.forEach((r, i) => expect(r.last).toBe(ROWS[i]!.price));
    expect(run.mt5Rows.length).toBeGreaterThan(run.backAt - run.downAt);
    expect(run.mt5Rows).toEqual(QUOTES.slice(0, run.mt5Rows.length).map((q) => ({ ts_event: q.utcMs, bid: q.bid, ask: q.ask })));
    // the MT5 stretch of the fused stream is a run of the stored MT5 quotes
    const fusedMt5 = run.fused.slice(run.downAt, run.backAt).map((t) => ({ ts_event: t.tsEvent, bid: t.bid, ask: t.ask }));
    const k = run.mt5Rows.findIndex((r) => r.ts_event === fusedMt5[0]!.ts_event && r.bid === fusedMt5[0]!.bid);
    expect(run.mt5Rows.slice(k, k + fusedMt5.length)).toEqual(fusedMt5);
    for (let i = 1; i < run.times.length; i++) expect(run.times[i]! - run.times[i - 1]!).toBeLessThanOrEqual(MAX_INTER_ARRIVAL);
  });

  // Failback waits until Binance has caught up (its REST gap-fill replays the older trades first, which are
  // stored but not fused again), so tick.fused never goes back in time.
  it('after failback the fused stream never goes back in time', () => {
    const { fused, downAt } = run;
    for (let i = downAt + 1; i < fused.length; i++) expect(fused[i]!.tsEvent).toBeGreaterThanOrEqual(fused[i - 1]!.tsEvent);
  });
});
