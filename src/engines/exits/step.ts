/**
 * The pure intelligent-exits transition `(state, market, now, config) ->
 * {state, actions, considered}` and its helpers. No clock reads, no I/O.
 *
 * Coexistence with DTMS: both engines run on the same data and each keeps its
 * own view of the position. DTMS partials (`partialTargetsR`, fraction of the
 * current volume) and exit partials (`partialPlan`, fraction of the initial
 * volume) are separate plans. The coordinator (priority risk -> DTMS -> exits)
 * sends at most one action per position per decision and, when both propose a
 * stop, the most protective one; it then feeds the venue's stop and volume
 * back with `exitsSync` (and DTMS likewise), so neither engine ever proposes a
 * stop looser than the one in force.
 */
import { InvalidRequestError } from '../../core/errors.js';
import type { VolatilityState } from '../../core/types/Volatility.js';
import { initialRisk } from '../dtms/index.js';
import {
  DEFAULT_EXITS_CONFIG,
  type ExitAction,
  type ExitActionKind,
  type ExitDeclined,
  type ExitRule,
  type ExitsConfig,
  type ExitsMarket,
  type ExitsOpen,
  type ExitsState,
  type ExitsStepResult,
} from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Merges partial exit settings over `DEFAULT_EXITS_CONFIG`. */
export function exitsConfig(overrides: Partial<ExitsConfig> = {}): ExitsConfig {
  return Object.freeze({ ...DEFAULT_EXITS_CONFIG, ...overrides });
}

/**
 * The exit state of a newly opened position, with its partial plan priced.
 * @throws InvalidRequestError when the stop is missing or on the wrong side, or the volume is not positive.
 */
export function initialExitsState(open: ExitsOpen, config: ExitsConfig = DEFAULT_EXITS_CONFIG): ExitsState {
  const dir = open.side === 'buy' ? 1 : -1;
  const risk = initialRisk(open, 'exits');
  const round = (x: number): number => Number(x.toFixed(config.priceDigits));
  return Object.freeze({
    ticket: open.ticket,
    symbol: open.symbol,
    side: open.side,
    openPrice: open.openPrice,
    openTime: open.openTime,
    initialSl: open.sl,
    risk,
    initialVolume: open.volume,
    volume: open.volume,
    sl: open.sl,
    bestR: 0,
    partials: Object.freeze(config.partialPlan.map((p) => Object.freeze({ r: p.r, fraction: p.fraction, price: round(open.openPrice + dir * p.r * risk), done: false }))),
    trailDistance: null,
    lastVolatilityState: null,
    lastVix: null,
    closed: false,
    lastStepAt: null,
  });
}

/** VIX widening factor: 1 at or below the reference, +`vixSlope` per point above, capped at `vixMaxFactor`. */
export function vixFactor(vix: number | null, config: ExitsConfig = DEFAULT_EXITS_CONFIG): number {
  if (vix === null || !Number.isFinite(vix)) return 1;
  return Math.min(config.vixMaxFactor, Math.max(1, 1 + config.vixSlope * (vix - config.vixReference)));
}

/**
 * Trailing distance in price: ATR x `atrTrailK` x the state's multiplier x
 * the VIX factor, never below `minDistanceAtrK` x ATR (noise floor) except in
 * `extreme`, where a tighter trail is the point.
 */
export function trailDistance(atr: number, state: VolatilityState | null, vix: number | null, config: ExitsConfig = DEFAULT_EXITS_CONFIG): number {
  const k = config.atrTrailK * config.volatilityMultipliers[state ?? 'normal'] * vixFactor(vix, config);
  return state === 'extreme' ? k * atr : Math.max(k, config.minDistanceAtrK) * atr;
}

/** Minutes of the time stop in this volatility state (shortened in `extreme`). */
export function timeStopMinutes(state: VolatilityState | null, config: ExitsConfig = DEFAULT_EXITS_CONFIG): number {
  return state === 'extreme' ? config.timeStopMinutes * config.extremeTimeStopFactor : config.timeStopMinutes;
}

/**
 * Tells exits the stop and volume in force at the venue (after a DTMS or
 * coordinator action): the stop is taken only if more protective, the volume
 * only if smaller, so syncing never loosens anything.
 */
export function exitsSync(state: ExitsState, venue: Readonly<{ sl: number | null; volume: number }>): ExitsState {
  const dir = state.side === 'buy' ? 1 : -1;
  const sl = venue.sl !== null && dir * (venue.sl - state.sl) > 0 ? venue.sl : state.sl;
  return Object.freeze({ ...state, sl, volume: Math.min(state.volume, venue.volume), closed: state.closed || venue.volume <= 0 });
}

/**
 * One exits decision for one position. Order: stop reached at the venue
 * (-> closed, nothing sent); time stop (closed when `now - openTime` reaches
 * the state's time-stop minutes and the best progress never reached
 * `timeStopR`); partial plan targets (by price progress, fractions of the
 * initial volume); then the volatility-scaled ATR trail once the best
 * progress reached `trailActivationR`, sent only when it tightens the stop by
 * at least `minTrailStepAtr` x ATR (a stop never loosens); such a stop is
 * declined instead when it would be within `minStopDistance` (the broker's
 * stops level, when set) of the price.
 */
