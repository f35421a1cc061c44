/**
 * Shadow mode against MT5, end to end in one process: the simulated terminal
 * streams the recorded Dukascopy BTCUSD quotes (2023-02-20 12:00 UTC) over
 * real TCP to the real bridge; the bridge's ticks go through the real
 * pipeline to the trading desk, whose coordinator trades through the
 * `RoutingVenue` (BTCUSD routed to the `Mt5Venue`). A trader sells 0.01 lot at
 * the terminal itself (not through UTP) with a stop above the market; as the
 * price falls DTMS wants the stop at breakeven. In `shadow` the decision is
 * journalled with outcome `shadow` and no trading command reaches the
 * terminal; switched to `live`, the next decision sends a real `modify_sltp`
 * that the terminal applies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus, type DtmsActionRecord, type SymbolSpec } from '../../src/core/index.js';
import { TestClock } from '../../src/core/clock/TestClock.js';
import { createTradingDesk, type TradingDesk } from '../../src/engines/index.js';
import { Mt5Bridge } from '../../src/pipeline/feeds/mt5/Mt5Bridge.js';
import { Mt5Venue } from '../../src/pipeline/feeds/mt5/Mt5Venue.js';
import { Pipeline } from '../../src/pipeline/index.js';
import { DtmsActionRepo, openStore, recordDtmsActions, type Store } from '../../src/store/index.js';
import { RoutingVenue, type VenueMode } from '../../src/server/venues.js';
import { loadSimTicks, SIM_SYMBOL_SPECS, type SimTick } from '../../src/sim/mt5SimData.js';
import type { SimExecution } from '../../src/sim/mt5SimExec.js';
import { Mt5TerminalSim } from '../../src/sim/Mt5TerminalSim.js';
import { DUKASCOPY_TICKS_2023, fixturePath } from '../fixtures/load.js';
import { drained, lastQuote, received, until, type TradeRig } from '../pipeline/feeds/mt5/tradeRig.js';

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: null, mt5: 'BTCUSD', primary: 'mt5' };
/** Minute 8 of the hour: the trader sells near the session's high. */
const FROM = Date.UTC(2023, 1, 20, 12, 8, 0);
const SL = 24960;

type Rig = TradeRig & { desk: TradingDesk; pipeline: Pipeline; journal: DtmsActionRecord[]; store: Store; setMode(m: VenueMode): void };

let rig: Rig | null = null;
afterEach(async () => {
  rig?.desk.stop();
  rig?.pipeline.stop();
  await rig?.stop();
  rig?.store.close();
  rig = null;
});

async function shadowRig(): Promise<Rig> {
  const all = await loadSimTicks(fixturePath(DUKASCOPY_TICKS_2023), 'dukascopy');
  const btc: SimTick[] = all.filter((t) => t.utcMs >= FROM);
  const clock = new TestClock(btc[0]!.utcMs);
  const bus = new EventBus((error) => {
    throw error;
  });
  const pipeline = new Pipeline({ bus, clock, symbols: [SPEC] });
  const bridge = new Mt5Bridge({ clock, symbols: { BTCUSD: 'BTCUSD' }, barTimeframes: [], onTick: (t) => void pipeline.ingest(t) });
  await bridge.start();
  const lines: Array<['in' | 'out', string]> = [];
  const sim = new Mt5TerminalSim({ port: bridge.port, clock, symbols: [{ sym: 'BTCUSD', ...SIM_SYMBOL_SPECS.BTCUSD, ticks: btc }], speed: 1, trading: {}, tap: (d, l) => lines.push([d, l]) });
  await sim.start();
  let mode: VenueMode = 'shadow';
  const modeOf = () => mode;
  const mt5 = new Mt5Venue({ bridge, clock, symbols: { BTCUSD: 'BTCUSD' }, timeoutMs: 3_000 });
  const errors: unknown[] = [];
  const desk = createTradingDesk({
    clock,
    bus,
    symbols: [SPEC],
    modeOf,
    calendar: [],
    balance: 10_000,
    currency: 'USD',
    venue: (paper) => new RoutingVenue({ clock, paper, mt5, modeOf }, ['BTCUSD']),
    onError: (error) => errors.push(error),
  });
  const journal: DtmsActionRecord[] = [];
  bus.subscribe('dtms.action', (r) => journal.push(r));
  // The journal as the server keeps it: every record in dtms_actions.
  const store = openStore({ path: ':memory:', clock });
  recordDtmsActions(bus, new DtmsActionRepo(store.db), (error) => errors.push(error));
  pipeline.start();
  desk.start();
  const r: Rig = {
    clock,
    bridge,
    sim,
    btc,
    lines,
    desk,
    pipeline,
    journal,
    store,
    setMode: (m) => (mode = m),
    stop: async () => {
      expect(errors).toEqual([]);
      await sim.stop();
      await bridge.stop();
    },
  };
  await until(() => expect(sim.stats().subscribed).toBe(true));
  return r;
}

