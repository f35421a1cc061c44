/**
 * DTMS on recorded data: BTCUSDT spot 1m klines of 2024-03-13/14 (Binance
 * archive), grouped into M5 candles, ATR(14) and structure from the pipeline.
 * Scenario A: a long opened at the close of the 2024-03-14 01:00 M5 bar rides
 * the run-up to the 73658 high of 04:10 and is stopped by the reversal (bearish
 * CHOCH at 04:34:59.999). Scenario B: a long opened at 08:00 sees a bearish
 * CHOCH (08:59:59.999) then a bearish BOS (09:39:59.999).
 */
import { describe, expect, it } from 'vitest';
import { DTMS_TRANSITIONS, canTransition, dtmsConfig, dtmsStep, initialDtmsState, type DtmsAction, type DtmsOpen } from '../../../src/engines/dtms/index.js';
import { bars, march2024, replay, toM5, type Bar } from './replay.js';

const M5 = 300_000;
const BARS = bars(toM5(march2024([13, 14])), M5);
const at = (h: number, m: number, s = 59, ms = 999): number => Date.UTC(2024, 2, 14, h, m, s, ms);
const round2 = (x: number): number => Number(x.toFixed(2));

function openAt(h: number, m: number, atrMult: number, extra: Partial<DtmsOpen> = {}): { open: DtmsOpen; bar: Bar } {
  const bar = BARS.find((b) => b.candle.openTime === Date.UTC(2024, 2, 14, h, m, 0));
  if (bar === undefined || bar.atr === null) throw new Error('no bar');
  const open: DtmsOpen = { ticket: 'T1', symbol: 'BTCUSD', side: 'buy', openPrice: bar.candle.close, openTime: bar.closeTime, sl: round2(bar.candle.close - atrMult * bar.atr), volume: 1, ...extra };
  return { open, bar };
}
const brief = (a: DtmsAction): [string, string, number, number] => [a.kind, a.rule, a.at, a.value];

