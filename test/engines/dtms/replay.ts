/**
 * Replays recorded BTCUSDT 1m klines through DTMS for the tests: candles from
 * the fixture, ATR(14) and structure events from the pipeline, one DTMS step
 * per closed candle at its close time with bid = ask = last = close.
 */
import type { Candle, StructureEvent } from '../../../src/core/index.js';
import { dtmsStep, initialDtmsState, type DtmsAction, type DtmsConfig, type DtmsDeclined, type DtmsOpen, type DtmsState } from '../../../src/engines/dtms/index.js';
import { Atr } from '../../../src/pipeline/indicators/Atr.js';
import { initialStructureState, stepStructure, structureConfig } from '../../../src/pipeline/structure/index.js';
import { klineCandle, klineRows } from '../../fixtures/load.js';

/** Closed BTCUSD M1 candles of the given 2024-03 fixture days (e.g. 14), in order. */
export function march2024(days: readonly number[]): Candle[] {
  return days.flatMap((d) => klineRows(`binance/BTCUSDT-1m-2024-03-${String(d).padStart(2, '0')}.csv`).map(klineCandle));
}

/** Groups M1 candles into M5 candles (5 consecutive minutes each, aligned to UTC), closed. */
export function toM5(m1: readonly Candle[]): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i + 5 <= m1.length; i += 5) {
    const g = m1.slice(i, i + 5);
    const first = g[0]!;
    const last = g[4]!;
    if (first.openTime % 300_000 !== 0 || last.openTime !== first.openTime + 240_000) throw new Error(`unaligned M5 at ${first.openTime}`);
    out.push({
      ...first,
      timeframe: 'M5',
      high: Math.max(...g.map((c) => c.high)),
      low: Math.min(...g.map((c) => c.low)),
      close: last.close,
      volume: g.reduce((s, c) => s + c.volume, 0),
      tsEvent: last.tsEvent,
      tsInit: last.tsInit,
    });
  }
  return out;
}

/** One candle's market reading, as the engine would get it. */
export type Bar = { candle: Candle; atr: number | null; events: StructureEvent[]; closeTime: number };

/** ATR(14) and the structure events each candle confirmed. */
export function bars(candles: readonly Candle[], sizeMs = 60_000): Bar[] {
  const atr = new Atr(14);
  let st = initialStructureState(structureConfig('BTCUSD', sizeMs === 60_000 ? 'M1' : 'M5'));
  return candles.map((candle) => {
    const a = atr.add(candle);
    const step = stepStructure(st, candle);
    st = step.state;
    return { candle, atr: a, events: [...step.events], closeTime: candle.openTime + sizeMs - 1 };
  });
}

/** Result of a replay: every action, decline and state after each step. */
export type Replay = { actions: DtmsAction[]; considered: DtmsDeclined[]; states: DtmsState[]; final: DtmsState };

/** Steps DTMS over the bars after the open (bars with closeTime > open.openTime), stopping once closed. */
export function replay(all: readonly Bar[], open: DtmsOpen, config: DtmsConfig): Replay {
  let state = initialDtmsState(open);
  const actions: DtmsAction[] = [];
  const considered: DtmsDeclined[] = [];
  const states: DtmsState[] = [state];
  for (const b of all) {
    if (b.closeTime <= open.openTime) continue;
    const c = b.candle.close;
    const r = dtmsStep(state, { price: { bid: c, ask: c, last: c }, atr: b.atr, candles: [b.candle], events: b.events, volatilityState: null }, b.closeTime, config);
    state = r.state;
    actions.push(...r.actions);
    considered.push(...r.considered);
    states.push(state);
    if (state.phase === 'closed') break;
  }
  return { actions, considered, states, final: state };
}
