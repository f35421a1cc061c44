/**
 * The trading desk on the bus with recorded BTCUSDT M5 of 2024-03-14 (scenario A's
 * run-up): the VIX reading given to the desk widens the exits engine's trailing
 * distance exactly as `trailDistance` says (+2% per point above 20, capped at
 * 1.5x), and the exits engine's declines reach `dtms_actions` through the
 * coordinator's journal like DTMS declines. Also: the desk over another
 * execution venue, and a burst of ticks costing one decision.
 */
import { describe, expect, it } from 'vitest';
import { EventBus, TestClock, type DtmsActionRecord, type SymbolSpec, type Tick } from '../../../src/core/index.js';
import { createExitsAdviser, createTradingDesk, type ExitsAdviser } from '../../../src/engines/coordinator/index.js';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { DEFAULT_EXITS_CONFIG, exitsConfig, trailDistance, vixFactor, type ExitPlan } from '../../../src/engines/exits/index.js';
import { PaperVenue } from '../../../src/engines/paper/index.js';
import { BTC_RULES } from '../paper/harness.js';
import { BARS, at, driveDesk, rig } from './harness.js';

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };

/** Runs the desk over scenario A's bars up to `until` (a long of 1 at 01:04:59.999, stop 2 ATR under) and answers the journal and exit plan. */
async function deskRun(vix: number | null, until = at(2, 19)) {
  const clock = new TestClock(BARS[0]!.closeTime);
  const bus = new EventBus((e) => {
    throw e;
  });
  const rows: DtmsActionRecord[] = [];
  bus.subscribe('dtms.action', (r) => rows.push(r));
  const desk = createTradingDesk({ clock, bus, symbols: [SPEC], modeOf: () => 'replay', calendar: [], balance: 100_000, currency: 'USD', vix: () => vix });
  desk.start();
  let atr = null as number | null;
  await driveDesk(desk, bus, clock, until, async (b) => {
    atr = b.atr;
    if (b.closeTime === at(1, 4)) await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'V1' });
  });
  desk.stop();
  const plan = desk.coordinator.exitPlans('P1')?.[0]?.plan as ExitPlan | undefined;
  return { rows, plan, atr: atr! };
}

describe('VIX to the exits engine through the desk', () => {
  it('VIX 40 widens the trail to 2.5 x 1.4 ATR; VIX 90 is capped at 1.5x; no VIX leaves 2.5 ATR', async () => {
    const calm = await deskRun(null);
    // The ATR the desk used is the independent ATR(14) of the recorded bars.
    expect(calm.atr).toBeGreaterThan(0);
    const high = await deskRun(40);
    const capped = await deskRun(90);
    expect(vixFactor(40)).toBeCloseTo(1.4, 12);
    expect(vixFactor(90)).toBe(1.5);
    // The same ATR for all three runs (the desk's ATR(14) of the last closed M5 bar).
    expect(calm.plan?.trail).toMatchObject({ vix: null, volatilityState: null, distance: trailDistance(calm.atr, null, null, DEFAULT_EXITS_CONFIG) });
    expect(high.plan?.trail).toMatchObject({ vix: 40, distance: trailDistance(high.atr, null, 40, DEFAULT_EXITS_CONFIG) });
    expect(capped.plan?.trail).toMatchObject({ vix: 90, distance: trailDistance(capped.atr, null, 90, DEFAULT_EXITS_CONFIG) });
    expect(calm.plan!.trail.distance! / calm.atr).toBeCloseTo(2.5, 12);
    expect(high.plan!.trail.distance! / high.atr).toBeCloseTo(3.5, 12);
    expect(capped.plan!.trail.distance! / capped.atr).toBeCloseTo(3.75, 12);
    // The plan says what it used; the VIX is read at every decision.
    expect(high.plan).toMatchObject({ ticket: 'P1', status: 'open', trail: { active: true, activationR: 1 } });
  });
});

