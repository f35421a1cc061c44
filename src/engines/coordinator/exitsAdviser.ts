/**
 * The intelligent-exits engine (src/engines/exits) behind the coordinator's
 * `ExitsAdviser` port: one exits state per managed position, created from the
 * DTMS state on first sight and synced to it (stop, volume) before each step,
 * so exits never loosens what DTMS or the venue already hold. Exits' declines
 * (`considered`) go back to the coordinator, which journals them in
 * `dtms_actions` like DTMS declines; a partial planned by exits and deferred
 * by the coordinator is not retried.
 */
import { DEFAULT_EXITS_CONFIG, exitPlan, exitsStep, exitsSync, initialExitsState, type ExitAction, type ExitsConfig, type ExitsState } from '../exits/index.js';
import type { ExitsAdviser, ExitProposal } from './types.js';

/** An exits adviser over the pure exits engine (one config, or one per symbol); `vix` gives the latest VIX reading (null when none). */
export function createExitsAdviser(config: ExitsConfig | ((symbol: string) => ExitsConfig) = DEFAULT_EXITS_CONFIG, vix: () => number | null = () => null): ExitsAdviser {
  const states = new Map<string, ExitsState>();
  const configOf = (symbol: string): ExitsConfig => (typeof config === 'function' ? config(symbol) : config);
  return {
    propose(dtms, market, now) {
      const known = states.get(dtms.ticket);
      const base = known ?? initialExitsState({ ticket: dtms.ticket, symbol: dtms.symbol, side: dtms.side, openPrice: dtms.openPrice, openTime: dtms.openTime, sl: dtms.initialSl, volume: dtms.initialVolume }, configOf(dtms.symbol));
      const synced = exitsSync(base, { sl: dtms.sl, volume: dtms.volume });
      const r = exitsStep(synced, { price: market.price, atr: market.atr, candles: market.candles, volatilityState: market.volatilityState, vix: vix() }, now, configOf(dtms.symbol));
      states.set(dtms.ticket, r.state);
      const toProposal = (a: ExitAction): ExitProposal => ({ kind: a.kind, value: a.value, reason: `${a.rule}: ${a.reason}`, data: { exitsRule: a.rule, ...a.data } });
      return { proposals: r.actions.map(toProposal), considered: r.considered.map(toProposal) };
    },
    plan(ticket) {
      const s = states.get(ticket);
      return s ? { ...exitPlan(s, configOf(s.symbol)) } : null;
    },
  };
}
