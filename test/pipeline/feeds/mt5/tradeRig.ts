/**
 * A bridge and a trading simulated terminal on real TCP (127.0.0.1, port 0)
 * sharing one TestClock, with the Dukascopy BTCUSD recording streamed at
 * speed 1; used by the MT5 venue and simulator trading tests.
 */
import { expect, vi } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { Mt5Bridge } from '../../../../src/pipeline/feeds/mt5/Mt5Bridge.js';
import { loadSimTicks, SIM_SYMBOL_SPECS, type SimTick } from '../../../../src/sim/mt5SimData.js';
import { Mt5TerminalSim, type Mt5TerminalSimOptions } from '../../../../src/sim/Mt5TerminalSim.js';
import { DUKASCOPY_TICKS_2023, fixturePath } from '../../../fixtures/load.js';

/** Waits (bounded) for real I/O until `fn` passes. */
export const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });

/** The rig: clock, bridge, simulator, the recorded ticks and every line the simulator read (`in`) or wrote (`out`). */
export type TradeRig = { clock: TestClock; bridge: Mt5Bridge; sim: Mt5TerminalSim; btc: SimTick[]; lines: Array<['in' | 'out', string]>; stop: () => Promise<void> };

/** Starts bridge + simulator, waits for the subscription, and streams `warmMs` of the recording. */
export async function tradeRig(extra: Partial<Mt5TerminalSimOptions> = {}, warmMs = 2_000): Promise<TradeRig> {
  const clock = new TestClock(Date.UTC(2024, 0, 1));
  const btc = await loadSimTicks(fixturePath(DUKASCOPY_TICKS_2023), 'dukascopy');
  const bridge = new Mt5Bridge({ clock, symbols: { BTCUSD: 'BTCUSD' }, barTimeframes: [], onTick: () => {} });
  await bridge.start();
  const lines: Array<['in' | 'out', string]> = [];
  const sim = new Mt5TerminalSim({ port: bridge.port, clock, symbols: [{ sym: 'BTCUSD', ...SIM_SYMBOL_SPECS.BTCUSD, ticks: btc }], speed: 1, trading: {}, tap: (d, l) => lines.push([d, l]), ...extra });
  await sim.start();
  const r: TradeRig = { clock, bridge, sim, btc, lines, stop: async () => { await sim.stop(); await bridge.stop(); } };
  await until(() => expect(sim.stats().subscribed).toBe(true));
  await drive(r, warmMs);
  return r;
}

/** Waits until the bridge has read every line the simulator wrote. */
export async function drained(r: TradeRig): Promise<void> {
  await until(() => expect(r.bridge.status().lastSeq).toBe(r.sim.stats().seq));
}

/** Advances the clock in 1 s steps, draining the link after each (the bridge's dead-link watchdog stays quiet). */
export async function drive(r: TradeRig, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    r.clock.advance(Math.min(1_000, ms - t));
    await drained(r);
  }
}

/** The last quote the simulator streamed (the one trades execute at). */
export function lastQuote(r: TradeRig): SimTick {
  const q = r.btc[r.sim.stats().ticksSent - 1];
  if (q === undefined) throw new Error('no tick streamed yet');
  return q;
}

/** Lines of `type` the simulator read from the bridge. */
export function received(r: TradeRig, type: string): Array<Record<string, unknown>> {
  return r.lines.filter(([d, l]) => d === 'in' && l.includes(`"type":"${type}"`)).map(([, l]) => JSON.parse(l) as Record<string, unknown>);
}
