/** The exit plan of a position as `get_exit_plans` reports it. */
import { timeStopMinutes } from './step.js';
import { DEFAULT_EXITS_CONFIG, type ExitPlan, type ExitsConfig, type ExitsState } from './types.js';

/**
 * Describes a position's exit plan from its exit state: current stop and
 * volume, whether the trail is active (and at what price it activates, with
 * the last distance, volatility state and VIX), the priced partial targets
 * and the time stop's deadline (shortened while the last state is `extreme`).
 */
export function exitPlan(state: ExitsState, config: ExitsConfig = DEFAULT_EXITS_CONFIG): ExitPlan {
  const dir = state.side === 'buy' ? 1 : -1;
  const minutes = timeStopMinutes(state.lastVolatilityState, config);
  const enabled = config.timeStopMinutes > 0;
  const satisfied = state.bestR >= config.timeStopR;
  return Object.freeze({
    ticket: state.ticket,
    symbol: state.symbol,
    side: state.side,
    status: state.closed ? 'closed' : 'open',
    sl: state.sl,
    volume: state.volume,
    risk: state.risk,
    bestR: Number(state.bestR.toFixed(4)),
    trail: Object.freeze({
      active: state.bestR >= config.trailActivationR,
      activationR: config.trailActivationR,
      activationPrice: Number((state.openPrice + dir * config.trailActivationR * state.risk).toFixed(config.priceDigits)),
      distance: state.trailDistance,
      volatilityState: state.lastVolatilityState,
      vix: state.lastVix,
    }),
    partials: state.partials,
    timeStop: Object.freeze({ enabled, deadline: enabled && !satisfied ? state.openTime + minutes * 60_000 : null, minR: config.timeStopR, satisfied }),
  });
}
