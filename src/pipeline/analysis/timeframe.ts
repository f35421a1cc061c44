import type { Candle } from '../../core/types/Candle.js';
import { isEmptyCandle } from '../aggregation/aggregateCandles.js';
import { candleCloseTime } from '../../core/types/Candle.js';
import { TIMEFRAME_MS } from '../../core/types/Timeframe.js';
import { Atr } from '../indicators/Atr.js';
import { Ema } from '../indicators/Ema.js';
import { RangeExpansion } from '../indicators/RangeExpansion.js';
import { Vwap } from '../indicators/Vwap.js';
import { structureConfig } from '../structure/events.js';
import { initialStructureState, stepStructure } from '../structure/step.js';
import type { StructureEvent, StructureState } from '../structure/types.js';
import { compareZones, nearest, toZone } from './zones.js';
import { isoOf, MIN_ATR_SAMPLES, MIN_BARS, round4, round8, timeframeBias, volatilityRegime, ZONES_PER_TIMEFRAME } from './rules.js';
import type { AnalysedTimeframe, AnalysisZone, BreakInfo, SweepInfo, TimeframeAnalysis } from './types.js';

/** One timeframe's analysis plus what the cross-timeframe steps need from it. */
export type TimeframeWork = Readonly<{
  out: TimeframeAnalysis;
  /** Structure state after the last candle (null without candles). */
  state: StructureState | null;
  /** True when the timeframe has `MIN_BARS` closed bars and its bias counts. */
  ready: boolean;
  /** Every open zone of the timeframe placed against the price (unsorted, input order). */
  zones: readonly AnalysisZone[];
}>;

/** Formats a number for a reason text: 8 decimals at most, no float noise. */
export function fmt(n: number): string {
  return String(round8(n));
}

/**
 * Reads one timeframe: Wilder ATR(14) and its percentile over the window,
 * range expansion (ATR baseline, 14) and the volatility regime, the UTC-day
 * session VWAP, EMA(20) and EMA(50), and the causal market structure of the
 * candles (the detector's pure step, default 2/2 fractals: the same events
 * `detectStructure` returns), then the bias vote. `price` is the current price
 * every distance is measured from. Empty candles (no trade, no volume: the
 * market was closed or silent, e.g. a weekend in the roll-up of broker bars)
 * carry no price and are skipped (counted in `skippedEmpty`). Pure.
 */
export function analyseTimeframe(symbol: string, timeframe: AnalysedTimeframe, given: readonly Candle[], price: number): TimeframeWork {
  const candles = given.filter((c) => !isEmptyCandle(c));
  const atr = new Atr(14);
  const re = new RangeExpansion({ period: 14 });
  const vwap = new Vwap();
  const ema20 = new Ema(20);
  const ema50 = new Ema(50);
  const atrValues: number[] = [];
  let state: StructureState | null = candles.length > 0 ? initialStructureState(structureConfig(symbol, timeframe)) : null;
  let events = 0;
  let lastBreak: StructureEvent | null = null;
  let lastSweep: StructureEvent | null = null;
  for (const candle of candles) {
    const a = atr.add(candle);
    if (a !== null) atrValues.push(a);
    re.add(candle);
    vwap.add(candle);
    ema20.add(candle);
    ema50.add(candle);
    const step = stepStructure(state as StructureState, candle);
    state = step.state;
    events += step.events.length;
    for (const e of step.events) {
      if (e.kind === 'bos' || e.kind === 'choch') lastBreak = e;
      else if (e.kind === 'liquidity_sweep') lastSweep = e;
    }
  }
  const atrNow = atr.getResult();
  const percentile = atrNow !== null && atrValues.length >= MIN_ATR_SAMPLES ? (100 * atrValues.filter((v) => v <= atrNow).length) / atrValues.length : null;
  const rangeExpansion = re.getResult();
  const vw = vwap.getResult();
  const e20 = ema20.getResult();
  const e50 = ema50.getResult();
  const last = candles[candles.length - 1];
  const ready = candles.length >= MIN_BARS;
  const zones = state === null ? [] : [...state.orderBlocks, ...state.gaps].map((z) => toZone(timeframe, z, price));
  const bias = ready
    ? timeframeBias({ trend: state?.trend ?? null, price, vwap: vw, ema20: e20, ema50: e50 }, fmt)
    : { score: null, direction: 'neutral' as const, reasons: [`only ${candles.length} closed bars (the bias needs ${MIN_BARS})`] };
  const swing = (s: StructureState['swingHigh']) => (s === null ? null : { price: s.event.level as number, formedAt: isoOf(s.event.formedAt), broken: s.broken });
  const out: TimeframeAnalysis = {
    timeframe,
    bars: candles.length,
    skippedEmpty: given.length - candles.length,
    lastCloseAt: last ? isoOf(candleCloseTime(last.openTime, TIMEFRAME_MS[timeframe])) : null,
    lastClose: last ? last.close : null,
    atr: atrNow === null ? null : round8(atrNow),
    atrPercentile: percentile === null ? null : round4(percentile),
    rangeExpansion: rangeExpansion === null ? null : Number.isFinite(rangeExpansion) ? round4(rangeExpansion) : null,
    volatility: volatilityRegime(rangeExpansion, percentile),
    vwap: vw === null ? null : round8(vw),
    ema20: e20 === null ? null : round8(e20),
    ema50: e50 === null ? null : round8(e50),
    structure: {
      trend: state?.trend ?? null,
      lastBreak: lastBreak === null ? null : breakInfo(lastBreak),
      swingHigh: swing(state?.swingHigh ?? null),
      swingLow: swing(state?.swingLow ?? null),
      lastSweep: lastSweep === null ? null : sweepInfo(lastSweep),
      events,
      openOrderBlocks: state?.orderBlocks.length ?? 0,
      openFvgs: state?.gaps.length ?? 0,
      nearestZones: [
        ...nearest(
          zones.filter((z) => z.kind === 'order_block'),
          ZONES_PER_TIMEFRAME,
          compareZones,
        ),
        ...nearest(
          zones.filter((z) => z.kind === 'fvg'),
          ZONES_PER_TIMEFRAME,
          compareZones,
        ),
      ].sort(compareZones),
    },
    bias: { direction: bias.direction, score: bias.score === null ? null : round4(bias.score), reasons: bias.reasons },
  };
  return { out, state, ready, zones };
}

function breakInfo(e: StructureEvent): BreakInfo {
  return { kind: e.kind === 'choch' ? 'choch' : 'bos', direction: e.direction, level: e.level as number, at: isoOf(e.confirmedAt) };
}

function sweepInfo(e: StructureEvent): SweepInfo {
  return { direction: e.direction, level: e.level as number, at: isoOf(e.confirmedAt) };
}
