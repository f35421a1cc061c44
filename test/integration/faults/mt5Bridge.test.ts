/**
 * MT5 bridge faults against the composed app in paper mode: only GBPJPY is
 * active (it has no Binance market, so no Binance feed is built), the bridge
 * listens on an ephemeral port, and `Mt5TerminalSim` connects to it as the
 * Expert Advisor does, replaying real recorded ticks at 120x on the TestClock.
 * There is no GBPJPY tick recording, so the terminal serves the real Dukascopy
 * BTCUSD hour (2023-02-20 12:00-13:00 UTC, 8523 quotes) under the broker
 * symbol GBPJPY; the bridge and the pipeline do not care what the prices are.
 */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { loadSimTicks, SIM_SYMBOL_SPECS } from '../../../src/sim/mt5SimData.js';
import { Mt5TerminalSim } from '../../../src/sim/Mt5TerminalSim.js';
import { dukascopyQuotes, DUKASCOPY_TICKS_2023, fixturePath } from '../../fixtures/load.js';
import { startApp, until, type Harness } from './faultHarness.js';

const DUKA = fixturePath(DUKASCOPY_TICKS_2023);

/**
 * The bridge's bound port. The App does not expose the bridge, so it is read
 * from the status detail (`tcp 127.0.0.1:PORT; ...`) that get_system_status shows.
 */
function bridgePort(h: Harness): number {
  const m = /tcp 127\.0\.0\.1:(\d+)/.exec(h.feed('mt5').detail);
  if (!m) throw new Error(`no port in ${h.feed('mt5').detail}`);
  return Number(m[1]);
}

describe('MT5 bridge faults, whole system (terminal sim -> bridge -> pipeline -> SQLite), paper mode', () => {
  it('a dropped link and a dead (half-open) link: the terminal reconnects, history fills what the link swallowed, stored ticks equal the recording', async () => {
    const recording = dukascopyQuotes(); // read straight from the CSV: [utc ms, bid, ask]
    expect(recording).toHaveLength(8523);
    const h = await startApp({ mode: 'paper', activeSymbols: ['GBPJPY'], mt5: { bridgePort: 0 } }, new TestClock(Date.UTC(2023, 1, 20, 12)));
    expect(h.app.ctx.facts().feeds.map((f) => f.id)).toEqual(['mt5']); // GBPJPY has no Binance market: no Binance feed
    expect(h.app.replay).toBeNull();
    const port = bridgePort(h);
    expect(port).toBeGreaterThan(0);
    const ticks = await loadSimTicks(DUKA, 'dukascopy');
    const sim = new Mt5TerminalSim({ port, clock: h.clock, symbols: [{ sym: 'GBPJPY', ...SIM_SYMBOL_SPECS.GBPJPY, ticks }], speed: 120 });
    try {
      await sim.start();
      await until(() => expect(h.feed('mt5').state).toBe('connected'));
      await until(() => expect(sim.stats().subscribed).toBe(true));
      /** One second of clock (two minutes of market), then wait until the bridge has taken every tick the terminal sent. */
      const live = async (seconds: number, alsoRecovered = 0) => {
        for (let i = 0; i < seconds; i++) {
          h.clock.advance(1_000);
          await until(() => expect(h.accepted()).toBe(sim.stats().ticksSent + alsoRecovered));
        }
      };
      await live(8);
      expect(h.accepted()).toBeGreaterThan(1_000);

      // 1. the terminal drops the link; it reconnects after its 1 s backoff and carries on from where it was
      sim.disconnectNow();
      await until(() => expect(h.feed('mt5').state).toBe('disconnected'));
      h.clock.advance(1_000);
      await until(() => expect(h.feed('mt5')).toMatchObject({ state: 'connected', reconnects: 1 }));
      await until(() => expect(sim.stats().subscribed).toBe(true));
      await live(6);

      // 2. the link goes half-open: the terminal "sends" into it, nothing arrives, heartbeats stop; the bridge
      //    declares it dead after 5 s, the terminal reconnects and the history request recovers the swallowed ticks
      sim.goSilent();
      const before = h.accepted();
      for (let i = 0; i < 10 && h.feed('mt5').state === 'connected'; i++) h.clock.advance(1_000);
      expect(h.feed('mt5').state).toBe('disconnected');
      const swallowed = sim.stats().ticksSwallowed;
      expect(swallowed).toBeGreaterThan(100);
      expect(h.accepted()).toBe(before);
      await until(() => expect(sim.stats().connected).toBe(false));
      h.clock.advance(1_000);
      await until(() => expect(h.feed('mt5')).toMatchObject({ state: 'connected', reconnects: 2 }));
      // what the terminal sent before it went silent, the swallowed ticks (from history), and what it sent live since
      await until(() => expect(h.accepted()).toBe(sim.stats().ticksSent + swallowed));
      for (let i = 0; i < 60 && !sim.stats().finished; i++) await live(1, swallowed);
      expect(sim.stats().finished).toBe(true);
      expect(h.accepted()).toBe(8523);
    } catch (error) {
      await sim.stop();
      throw error;
    }
    const { db, events } = await h.stopAndRead(); // the bridge closes first, so the terminal's last link does not end as a fault
    await sim.stop();
    const stored = db.prepare("SELECT ts_event, bid, ask, seq, source, kind FROM unified_ticks WHERE symbol = 'GBPJPY' ORDER BY ts_event, seq DESC").all() as {
      ts_event: number;
      bid: number;
      ask: number;
      seq: number;
      source: string;
      kind: string;
    }[];
    expect(stored.map((r) => [r.ts_event, r.bid, r.ask])).toEqual(recording);
    expect(stored.every((r) => r.source === 'mt5' && r.kind === 'Q' && r.seq < 0)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM unified_ticks').get()).toEqual({ n: 8523 });

    const gaps = events.filter((e) => e.kind.startsWith('gap.')).map((e) => [e.kind, e.data.source, e.data.recovered]);
    expect(gaps).toEqual([
      ['gap.open', 'mt5', 0],
      ['gap.filled', 'mt5', 0], // a clean drop loses nothing: everything sent had arrived
      ['gap.open', 'mt5', 0],
      ['gap.filled', 'mt5', sim.stats().ticksSwallowed],
    ]);
    expect(events.filter((e) => e.kind === 'mt5.link_dead')).toHaveLength(1);
    expect(events.filter((e) => e.message.startsWith('MT5 terminal disconnected')).map((e) => e.message)).toEqual([
      'MT5 terminal disconnected: terminal closed the connection',
      'MT5 terminal disconnected: no line for 5000 ms',
    ]);
    const switches = events.filter((e) => e.kind === 'source.switched').map((e) => [e.data.from, e.data.to]);
    expect(switches).toEqual([
      [null, 'mt5'],
      ['mt5', null],
      [null, 'mt5'],
      ['mt5', null],
      [null, 'mt5'],
      ['mt5', null], // stop
    ]);
  });
});