describe('scenario A: 2024-03-14 01:05-04:35 UTC run-up and reversal', () => {
  const cfg = dtmsConfig({ atrTrailK: 3 });
  const { open, bar } = openAt(1, 0, 2);
  const run = replay(BARS, open, cfg);

  it('opens at 72632 with a 2 ATR stop (R = 215.42)', () => {
    expect(bar.closeTime).toBe(at(1, 4));
    expect(open.openPrice).toBe(72632);
    expect(open.sl).toBe(72416.58);
    expect(run.states[0]?.risk).toBeCloseTo(215.42, 8);
  });

  it('moves to breakeven, trails, takes the partial and is stopped by the reversal: exact sequence', () => {
    expect(run.actions.map(brief)).toEqual([
      ['modify_sl', 'breakeven', at(1, 54), 72653.54],
      ['modify_sl', 'trail', at(2, 24), 72726.51],
      ['partial_close', 'partial', at(2, 29), 0.5],
      ['modify_sl', 'trail', at(2, 29), 72806.98],
      ['modify_sl', 'trail', at(3, 4), 72920.92],
      ['modify_sl', 'trail', at(3, 24), 72959.03],
      ['modify_sl', 'trail', at(3, 39), 72996.7],
      ['modify_sl', 'trail', at(3, 59), 73154.42],
      ['modify_sl', 'trail', at(4, 14), 73243.68],
    ]);
    expect(run.considered.map(brief)).toEqual([['close', 'stop_hit', at(4, 34), 0.5]]);
    expect(run.final.phase).toBe('closed');
    // Structure-based vs ATR-based trail, as the reasons say.
    expect(run.actions.filter((a) => a.rule === 'trail').map((a) => a.reason.includes('swing'))).toEqual([false, true, true, false, false, true, false]);
    // The reversal: the bearish CHOCH is confirmed by the bar that hit the stop.
    const rev = BARS.find((b) => b.closeTime === at(4, 34));
    expect(rev?.events.some((e) => e.kind === 'choch' && e.direction === 'bearish' && e.level === 73163)).toBe(true);
  });

  it('the sequence follows from the rules, recomputed independently from the candles', () => {
    const R = open.openPrice - open.sl;
    const be = round2(open.openPrice + 0.1 * R);
    let sl = open.sl;
    let swing: number | null = null;
    let partial = false;
    let volume = 1;
    const expected: [string, string, number, number][] = [];
    let stopAt: number | null = null;
    for (const b of BARS) {
      if (b.closeTime <= open.openTime) continue;
      for (const e of b.events) if (e.kind === 'swing_low' && e.level !== null) swing = e.level;
      if (b.candle.low <= sl) {
        stopAt = b.closeTime;
        break;
      }
      const c = b.candle.close;
      const atr = b.atr ?? 0;
      const progress = (c - open.openPrice) / R;
      if (!partial && progress >= 2) {
        partial = true;
        volume = 0.5;
        expected.push(['partial_close', 'partial', b.closeTime, 0.5]);
      }
      const cands: [string, number][] = [];
      if (progress >= 1) cands.push(['breakeven', be]);
      if (progress >= 1 || sl >= be) {
        const atrStop = round2(c - 3 * atr);
        const swingStop = swing === null ? null : round2(swing - 0.1 * atr);
        cands.push(['trail', swingStop !== null && swingStop > atrStop && swingStop < c ? swingStop : atrStop]);
      }
      const best = cands.reduce<[string, number] | null>((m, x) => (m === null || x[1] > m[1] ? x : m), null);
      if (best !== null && best[1] > sl && (best[0] !== 'trail' || best[1] - sl >= 0.25 * atr)) {
        expected.push(['modify_sl', best[0], b.closeTime, best[1]]);
        sl = best[1];
      }
    }
    expect(run.actions.map(brief)).toEqual(expected);
    expect(stopAt).toBe(at(4, 34));
    expect(volume).toBe(run.final.volume);
    // Breakeven exactly at the first close >= entry + 1R; partial at the first close >= entry + 2R.
    const after = BARS.filter((b) => b.closeTime > open.openTime);
    expect(after.find((b) => b.candle.close >= open.openPrice + R)?.closeTime).toBe(at(1, 54));
    expect(after.find((b) => b.candle.close >= open.openPrice + 2 * R)?.closeTime).toBe(at(2, 29));
  });

  it('phases move forward only: monitoring, breakeven, trailing, partial_taken, closed', () => {
    const phases = run.states.map((s) => s.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p);
    expect(phases).toEqual(['monitoring', 'breakeven', 'trailing', 'partial_taken', 'closed']);
    for (let i = 1; i < phases.length; i++) expect(canTransition(phases[i - 1]!, phases[i]!)).toBe(true);
  });

  it('is deterministic: two runs give JSON-identical actions and declines', () => {
    const again = replay(bars(toM5(march2024([13, 14])), M5), open, cfg);
    expect(JSON.stringify([again.actions, again.considered])).toBe(JSON.stringify([run.actions, run.considered]));
  });

  it('closes on invalidation: the 01:10 bar closes at 72692, below an invalidation level of 72700', () => {
    const inv = replay(BARS, { ...open, invalidation: 72700 }, cfg);
    expect(inv.actions.map(brief)).toEqual([['close', 'invalidation', at(1, 14), 1]]);
    expect(inv.final.phase).toBe('closed');
  });
});

