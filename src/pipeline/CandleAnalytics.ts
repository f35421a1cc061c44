import {
  ANALYSIS_TIMEFRAMES,
  type Candle,
  type CandleAnalytics,
  type StructureDirection,
  type StructureEvent,
  type Timeframe,
  type VolatilityState,
} from '../core/index.js';
import { Atr, RangeExpansion, Vwap } from './indicators/index.js';
import { StructureDetector } from './structure/index.js';
import { classifyVolatility } from './volatility/classify.js';

/** The events of a candle that confirmed none: one shared, frozen list (S1 closes many candles a second). */
const NO_EVENTS: readonly StructureEvent[] = Object.freeze([]);
/** Timeframes with analytics, for an O(1) test per closed candle. */
const ANALYZED: ReadonlySet<Timeframe> = new Set(ANALYSIS_TIMEFRAMES);

/** ATR values averaged into the baseline of a candle's ATR ratio (the M5 bridge's default: 24). */
export const ANALYTICS_ATR_BASELINE = 24;

/** What one closed candle produced: the candle with its analytics, the structure events it confirmed, the trend after it. */
export type AnalyzedCandle = Readonly<{
  candle: Candle;
  events: readonly StructureEvent[];
  trend: StructureDirection | null;
}>;

/** The calculators of one timeframe of one (symbol, source) series. */
class TimeframeAnalytics {
  readonly atr = new Atr(14);
  readonly vwap = new Vwap();
  readonly range = new RangeExpansion();
  readonly detector: StructureDetector;
  /** Previous ATR values, ring of ANALYTICS_ATR_BASELINE. */
  private readonly ring = new Float64Array(ANALYTICS_ATR_BASELINE);
  private ringCount = 0;
  private ringHead = 0;
  private ringSum = 0;
  /** Open time of the last candle taken; candles at or before it are not analyzed again. */
  lastOpen = Number.NEGATIVE_INFINITY;

  constructor(symbol: string, timeframe: Timeframe) {
    this.detector = new StructureDetector({ symbol, timeframe });
  }

  /** ATR / mean of the previous ANALYTICS_ATR_BASELINE ATR values, or null until that many exist; then records `atr`. */
  ratioThenPush(atr: number | null): number | null {
    const ratio = atr !== null && this.ringCount === ANALYTICS_ATR_BASELINE && this.ringSum > 0 ? atr / (this.ringSum / ANALYTICS_ATR_BASELINE) : null;
    if (atr !== null) {
      if (this.ringCount === ANALYTICS_ATR_BASELINE) this.ringSum -= this.ring[this.ringHead] as number;
      else this.ringCount++;
      this.ring[this.ringHead] = atr;
      this.ringSum += atr;
      this.ringHead = (this.ringHead + 1) % ANALYTICS_ATR_BASELINE;
    }
    return ratio;
  }
}

/**
 * The per-candle analytics of one (symbol, source) candle stream, for the
 * timeframes M1, M5, M15, H1 and H4 (S1 and D1 pass through untouched): a
 * Wilder ATR(14), a UTC-day VWAP, range expansion (candle range over the ATR
 * before it), the volatility state (`classifyVolatility` of range expansion
 * and ATR over the mean of the previous 24 ATRs) and a causal
 * `StructureDetector`. Runs once per closed candle, never per tick.
 */
export class StreamAnalytics {
  private readonly frames = new Map<Timeframe, TimeframeAnalytics>();

  constructor(private readonly symbol: string) {}

  /**
   * Takes a closed candle; returns it with `analytics` and the structure
   * events its close confirmed. A timeframe outside M1-H4, an open candle, or a
   * candle not after the last one of its timeframe comes back unchanged.
   */
  onClosed(candle: Candle): AnalyzedCandle {
    if (!candle.closed || !ANALYZED.has(candle.timeframe)) return { candle, events: NO_EVENTS, trend: null };
    let tf = this.frames.get(candle.timeframe);
    if (!tf) {
      tf = new TimeframeAnalytics(this.symbol, candle.timeframe);
      this.frames.set(candle.timeframe, tf);
    }
    if (candle.openTime <= tf.lastOpen) return { candle, events: NO_EVENTS, trend: tf.detector.state.trend };
    tf.lastOpen = candle.openTime;
    const rangeExpansion = tf.range.add(candle);
    const atr = tf.atr.add(candle);
    const vwap = tf.vwap.add(candle);
    const ratio = tf.ratioThenPush(atr);
    const volatilityState: VolatilityState | null =
      rangeExpansion !== null && ratio !== null && Number.isFinite(rangeExpansion) ? classifyVolatility(rangeExpansion, ratio) : null;
    const snap = tf.detector.add(candle);
    const trend = tf.detector.state.trend;
    const events = snap?.events ?? this.lastEvents(tf, candle);
    const analytics: CandleAnalytics = {
      atr,
      vwap,
      volatilityState,
      structureLabel: snap === null ? null : (trend ?? 'neutral'),
      structureJson:
        snap === null
          ? null
          : JSON.stringify({
              trend,
              swingHigh: snap.swingHigh ? { level: snap.swingHigh.level, formedAt: snap.swingHigh.formedAt } : null,
              swingLow: snap.swingLow ? { level: snap.swingLow.level, formedAt: snap.swingLow.formedAt } : null,
              events: events.map((e) => e.id),
            }),
    };
    return { candle: { ...candle, analytics }, events, trend };
  }

  /** Structure trend of a timeframe after its last closed candle (null before the first break or candle). */
  trend(timeframe: Timeframe): StructureDirection | null {
    return this.frames.get(timeframe)?.detector.state.trend ?? null;
  }

  /** The structure detector of a timeframe, or null before its first closed candle. */
  detector(timeframe: Timeframe): StructureDetector | null {
    return this.frames.get(timeframe)?.detector ?? null;
  }

  /** Events a warm-up candle confirmed (the snapshot is null then, but early gaps are still logged). */
  private lastEvents(tf: TimeframeAnalytics, candle: Candle): readonly StructureEvent[] {
    return tf.detector.events(candle.openTime); // confirmed by this candle: confirmedAt >= its open time, earlier ones before it
  }
}
