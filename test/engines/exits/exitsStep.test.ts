/**
 * Intelligent exits on recorded data: BTCUSDT spot 1m klines of 2024-03-13/14
 * (Binance archive) grouped into M5 with ATR(14), via the DTMS replay helper.
 * Scenario A: a long opened at the close of the 2024-03-14 01:00 M5 bar rides
 * the run-up to 73658 and is stopped by the reversal. Scenario B: a long
 * opened at 08:00 never reaches +0.5R and is closed by the time stop.
 */
import { describe, expect, it } from 'vitest';
import type { VolatilityState } from '../../../src/core/index.js';
import { exitPlan, exitsConfig, exitsStep, exitsSync, initialExitsState, trailDistance, vixFactor, type ExitAction, type ExitsOpen } from '../../../src/engines/exits/index.js';
import { bars, march2024, toM5, type Bar } from '../dtms/replay.js';
import { replayExits } from './run.js';

const M5 = 300_000;
const BARS = bars(toM5(march2024([13, 14])), M5);
const at = (h: number, m: number, s = 59, ms = 999): number => Date.UTC(2024, 2, 14, h, m, s, ms);
const round2 = (x: number): number => Number(x.toFixed(2));
const brief = (a: ExitAction): [string, string, number, number] => [a.kind, a.rule, a.at, a.value];
const CFG = exitsConfig();

function openAt(h: number, m: number, side: 'buy' | 'sell' = 'buy', ticket = 'T1'): ExitsOpen {
  const bar = BARS.find((b) => b.candle.openTime === Date.UTC(2024, 2, 14, h, m, 0));
  if (bar === undefined || bar.atr === null) throw new Error('no bar');
  const dir = side === 'buy' ? 1 : -1;
  return { ticket, symbol: 'BTCUSD', side, openPrice: bar.candle.close, openTime: bar.closeTime, sl: round2(bar.candle.close - dir * 2 * bar.atr), volume: 1 };
}

/** The default rules for a long, recomputed from the candles with a fixed trail multiple `k` (in ATR). */
function expectedLong(open: ExitsOpen, k: number, timeStopMin: number): [string, string, number, number][] {
  const R = open.openPrice - open.sl;
  const out: [string, string, number, number][] = [];
  let sl = open.sl;
  let high = open.openPrice;
  let volume = 1;
  const done = [false, false];
  for (const b of BARS) {
    if (b.closeTime <= open.openTime) continue;
    if (b.candle.low <= sl) {
      out.push(['close', 'stop_hit', b.closeTime, volume]);
      break;
    }
    high = Math.max(high, b.candle.high);
    const bestR = (high - open.openPrice) / R;
    const progress = (b.candle.close - open.openPrice) / R;
    if (b.closeTime - open.openTime >= timeStopMin * 60_000 && bestR < 0.5) {
      out.push(['close', 'time_stop', b.closeTime, volume]);
      break;
    }
    [1.5, 3].forEach((r, i) => {
      if (!done[i] && progress >= r) {
        done[i] = true;
        out.push(['partial_close', 'partial_plan', b.closeTime, 0.333]);
        volume = Number((volume - 0.333).toFixed(3));
      }
    });
    const atr = b.atr ?? 0;
    const stop = round2(b.candle.close - k * atr);
    if (bestR >= 1 && stop - sl >= 0.25 * atr) {
      out.push(['modify_sl', 'vol_trail', b.closeTime, stop]);
      sl = stop;
    }
  }
  return out;
}

describe('distance scaling', () => {
  it('VIX widens above the reference, never narrows, and is capped', () => {
    expect(vixFactor(null)).toBe(1);
    expect(vixFactor(12)).toBe(1);
    expect(vixFactor(20)).toBe(1);
    expect(vixFactor(25)).toBeCloseTo(1.1, 12);
    expect(vixFactor(80)).toBe(1.5);
  });
  it('state multipliers, the noise floor in calm markets, and no floor in extreme ones', () => {
    expect(trailDistance(100, 'normal', null)).toBeCloseTo(250, 9);
    expect(trailDistance(100, null, null)).toBeCloseTo(250, 9);
    expect(trailDistance(100, 'expanding', null)).toBeCloseTo(312.5, 9);
    expect(trailDistance(100, 'calm', null)).toBeCloseTo(200, 9); // 2.5 x 0.7 = 1.75 ATR, floored at 2 ATR
    expect(trailDistance(100, 'calm', 40)).toBeCloseTo(245, 9); // 1.75 x 1.4 = 2.45 ATR, above the floor
    expect(trailDistance(100, 'extreme', null)).toBeCloseTo(150, 9); // 1.5 ATR: tighter than the floor on purpose
    expect(trailDistance(100, 'extreme', 90)).toBeCloseTo(225, 9); // VIX factor capped at 1.5
  });
});