export function exitsStep(state: ExitsState, market: ExitsMarket, now: number, config: ExitsConfig = DEFAULT_EXITS_CONFIG): ExitsStepResult {
  if (state.closed) return { state, actions: [], considered: [] };
  const dir = state.side === 'buy' ? 1 : -1;
  const long = dir === 1;
  const actions: ExitAction[] = [];
  const considered: ExitDeclined[] = [];
  const last = market.candles[market.candles.length - 1];
  const price = (long ? market.price.bid : market.price.ask) ?? market.price.last ?? last?.close ?? null;
  const s: Mutable<ExitsState> = { ...state, lastStepAt: now, lastVolatilityState: market.volatilityState, lastVix: market.vix };
  if (price === null) return { state: Object.freeze(s), actions, considered };

  const round = (x: number): number => Number(x.toFixed(config.priceDigits));
  const vol = (x: number): number => Number((Math.floor(x / config.volumeStep + 1e-9) * config.volumeStep).toFixed(10));
  const tighter = (a: number, b: number): boolean => dir * (a - b) > 0;
  const row = (kind: ExitActionKind, rule: ExitRule, value: number, reason: string, data: ExitAction['data']): ExitAction =>
    Object.freeze({ kind, ticket: s.ticket, rule, at: now, value, reason, engine: 'exits' as const, data: Object.freeze({ ...data, volatilityState: market.volatilityState, vix: market.vix }) });
  const act = (...a: Parameters<typeof row>): void => void actions.push(row(...a));
  const decline = (...a: Parameters<typeof row>): void => void considered.push(Object.freeze({ ...row(...a), declined: true as const }));

  // 1. Stop reached at the venue.
  const worst = market.candles.reduce((w, c) => (long ? Math.min(w, c.low) : Math.max(w, c.high)), price);
  if (!tighter(worst, s.sl)) {
    decline('close', 'stop_hit', s.volume, 'stop reached at the venue: the venue closes the position, nothing sent', { sl: s.sl, price: worst });
    s.closed = true;
    return { state: Object.freeze(s), actions, considered };
  }
  const best = market.candles.reduce((b, c) => (long ? Math.max(b, c.high) : Math.min(b, c.low)), price);
  s.bestR = Math.max(s.bestR, (dir * (best - s.openPrice)) / s.risk);
  const progressR = (dir * (price - s.openPrice)) / s.risk;

  // 2. Time stop.
  const minutes = timeStopMinutes(market.volatilityState, config);
  if (config.timeStopMinutes > 0 && now - s.openTime >= minutes * 60_000 && s.bestR < config.timeStopR) {
    act('close', 'time_stop', s.volume, `${minutes} min without reaching ${config.timeStopR}R`, { minutes, bestR: Number(s.bestR.toFixed(4)), price });
    s.closed = true;
    return { state: Object.freeze(s), actions, considered };
  }

  // 3. Partial plan.
  const partials = s.partials.map((p) => {
    if (p.done || progressR < p.r) return p;
    const closeVol = vol(Math.min(s.volume, s.initialVolume * p.fraction));
    const data = { targetR: p.r, fraction: p.fraction, progressR: Number(progressR.toFixed(4)), price };
    if (closeVol < config.volumeMin || vol(s.volume - closeVol) < config.volumeMin) {
      decline('partial_close', 'partial_plan', closeVol, `plan target ${p.r}R reached but the partial or the rest is below the minimum volume`, data);
    } else {
      act('partial_close', 'partial_plan', closeVol, `plan target ${p.r}R reached: close ${p.fraction} of the initial volume`, data);
      s.volume = vol(s.volume - closeVol);
    }
    return Object.freeze({ ...p, done: true });
  });
  s.partials = Object.freeze(partials);

  // 4. Volatility-scaled ATR trail.
  if (market.atr !== null) {
    const distance = trailDistance(market.atr, market.volatilityState, market.vix, config);
    s.trailDistance = distance;
    if (s.bestR >= config.trailActivationR) {
      const stop = round(price - dir * distance);
      if (tighter(stop, s.sl) && dir * (stop - s.sl) >= config.minTrailStepAtr * market.atr) {
        if (config.minStopDistance > 0 && dir * (price - stop) <= config.minStopDistance) {
          decline('modify_sl', 'vol_trail', stop, `trail stop would be within the minimum stop distance ${config.minStopDistance} of the price`, { price, atr: market.atr, distance, minStopDistance: config.minStopDistance, sl: s.sl });
        } else {
          act('modify_sl', 'vol_trail', stop, `trail ${Number((distance / market.atr).toFixed(4))} x ATR behind the price`, { price, atr: market.atr, distance, previousSl: s.sl });
          s.sl = stop;
        }
      }
    }
  }
  return { state: Object.freeze(s), actions, considered };
}
