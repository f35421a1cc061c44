/**
 * The pure DTMS transition `(state, market, now, config) -> {state, actions,
 * considered}`: breakeven, trailing behind structure or ATR, partials at R
 * targets, tightening on a CHOCH against, hedging on a confirmed reversal and
 * closing on invalidation. No clock reads, no I/O: the same inputs always give
 * the same (JSON-equal) output.
 */
import { InvalidRequestError } from '../../core/errors.js';
import type { Candle } from '../../core/types/Candle.js';
import {
  DEFAULT_DTMS_CONFIG,
  DTMS_PHASES,
  DTMS_TRANSITIONS,
  type DtmsAction,
  type DtmsActionKind,
  type DtmsConfig,
  type DtmsDeclined,
  type DtmsMarket,
  type DtmsOpen,
  type DtmsPhase,
  type DtmsRule,
  type DtmsState,
  type DtmsStepResult,
} from './types.js';

/** Merges partial rule settings over `DEFAULT_DTMS_CONFIG`. */
export function dtmsConfig(overrides: Partial<DtmsConfig> = {}): DtmsConfig {
  return Object.freeze({ ...DEFAULT_DTMS_CONFIG, ...overrides });
}

/**
 * The `monitoring` state of a newly opened position.
 * @throws InvalidRequestError when the stop is missing, on the wrong side, or the volume is not positive.
 */
/**
 * The initial risk R of a position (distance from entry to its stop, positive),
 * shared by DTMS and the exits engine.
 * @throws InvalidRequestError when the stop is not beyond entry or the volume is not positive.
 */
export function initialRisk(
  open: Readonly<{ ticket: string; side: 'buy' | 'sell'; openPrice: number; sl: number; volume: number }>,
  engine: string,
): number {
  const dir = open.side === 'buy' ? 1 : -1;
  const risk = dir * (open.openPrice - open.sl);
  if (!(risk > 0)) throw new InvalidRequestError(`${engine} ${open.ticket}: stop ${open.sl} is not beyond entry ${open.openPrice} for a ${open.side}`);
  if (!(open.volume > 0)) throw new InvalidRequestError(`${engine} ${open.ticket}: volume must be positive`);
  return risk;
}

export function initialDtmsState(open: DtmsOpen): DtmsState {
  const risk = initialRisk(open, 'dtms');
  return Object.freeze({
    ticket: open.ticket,
    symbol: open.symbol,
    side: open.side,
    openPrice: open.openPrice,
    openTime: open.openTime,
    initialSl: open.sl,
    risk,
    invalidation: open.invalidation ?? open.sl,
    initialVolume: open.volume,
    volume: open.volume,
    sl: open.sl,
    phase: 'monitoring',
    targetsTaken: 0,
    swingLow: null,
    swingHigh: null,
    chochAgainstAt: null,
    bosAgainstAt: null,
    lastStepAt: null,
  });
}

/** True when `to` is an allowed next phase of `from` (see `DTMS_TRANSITIONS`). */
export function canTransition(from: DtmsPhase, to: DtmsPhase): boolean {
  return DTMS_TRANSITIONS[from].includes(to);
}

/** The later of two phases (phases only move forward). */
function advance(from: DtmsPhase, to: DtmsPhase): DtmsPhase {
  return DTMS_PHASES.indexOf(to) > DTMS_PHASES.indexOf(from) ? to : from;
}

type StopCandidate = { rule: DtmsRule; value: number; reason: string; data: Record<string, number | string | null> };

/**
 * One DTMS decision for one position. Order of evaluation: structure memory
 * (swings, CHOCH/BOS against) from `market.events`; stop reached at the venue
 * (-> `closed`, nothing sent); a candle close beyond the invalidation level
 * (-> `close`); a newly confirmed reversal (CHOCH then BOS against) -> `hedge`
 * if `allowHedge`; partial targets; then the most protective stop among
 * breakeven (after `breakevenR`), trail (after breakeven: the more protective
 * of swing - buffer and price - k x ATR) and CHOCH tightening, sent only when
 * it tightens the current stop (a stop never loosens). Declines are reported
 * in `considered` whenever a rule triggered (threshold reached, event
 * arrived) and was not acted on; a routine ATR trail that does not tighten is
 * not a decision and is not reported. Every action's `data` also carries the
 * market's `volatilityState` (recorded, not yet a rule: see intelligent exits).
 */