describe('scenario A: 2024-03-14 01:05-04:35 UTC run-up and reversal', () => {
  const open = openAt(1, 0);

  it('normal state, VIX 25 (2.75 ATR trail): exact sequence', () => {
    const run = replayExits(BARS, open, CFG, () => ({ state: 'normal', vix: 25 }));
    expect(open.openPrice).toBe(72632);
    expect(open.sl).toBe(72416.58);
    expect(run.actions.map(brief)).toEqual([
      ['modify_sl', 'vol_trail', at(1, 54), 72557.22],
      ['modify_sl', 'vol_trail', at(1, 59), 72622.05],
      ['partial_close', 'partial_plan', at(2, 24), 0.333],
      ['modify_sl', 'vol_trail', at(2, 24), 72753.15],
      ['modify_sl', 'vol_trail', at(2, 29), 72827.12],
      ['modify_sl', 'vol_trail', at(3, 14), 72905.25],
      ['modify_sl', 'vol_trail', at(3, 24), 72981.47],
      ['modify_sl', 'vol_trail', at(3, 39), 73019.02],
      ['partial_close', 'partial_plan', at(3, 49), 0.333],
      ['modify_sl', 'vol_trail', at(4, 4), 73056.12],
      ['modify_sl', 'vol_trail', at(4, 9), 73109.07],
      ['modify_sl', 'vol_trail', at(4, 14), 73269.52],
    ]);
    expect(run.considered.map(brief)).toEqual([['close', 'stop_hit', at(4, 34), 0.334]]);
    expect(run.final.closed).toBe(true);
    expect([...run.actions.map(brief), ...run.considered.map(brief)].sort((a, b) => a[2] - b[2])).toEqual(expectedLong(open, 2.75, 120));
  });

  it('calm state, no VIX: the 2 ATR noise floor binds (not 1.75 ATR), verified independently', () => {
    const run = replayExits(BARS, open, CFG, () => ({ state: 'calm', vix: null }));
    const all = [...run.actions.map(brief), ...run.considered.map(brief)].sort((a, b) => a[2] - b[2]);
    expect(all).toEqual(expectedLong(open, 2, 120));
    expect(all).not.toEqual(expectedLong(open, 1.75, 120));
    expect(run.actions[0]?.data).toMatchObject({ volatilityState: 'calm', vix: null });
  });

  it('extreme state: a 1.5 ATR trail exits faster, verified independently', () => {
    const run = replayExits(BARS, open, CFG, () => ({ state: 'extreme', vix: null }));
    const all = [...run.actions.map(brief), ...run.considered.map(brief)].sort((a, b) => a[2] - b[2]);
    expect(all).toEqual(expectedLong(open, 1.5, 60));
    expect(run.considered.map(brief)).toEqual([['close', 'stop_hit', at(2, 54), 0.667]]);
  });

  it('exitPlan describes the plan before and after', () => {
    const s0 = initialExitsState(open, CFG);
    const p0 = exitPlan(s0, CFG);
    expect(p0.partials).toEqual([
      { r: 1.5, fraction: 1 / 3, price: round2(72632 + 1.5 * (72632 - 72416.58)), done: false },
      { r: 3, fraction: 1 / 3, price: round2(72632 + 3 * (72632 - 72416.58)), done: false },
    ]);
    expect(p0.trail).toEqual({ active: false, activationR: 1, activationPrice: 72847.42, distance: null, volatilityState: null, vix: null });
    expect(p0.timeStop).toEqual({ enabled: true, deadline: open.openTime + 120 * 60_000, minR: 0.5, satisfied: false });
    const run = replayExits(BARS, open, CFG, () => ({ state: 'normal', vix: 25 }));
    const p1 = exitPlan(run.states[run.states.length - 2]!, CFG);
    expect(p1).toMatchObject({ status: 'open', sl: 73269.52, volume: 0.334, trail: { active: true, volatilityState: 'normal', vix: 25 }, timeStop: { deadline: null, satisfied: true } });
    expect(p1.partials.map((p) => p.done)).toEqual([true, true]);
    expect(exitPlan(run.final, CFG).status).toBe('closed');
  });
});

describe('scenario B: 2024-03-14 08:05 long that never reaches +0.5R', () => {
  const open = openAt(8, 0, 'buy', 'T2');
  const R = open.openPrice - open.sl;
  const bestHigh = (until: number): number => Math.max(...BARS.filter((b) => b.closeTime > open.openTime && b.closeTime <= until).map((b: Bar) => b.candle.high));

  it('time stop after 120 min in a normal market', () => {
    const run = replayExits(BARS, open, CFG, () => ({ state: 'normal', vix: null }));
    expect(run.actions.map(brief)).toEqual([['close', 'time_stop', at(10, 4), 1]]);
    expect((bestHigh(at(10, 4)) - open.openPrice) / R).toBeLessThan(0.5);
    expect(run.final.bestR).toBeCloseTo((bestHigh(at(10, 4)) - open.openPrice) / R, 12);
    expect([...run.actions.map(brief)]).toEqual(expectedLong(open, 2.5, 120));
  });

  it('shortened to 60 min in an extreme market', () => {
    const run = replayExits(BARS, open, CFG, () => ({ state: 'extreme', vix: null }));
    expect(run.actions.map(brief)).toEqual([['close', 'time_stop', at(9, 4), 1]]);
    expect(run.actions.map(brief)).toEqual(expectedLong(open, 1.5, 60));
  });
});