describe('scenario B: 2024-03-14 08:05-10:20 UTC, CHOCH then BOS against a long', () => {
  const { open } = openAt(8, 0, 4);
  const base = { atrTrailK: 3, chochTightenAtrK: 3 };

  it('tightens on the CHOCH and hedges on the BOS when allowed', () => {
    const run = replay(BARS, open, dtmsConfig({ ...base, allowHedge: true }));
    const choch = BARS.find((b) => b.events.some((e) => e.kind === 'choch' && e.direction === 'bearish' && b.closeTime > open.openTime));
    const bos = BARS.find((b) => choch !== undefined && b.closeTime > choch.closeTime && b.events.some((e) => e.kind === 'bos' && e.direction === 'bearish'));
    expect(choch?.closeTime).toBe(at(8, 59));
    expect(bos?.closeTime).toBe(at(9, 39));
    const tighten = round2((choch?.candle.close ?? 0) - 3 * (choch?.atr ?? 0));
    expect(tighten).toBe(72980.19);
    expect(run.actions.map(brief)).toEqual([
      ['modify_sl', 'choch_tighten', at(8, 59), 72980.19],
      ['hedge', 'hedge', at(9, 39), 1],
    ]);
    expect(run.considered.map(brief)).toEqual([['close', 'stop_hit', at(10, 19), 1]]);
    expect(run.states.map((s) => s.phase).filter((p, i, a) => i === 0 || a[i - 1] !== p)).toEqual(['monitoring', 'hedged', 'closed']);
  });

  it('declines the hedge, with its reason, when hedging is disabled', () => {
    const run = replay(BARS, open, dtmsConfig(base));
    expect(run.actions.map(brief)).toEqual([['modify_sl', 'choch_tighten', at(8, 59), 72980.19]]);
    expect(run.considered.map((a) => [...brief(a), a.reason])).toEqual([
      ['hedge', 'hedge', at(9, 39), 1, 'confirmed reversal (CHOCH then BOS against) but hedging is disabled'],
      ['close', 'stop_hit', at(10, 19), 1],
    ].map((x) => (x.length === 4 ? [...x, 'stop reached at the venue: the venue closes the position, nothing sent'] : x)));
  });
});

describe('properties over the whole recorded series', () => {
  it('stops never loosen and phases only move along DTMS_TRANSITIONS (M5, 2024-03-11..18, longs and shorts every 30 min)', () => {
    const all = bars(toM5(march2024([11, 12, 13, 14, 15, 16, 17, 18])), M5);
    const cfg = dtmsConfig({ atrTrailK: 3, allowHedge: true });
    let steps = 0;
    let modifies = 0;
    for (let i = 20; i < all.length - 1; i += 6) {
      const b = all[i]!;
      for (const side of ['buy', 'sell'] as const) {
        const dir = side === 'buy' ? 1 : -1;
        const open: DtmsOpen = { ticket: `${side}${i}`, symbol: 'BTCUSD', side, openPrice: b.candle.close, openTime: b.closeTime, sl: round2(b.candle.close - dir * 2 * (b.atr ?? 0)), volume: 1 };
        const run = replay(all, open, cfg);
        for (let k = 1; k < run.states.length; k++) {
          const prev = run.states[k - 1]!;
          const cur = run.states[k]!;
          expect(dir * (cur.sl - prev.sl)).toBeGreaterThanOrEqual(0);
          if (cur.phase !== prev.phase) expect(DTMS_TRANSITIONS[prev.phase]).toContain(cur.phase);
          steps++;
        }
        for (const a of run.actions.filter((x) => x.kind === 'modify_sl')) expect(dir * (a.value - Number(a.data.previousSl))).toBeGreaterThan(0);
        modifies += run.actions.filter((x) => x.kind === 'modify_sl').length;
      }
    }
    expect(steps).toBeGreaterThan(10_000);
    expect(modifies).toBeGreaterThan(500);
  });
});

describe('state machine basics', () => {
  it('rejects a stop on the wrong side and does nothing once closed', () => {
    expect(() => initialDtmsState({ ticket: 'x', symbol: 'BTCUSD', side: 'buy', openPrice: 100, openTime: 0, sl: 101, volume: 1 })).toThrow();
    const s = { ...initialDtmsState({ ticket: 'x', symbol: 'BTCUSD', side: 'sell', openPrice: 100, openTime: 0, sl: 101, volume: 1 }), phase: 'closed' as const };
    const r = dtmsStep(s, { price: { bid: 50, ask: 50, last: 50 }, atr: 1, candles: [], events: [], volatilityState: null }, 1);
    expect(r).toEqual({ state: s, actions: [], considered: [] });
    expect(canTransition('trailing', 'breakeven')).toBe(false);
    expect(DTMS_TRANSITIONS.closed).toEqual([]);
  });
});
