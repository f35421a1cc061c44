/**
 * Replays recorded BTCUSD M5 bars (from the DTMS replay helper) through the
 * exits engine: one step per closed bar at its close time, bid = ask = last =
 * close, with a volatility state and VIX given per bar by the caller.
 */
import type { VolatilityState } from '../../../src/core/index.js';
import { exitsStep, initialExitsState, type ExitAction, type ExitDeclined, type ExitsConfig, type ExitsOpen, type ExitsState } from '../../../src/engines/exits/index.js';
import type { Bar } from '../dtms/replay.js';

/** Volatility state and VIX of one bar. */
export type Regime = (bar: Bar, index: number) => { state: VolatilityState | null; vix: number | null };

/** Result of an exits replay. */
export type ExitsReplay = { actions: ExitAction[]; considered: ExitDeclined[]; states: ExitsState[]; final: ExitsState };

/** Steps exits over the bars after the open, stopping once closed. */
export function replayExits(all: readonly Bar[], open: ExitsOpen, config: ExitsConfig, regime: Regime): ExitsReplay {
  let state = initialExitsState(open, config);
  const actions: ExitAction[] = [];
  const considered: ExitDeclined[] = [];
  const states: ExitsState[] = [state];
  all.forEach((b, i) => {
    if (b.closeTime <= open.openTime || state.closed) return;
    const c = b.candle.close;
    const r = regime(b, i);
    const step = exitsStep(state, { price: { bid: c, ask: c, last: c }, atr: b.atr, candles: [b.candle], volatilityState: r.state, vix: r.vix }, b.closeTime, config);
    state = step.state;
    actions.push(...step.actions);
    considered.push(...step.considered);
    states.push(state);
  });
  return { actions, considered, states, final: state };
}