describe('determinism and stops that never loosen', () => {
  const STATES: (VolatilityState | null)[] = ['calm', 'normal', 'expanding', 'extreme', null];
  /** Seeded regime: the state and VIX change from bar to bar. */
  const regime = (seed: number) => (_b: Bar, i: number) => {
    const x = Math.imul(i + 1, 2654435761) ^ Math.imul(seed, 40503);
    const u = ((x >>> 0) % 1000) / 1000;
    return { state: STATES[(x >>> 3) % STATES.length] ?? null, vix: u < 0.2 ? null : 10 + 60 * u };
  };
  const opens: ExitsOpen[] = [];
  for (let i = 20; i < BARS.length - 50; i += 7) {
    const b = BARS[i]!;
    if (b.atr === null) continue;
    for (const side of ['buy', 'sell'] as const) {
      const dir = side === 'buy' ? 1 : -1;
      opens.push({ ticket: `P${i}${side}`, symbol: 'BTCUSD', side, openPrice: b.candle.close, openTime: b.closeTime, sl: round2(b.candle.close - dir * 1.5 * b.atr), volume: 1 });
    }
  }

  it('the same inputs give byte-identical output', () => {
    const open = openAt(1, 0);
    const a = replayExits(BARS, open, CFG, regime(7));
    const b = replayExits(BARS, open, CFG, regime(7));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it(`over ${opens.length} longs and shorts with changing states and VIX, every stop move tightens`, () => {
    let moves = 0;
    for (const [n, open] of opens.entries()) {
      const dir = open.side === 'buy' ? 1 : -1;
      const run = replayExits(BARS, open, n % 2 === 0 ? CFG : exitsConfig({ timeStopMinutes: 0, trailActivationR: 0.5 }), regime(n));
      for (let i = 1; i < run.states.length; i++) expect(dir * (run.states[i]!.sl - run.states[i - 1]!.sl)).toBeGreaterThanOrEqual(0);
      let sl = open.sl;
      for (const a of run.actions.filter((x) => x.kind === 'modify_sl')) {
        expect(dir * (a.value - sl)).toBeGreaterThan(0);
        sl = a.value;
        moves++;
      }
      const volumes = run.states.map((s) => s.volume);
      expect(volumes).toEqual([...volumes].sort((x, y) => y - x));
    }
    expect(moves).toBeGreaterThan(50);
  });

  it('a wider distance after a tight trail (extreme, then expanding with VIX 80) does not move the stop back', () => {
    const open = openAt(1, 0);
    const tight = replayExits(BARS.filter((b) => b.closeTime <= at(2, 29)), open, CFG, () => ({ state: 'extreme', vix: null }));
    expect(tight.final.sl).toBe(72957.39);
    const b = BARS.find((x) => x.closeTime === at(2, 34))!;
    const c = b.candle.close;
    const wide = exitsStep(tight.final, { price: { bid: c, ask: c, last: c }, atr: b.atr, candles: [b.candle], volatilityState: 'expanding', vix: 80 }, b.closeTime, CFG);
    expect(round2(c - trailDistance(b.atr!, 'expanding', 80))).toBeLessThan(72957.39);
    expect(wide.actions).toEqual([]);
    expect(wide.state.sl).toBe(72957.39);
    expect(wide.state.trailDistance).toBeCloseTo(b.atr! * 2.5 * 1.25 * 1.5, 9);
  });

  it('exitsSync takes a tighter venue stop and never a looser one', () => {
    const s = initialExitsState(openAt(1, 0), CFG);
    expect(exitsSync(s, { sl: 72500, volume: 1 }).sl).toBe(72500);
    expect(exitsSync(s, { sl: 72000, volume: 1 }).sl).toBe(72416.58);
    expect(exitsSync(s, { sl: null, volume: 0.5 })).toMatchObject({ sl: 72416.58, volume: 0.5 });
    expect(exitsSync(s, { sl: 72500, volume: 0 }).closed).toBe(true);
    const after = exitsStep(exitsSync(s, { sl: 72700, volume: 1 }), { price: { bid: 72650, ask: 72650, last: null }, atr: 50, candles: [], volatilityState: 'normal', vix: null }, at(1, 10), CFG);
    expect(after.state.sl).toBe(72700);
    expect(after.state.closed).toBe(true); // 72650 is beyond the synced stop: stopped at the venue
  });

  it('rejects a stop on the wrong side', () => {
    expect(() => initialExitsState({ ...openAt(1, 0), sl: 73000 }, CFG)).toThrow(/not beyond entry/);
  });
});