describe("exits' declines in dtms_actions", () => {
  it('a plan target whose partial is below the minimum volume is journalled as declined, source exits, with its data', async () => {
    // DTMS takes no partials here; exits closes a third of 0.2 = 0.06 lots at 1.5R, below the 0.1 minimum.
    const exits: ExitsAdviser = createExitsAdviser(exitsConfig({ volumeMin: 0.1, volumeStep: 0.01 }));
    const r = rig(dtmsConfig({ atrTrailK: 3, partialTargetsR: [] }), 'replay', exits);
    for (const b of BARS) {
      await r.feed(b);
      if (b.closeTime === at(1, 4)) await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 0.2, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'X1' });
      if (b.closeTime >= at(4, 39)) break;
    }
    await r.coordinator.idle();
    const declined = r.repo.query({ ticket: 'P1', limit: 1000 }).filter((x) => x.data.source === 'exits' && x.outcome === 'declined');
    expect(declined.map((x) => [x.action, x.data.exitsRule, x.data.value, x.data.targetR])).toEqual([
      ['partial_close', 'partial_plan', 0.06, 1.5],
      ['partial_close', 'partial_plan', 0.06, 3],
    ]);
    expect(declined[0]).toMatchObject({ outcome: 'declined', data: { source: 'exits', rule: 'exits', fraction: 1 / 3 } });
    expect(declined[0]?.reason).toBe('partial_plan: plan target 1.5R reached but the partial or the rest is below the minimum volume');
    r.store.close();
  });
});

describe('the desk over another execution venue', () => {
  it('the coordinator trades at the given venue; the paper venue exists beside it and stays untouched', async () => {
    const clock = new TestClock(BARS[0]!.closeTime);
    const bus = new EventBus();
    const own = new PaperVenue({ id: 'other', clock, rules: { BTCUSD: BTC_RULES }, balance: 5_000, currency: 'USD', defaultSpread: {}, priceOf: () => ({ bid: 72631.9, ask: 72632, last: null, tsEvent: clock.now() }) });
    const desk = createTradingDesk({ clock, bus, symbols: [SPEC], modeOf: () => 'live', calendar: [], balance: 1, currency: 'EUR', venue: own });
    expect(desk.paper.id).toBe('paper');
    expect(desk.venue).toBe(own);
    desk.start();
    const res = await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 0.5, sl: 72400, tp: null, idempotencyKey: 'O1' });
    expect(res).toMatchObject({ sent: true, retcode: 10009, ticket: 'P1' });
    expect(own.positions()).toEqual([expect.objectContaining({ ticket: 'P1', openPrice: 72632, sl: 72400, volume: 0.5 })]);
    expect(desk.coordinator.dtmsStates('P1')).toEqual([expect.objectContaining({ phase: 'monitoring', sl: 72400, risk: 232 })]);
    expect(desk.paper.positions()).toEqual([]);
    desk.stop();
  });

  it('a venue factory receives the paper venue (the server routes paper symbols to it and shadow/live ones to MT5)', () => {
    const clock = new TestClock(BARS[0]!.closeTime);
    let given: unknown = null;
    const desk = createTradingDesk({ clock, bus: new EventBus(), symbols: [SPEC], modeOf: () => 'paper', calendar: [], balance: 1_000, currency: 'USD', venue: (paper) => ((given = paper), paper) });
    expect(given).toBe(desk.paper);
    expect(desk.venue).toBe(desk.paper);
  });
});

describe('decision coalescing', () => {
  it('ticks arriving before the queued decision ran cost one decision, which reads the newest price', async () => {
    const clock = new TestClock(BARS[0]!.closeTime);
    const bus = new EventBus();
    const desk = createTradingDesk({ clock, bus, symbols: [SPEC], modeOf: () => 'replay', calendar: [], balance: 100_000, currency: 'USD' });
    desk.start();
    const tick = (price: number): Tick => ({ symbol: 'BTCUSD', source: 'binance', tsEvent: clock.now(), tsInit: clock.now(), bid: price, ask: price, last: price, volume: 0, trades: 1, takerSide: null, seq: null, offset: 0 });
    bus.publish('tick.fused', tick(72632));
    await desk.coordinator.idle();
    await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: 72400, tp: null, idempotencyKey: 'C1' });
    const before = desk.coordinator.status().decisions;
    // Three ticks in one synchronous burst: one decision; the position reaches 1R only at the third price.
    for (const p of [72700, 72800, 72864.5]) bus.publish('tick.fused', tick(p));
    await desk.coordinator.idle();
    expect(desk.coordinator.status().decisions).toBe(before + 1);
    expect(desk.coordinator.dtmsStates('P1')[0]).toMatchObject({ phase: 'breakeven', sl: 72655.2 });
    desk.stop();
  });
});