export function dtmsStep(state: DtmsState, market: DtmsMarket, now: number, config: DtmsConfig = DEFAULT_DTMS_CONFIG): DtmsStepResult {
  if (state.phase === 'closed') return { state, actions: [], considered: [] };
  const dir = state.side === 'buy' ? 1 : -1;
  const long = dir === 1;
  const actions: DtmsAction[] = [];
  const considered: DtmsDeclined[] = [];
  const lastCandle: Candle | undefined = market.candles[market.candles.length - 1];
  const price = (long ? market.price.bid : market.price.ask) ?? market.price.last ?? lastCandle?.close ?? null;
  const s: { -readonly [K in keyof DtmsState]: DtmsState[K] } = { ...state, lastStepAt: now };
  if (price === null) return { state: Object.freeze(s), actions, considered };

  const round = (x: number): number => Number(x.toFixed(config.priceDigits));
  const vol = (x: number): number => Number((Math.floor(x / config.volumeStep + 1e-9) * config.volumeStep).toFixed(10));
  const tighter = (a: number, b: number): boolean => dir * (a - b) > 0;
  const act = (kind: DtmsActionKind, rule: DtmsRule, value: number, reason: string, data: DtmsAction['data']): void => {
    actions.push(Object.freeze({ kind, ticket: s.ticket, rule, at: now, value, reason, data: Object.freeze({ ...data, volatilityState: market.volatilityState }) }));
  };
  const decline = (kind: DtmsActionKind, rule: DtmsRule, value: number, reason: string, data: DtmsAction['data']): void => {
    considered.push(Object.freeze({ kind, ticket: s.ticket, rule, at: now, value, reason, data: Object.freeze({ ...data, volatilityState: market.volatilityState }), declined: true as const }));
  };

  // 1. Structure memory.
  const against = long ? 'bearish' : 'bullish';
  let newChoch: number | null = null;
  let newSwing = false;
  let newReversal = false;
  for (const e of market.events) {
    if (e.kind === 'swing_low' && e.level !== null) {
      s.swingLow = e.level;
      newSwing = newSwing || long;
    } else if (e.kind === 'swing_high' && e.level !== null) {
      s.swingHigh = e.level;
      newSwing = newSwing || !long;
    } else if (e.kind === 'choch') {
      if (e.direction === against) {
        s.chochAgainstAt = e.confirmedAt;
        s.bosAgainstAt = null;
        if (e.level !== null) newChoch = e.level;
      } else {
        s.chochAgainstAt = null;
        s.bosAgainstAt = null;
      }
    } else if (e.kind === 'bos') {
      if (e.direction === against && s.chochAgainstAt !== null && s.bosAgainstAt === null) {
        s.bosAgainstAt = e.confirmedAt;
        newReversal = true;
      } else if (e.direction !== against) {
        s.chochAgainstAt = null;
        s.bosAgainstAt = null;
      }
    }
  }

  // 2. Stop reached at the venue: the venue closes the position, DTMS only records it.
  const worst = market.candles.reduce((w, c) => (long ? Math.min(w, c.low) : Math.max(w, c.high)), price);
  if (!tighter(worst, s.sl)) {
    decline('close', 'stop_hit', s.volume, 'stop reached at the venue: the venue closes the position, nothing sent', { sl: s.sl, price: worst });
    s.phase = 'closed';
    return { state: Object.freeze(s), actions, considered };
  }

  // 3. Invalidation: a close beyond the invalidation level.
  const broken = market.candles.find((c) => !tighter(c.close, s.invalidation));
  if (broken !== undefined) {
    act('close', 'invalidation', s.volume, 'candle closed beyond the invalidation level', { close: broken.close, invalidation: s.invalidation, candleOpenTime: broken.openTime });
    s.phase = 'closed';
    return { state: Object.freeze(s), actions, considered };
  }

  // 4. Hedge on a confirmed reversal.
  if (newReversal && s.phase !== 'hedged') {
    const hedgeVol = vol(s.volume * config.hedgeFraction);
    const data = { chochAt: s.chochAgainstAt, bosAt: s.bosAgainstAt, price };
    if (!config.allowHedge) decline('hedge', 'hedge', hedgeVol, 'confirmed reversal (CHOCH then BOS against) but hedging is disabled', data);
    else if (hedgeVol < config.volumeMin) decline('hedge', 'hedge', hedgeVol, 'confirmed reversal but the hedge volume is below the minimum', data);
    else {
      act('hedge', 'hedge', hedgeVol, 'confirmed reversal: CHOCH then BOS against the position', data);
      s.phase = advance(s.phase, 'hedged');
    }
  }

  // 5. Partial targets.
  const progressR = (dir * (price - s.openPrice)) / s.risk;
  const targets = config.partialTargetsR;
  for (let t = targets[s.targetsTaken]; t !== undefined && progressR >= t; t = targets[s.targetsTaken]) {
    const closeVol = vol(s.volume * config.partialFraction);
    const data = { targetR: t, progressR: Number(progressR.toFixed(4)), price };
    if (closeVol < config.volumeMin || vol(s.volume - closeVol) < config.volumeMin) {
      decline('partial_close', 'partial', closeVol, `target ${t}R reached but the partial or the rest is below the minimum volume`, data);
    } else {
      act('partial_close', 'partial', closeVol, `target ${t}R reached`, data);
      s.volume = vol(s.volume - closeVol);
      s.phase = advance(s.phase, 'partial_taken');
    }
    s.targetsTaken += 1;
  }

  // 6. Stop candidates.
  const beLevel = round(s.openPrice + dir * config.breakevenBufferR * s.risk);
  const beReached = progressR >= config.breakevenR;
  const candidates: StopCandidate[] = [];
  if (beReached) candidates.push({ rule: 'breakeven', value: beLevel, reason: `price reached ${config.breakevenR}R: stop to breakeven plus buffer`, data: { progressR: Number(progressR.toFixed(4)), price } });
  const trailing = beReached || !tighter(beLevel, s.sl);
  if (trailing && market.atr !== null) {
    const atrStop = round(price - dir * config.atrTrailK * market.atr);
    const swing = long ? s.swingLow : s.swingHigh;
    const swingStop = swing === null ? null : round(swing - dir * config.swingBufferAtr * market.atr);
    const useSwing = swingStop !== null && tighter(swingStop, atrStop) && tighter(price, swingStop);
    const value = useSwing && swingStop !== null ? swingStop : atrStop;
    const data = { price, atr: market.atr, atrStop, swing, swingStop };
    candidates.push({ rule: 'trail', value, reason: useSwing ? 'trail behind the latest confirmed swing' : `trail ${config.atrTrailK} x ATR behind the price`, data });
    if (newSwing && swingStop !== null && !tighter(swingStop, s.sl)) {
      decline('modify_sl', 'trail', swingStop, 'new swing: its trail would not tighten the stop', data);
    }
  }
  if (newChoch !== null) {
    const data = { chochLevel: newChoch, price, atr: market.atr };
    if (market.atr === null) decline('modify_sl', 'choch_tighten', s.sl, 'CHOCH against the position but ATR is warming up', data);
    else candidates.push({ rule: 'choch_tighten', value: round(price - dir * config.chochTightenAtrK * market.atr), reason: 'CHOCH against the position: tighten', data });
  }

  let best: StopCandidate | null = null;
  for (const c of candidates) {
    if (dir * (price - c.value) <= config.minStopDistance) {
      decline('modify_sl', c.rule, c.value, 'stop would be too close to (or beyond) the price', c.data);
      continue;
    }
    if (best === null || tighter(c.value, best.value)) best = c;
  }
  for (const c of candidates) {
    if (c === best || dir * (price - c.value) <= config.minStopDistance) continue;
    const declineOnce = c.rule === 'choch_tighten' || (c.rule === 'breakeven' && s.phase === 'monitoring');
    if (declineOnce) decline('modify_sl', c.rule, c.value, best !== null && tighter(best.value, c.value) ? `a more protective ${best.rule} stop was chosen` : 'would not tighten the stop', c.data);
  }
  if (best !== null) {
    const smallTrail = best.rule === 'trail' && market.atr !== null && dir * (best.value - s.sl) < config.minTrailStepAtr * market.atr;
    if (tighter(best.value, s.sl) && !smallTrail) {
      act('modify_sl', best.rule, best.value, best.reason, { ...best.data, previousSl: s.sl });
      s.sl = best.value;
    } else if (best.rule === 'choch_tighten' || (best.rule === 'breakeven' && s.phase === 'monitoring')) {
      decline('modify_sl', best.rule, best.value, 'would not tighten the stop (a stop never loosens)', { ...best.data, sl: s.sl });
    }
  }
  if (!tighter(beLevel, s.sl)) s.phase = advance(s.phase, tighter(s.sl, beLevel) ? 'trailing' : 'breakeven');
  return { state: Object.freeze(s), actions, considered };
}