/** Advances the clock 1 s at a time (draining the link and the coordinator) until `done` or `maxMs`. */
async function driveUntil(r: Rig, done: () => boolean, maxMs: number): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t += 1_000) {
    r.clock.advance(1_000);
    await drained(r);
    await r.desk.coordinator.idle();
  }
}

const trading = (r: Rig, type: string) => received(r, type);

describe('shadow mode: DTMS decisions against MT5 are journalled, never sent; live sends them', () => {
  it('journals the breakeven stop as shadow with no command at the terminal, then sends it as modify_sltp once live', async () => {
    rig = await shadowRig();
    const r = rig;
    await driveUntil(r, () => r.sim.stats().ticksSent > 0, 5_000);
    const first = r.btc[0]!;
    // The trader sells at the terminal itself (as with the MT5 order button; the simulator's own execution, no bridge
    // command): filled at the bid of the last quote streamed.
    const exec = Reflect.get(r.sim, 'exec') as SimExecution;
    const open = lastQuote(r).bid;
    expect(open).toBe(24874.1);
    const opened = await exec.execute({ v: 1, type: 'order', seq: 1, ts: 0, reqId: 1, idempotencyKey: 'manual-1', sym: 'BTCUSD', side: 'sell', orderType: 'market', volume: 0.01, sl: SL, comment: 'manual' } as never);
    expect(opened).toMatchObject({ ok: true, retcode: 10009, data: { ticket: 700000001, price: open } });

    // The terminal reports its positions (every 10 s); the coordinator enrols the position and watches the price.
    await driveUntil(r, () => r.journal.some((x) => x.action === 'enroll'), 15_000);
    const enroll = r.journal.find((x) => x.action === 'enroll');
    expect(enroll).toMatchObject({ ticket: '700000001', symbol: 'BTCUSD', outcome: 'recorded', data: { side: 'sell', openPrice: open, sl: SL, risk: SL - open, volume: 0.01 } });

    // Independently from the recording: the first quote at which the short has gained 1R (ask <= open - risk), and
    // the clock step that delivers it (the market clock of the terminal is the test clock, advanced in whole seconds).
    const risk = SL - open;
    const crossing = r.btc.find((t) => t.ask <= open - risk)!;
    const decidedAt = first.utcMs + Math.ceil((crossing.utcMs - first.utcMs) / 1_000) * 1_000;
    const priceThen = r.btc.filter((t) => t.utcMs <= decidedAt).at(-1)!.ask;
    const breakeven = Number((open - 0.1 * risk).toFixed(2)); // default breakevenBufferR 0.1
    expect([crossing.utcMs, crossing.ask, decidedAt, priceThen, breakeven]).toEqual([Date.UTC(2023, 1, 20, 12, 50, 38, 165), 24787.5, Date.UTC(2023, 1, 20, 12, 50, 39, 22), 24787.5, 24865.51]);

    const shadowed = () => r.journal.filter((x) => x.outcome === 'shadow');
    await driveUntil(r, () => shadowed().length > 0, 50 * 60_000);
    expect(shadowed()).toEqual([
      {
        ticket: '700000001',
        symbol: 'BTCUSD',
        action: 'modify_sl',
        outcome: 'shadow',
        reason: 'price reached 1R: stop to breakeven plus buffer (shadow mode: not sent)',
        stateFrom: 'monitoring',
        stateTo: 'breakeven',
        data: { source: 'dtms', rule: 'breakeven', value: breakeven, progressR: Number(((open - priceThen) / risk).toFixed(4)), price: priceThen, previousSl: SL, volatilityState: null },
        tsEvent: decidedAt,
        tsInit: decidedAt,
      },
    ]);
    // DTMS now holds the breakeven stop; the terminal's position keeps the trader's stop; no trading command was sent.
    expect(r.desk.coordinator.dtmsStates('700000001')).toMatchObject([{ phase: 'breakeven', sl: breakeven }]);
    const noCommands = () => ['order', 'modify_sltp', 'close'].map((type) => trading(r, type).length);
    expect(noCommands()).toEqual([0, 0, 0]);
    // Another 30 s in shadow: the decision is not repeated and still nothing reaches the terminal.
    await driveUntil(r, () => false, 30_000);
    expect(shadowed()).toHaveLength(1);
    expect(noCommands()).toEqual([0, 0, 0]);
    expect(exec.positions()).toMatchObject([{ ticket: 700000001, type: 'sell', volume: 0.01, priceOpen: open, sl: SL }]);
    expect(r.journal.filter((x) => x.outcome === 'sent' || x.outcome === 'rejected')).toEqual([]);

    // Live: the next decision brings the venue stop to the DTMS stop with a real modify_sltp, and the terminal applies it.
    const before = r.journal.length;
    r.setMode('live');
    // Decisions run on ticks: the first quote after the switch (the recording is quiet from 12:51:07.568 to 12:51:14.014).
    const switchedAt = r.clock.now();
    const nextTick = r.btc.find((t) => t.utcMs > switchedAt)!;
    const liveAt = first.utcMs + Math.ceil((nextTick.utcMs - first.utcMs) / 1_000) * 1_000;
    expect([switchedAt, nextTick.utcMs, liveAt]).toEqual([Date.UTC(2023, 1, 20, 12, 51, 9, 22), Date.UTC(2023, 1, 20, 12, 51, 14, 14), Date.UTC(2023, 1, 20, 12, 51, 14, 22)]);
    await driveUntil(r, () => trading(r, 'modify_sltp').length > 0, 20_000);
    await drained(r);
    expect(trading(r, 'modify_sltp')).toMatchObject([{ type: 'modify_sltp', ticket: 700000001, sl: breakeven, tp: 0 }]);
    expect(noCommands()).toEqual([0, 1, 0]);
    const sent = r.journal.slice(before).filter((x) => x.outcome !== 'declined');
    expect(sent).toEqual([
      {
        ticket: '700000001',
        symbol: 'BTCUSD',
        action: 'modify_sl',
        outcome: 'sent',
        reason: 'venue stop behind the DTMS stop (deferred or shadowed earlier): reconcile',
        stateFrom: 'breakeven',
        stateTo: 'breakeven',
        data: { source: 'dtms', rule: 'reconcile', value: breakeven, venueSl: SL, retcode: 10009 },
        tsEvent: liveAt,
        tsInit: liveAt,
      },
    ]);
    expect(exec.positions()).toMatchObject([{ ticket: 700000001, sl: breakeven }]);
    await until(() => expect(r.desk.venue.positions()).toMatchObject([{ ticket: '700000001', symbol: 'BTCUSD', sl: breakeven }]));
    // Sent once: later decisions do not send the same stop again.
    await driveUntil(r, () => false, 10_000);
    expect(noCommands()).toEqual([0, 1, 0]);
    // dtms_actions holds the same journal, the shadowed and the sent stop included.
    const stored = new DtmsActionRepo(r.store.db).query({ ticket: '700000001', limit: 10_000 });
    expect(stored).toEqual(r.journal.filter((x) => x.ticket === '700000001'));
    expect(stored.filter((x) => x.action === 'modify_sl' && x.outcome !== 'declined').map((x) => [x.outcome, x.data.rule, x.data.value])).toEqual([
      ['shadow', 'breakeven', breakeven],
      ['sent', 'reconcile', breakeven],
    ]);
  }, 120_000);
});
