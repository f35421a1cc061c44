import type { Candle } from '../../core/index.js';
import { bucketStart, InvalidRequestError, TIMEFRAME_MS } from '../../core/index.js';
import { Atr } from '../indicators/Atr.js';
import type { StreamingCalculator } from '../indicators/StreamingCalculator.js';
import { classifyVolatility, DEFAULT_VOLATILITY_THRESHOLDS, m5Slope } from './classify.js';
import { candleWeights, fusedBasis, fusedClose, type SourceCandle } from './fuse.js';
import { voteStructure, type M1FilterState } from './structureVote.js';
import type { BridgeInput, M15Progress, M5BridgeOptions, VolatilityBridgeReading, VolatilityState, VolatilityThresholds } from './types.js';

type Entry = { openTime: number; high: number; low: number; close: number; atr: number | null; state: VolatilityState | null };

const M5 = TIMEFRAME_MS.M5;
const M15 = TIMEFRAME_MS.M15;

/**
 * The M5 volatility bridge of one symbol (DESIGN.md §6), on the streaming
 * contract: `add` the primary's next M5 candle (closed, or forming and then
 * amended with `replace`), with the other source's M5 of the same open time,
 * the offset, spread, source qualities and structure labels known at that
 * moment. Each reading carries ATR(14) of the primary M5, range expansion,
 * the ATR ratio and the volatility state (`classifyVolatility`), the fused
 * close (`fusedClose`, freshness × quality weights), early M15 expansion and
 * the structure label by weighted majority with the M1 reversal filter.
 *
 * `rangeExpansion` is the indicators' `RangeExpansion` definition with the
 * ATR baseline (range / ATR of the candles before), computed here from the
 * same ATR so both share one state.
 *
 * Warm-up: `getResult` is null until ATR exists and `baselineLength` earlier
 * ATR values do (`requiredInputs` = ATR's own + baselineLength).
 *
 * Early M15 expansion: while an M15 forms, its range so far (over its M5
 * candles, the forming one included) is measured in ATR(M5) as of the M5
 * before the M15 opened. When that is at or above `m15ExpansionAtr`, or the
 * current M5's own range expansion is at or above `expandingRange`, at a
 * reading *before* the M15 closes (any reading except the one of its third
 * M5 once closed), expansion is detected and `expansionBeforeM15Close` stays
 * true for the rest of that M15. It looks at this M15's own bars only, not
 * at the ATR regime (that is `state`). Like every other part of the state,
 * a detection made by an input that is later replaced is undone with it: the
 * forming versions of the third M5 report it live, the closed third M5 keeps
 * only what the first two M5 showed (so a reading depends on its inputs only,
 * as the streaming contract requires).
 */
export class M5VolatilityBridge implements StreamingCalculator<BridgeInput, VolatilityBridgeReading> {
  readonly requiredInputs: number;
  readonly symbol: string;
  private readonly atr: StreamingCalculator<Candle, number>;
  private readonly baselineLength: number;
  private readonly thresholds: VolatilityThresholds;
  private readonly m15ExpansionAtr: number;
  private readonly slopeLookback: number;
  private readonly slopeMin: number;
  private readonly tauMs: number;
  private readonly keep: number;
  private hist: Entry[] = [];
  private m1State: M1FilterState = {};
  private m1Before: M1FilterState = {};
  private m15 = { openTime: Number.NaN, detected: false };
  private m15Before = { openTime: Number.NaN, detected: false };
  private result: VolatilityBridgeReading | null = null;
  private count = 0;

  constructor(private readonly options: M5BridgeOptions) {
    this.symbol = options.symbol;
    this.atr = options.createAtr?.() ?? new Atr(14);
    this.baselineLength = Math.max(1, options.baselineLength ?? 24);
    this.thresholds = { ...DEFAULT_VOLATILITY_THRESHOLDS, ...options.thresholds };
    this.m15ExpansionAtr = options.m15ExpansionAtr ?? 2.0;
    this.slopeLookback = Math.max(1, options.slopeLookback ?? 3);
    this.slopeMin = options.slopeMin ?? 0.1;
    this.tauMs = options.freshnessTauMs ?? 60_000;
    this.requiredInputs = this.atr.requiredInputs + this.baselineLength;
    this.keep = Math.max(this.baselineLength + 1, this.slopeLookback + 1, 4) + 1;
  }

  get isStable(): boolean {
    return this.count >= this.requiredInputs;
  }

  /** Takes the primary's next M5 candle. A candle with the open time of the last one amends it (as `replace`). */
  add(input: BridgeInput): VolatilityBridgeReading | null {
    const c = this.check(input);
    const last = this.hist[this.hist.length - 1];
    if (last !== undefined && c.openTime === last.openTime) return this.replace(input);
    if (last !== undefined && c.openTime < last.openTime) {
      throw new InvalidRequestError(`M5 bridge ${this.symbol}: candle ${c.openTime} is older than the last one ${last.openTime}`);
    }
    const atr = this.atr.add(c);
    this.m1Before = this.m1State;
    this.m15Before = { ...this.m15 };
    this.hist.push({ openTime: c.openTime, high: c.high, low: c.low, close: c.close, atr, state: null });
    if (this.hist.length > this.keep) this.hist.splice(0, this.hist.length - this.keep);
    this.count++;
    return this.compute(input);
  }

  /** Amends the last M5 candle (it is still forming, or a late fact changed it). A newer candle is taken as `add`. */
  replace(input: BridgeInput): VolatilityBridgeReading | null {
    const c = this.check(input);
    const last = this.hist[this.hist.length - 1];
    if (last === undefined || c.openTime > last.openTime) return this.add(input);
    if (c.openTime < last.openTime) {
      throw new InvalidRequestError(`M5 bridge ${this.symbol}: cannot replace ${c.openTime}, the last candle opened at ${last.openTime}`);
    }
    const atr = this.atr.replace(c);
    this.m1State = this.m1Before;
    this.m15 = { ...this.m15Before };
    this.hist[this.hist.length - 1] = { openTime: c.openTime, high: c.high, low: c.low, close: c.close, atr, state: null };
    return this.compute(input);
  }

  getResult(): VolatilityBridgeReading | null {
    return this.result;
  }

  /** ATR(14) of the primary M5 after the last input, or null in warm-up (feeds the offset engine's threshold). */
  currentAtr(): number | null {
    return this.hist[this.hist.length - 1]?.atr ?? null;
  }

  private check(input: BridgeInput): Candle {
    const c = input.primary;
    if (c.timeframe !== 'M5') throw new InvalidRequestError(`M5 bridge ${this.symbol}: got a ${c.timeframe} candle`);
    if (c.symbol !== this.symbol) throw new InvalidRequestError(`M5 bridge ${this.symbol}: got a candle of ${c.symbol}`);
    return c;
  }

  private compute(input: BridgeInput): VolatilityBridgeReading | null {
    const n = this.hist.length;
    const entry = this.hist[n - 1] as Entry;
    const prev = this.hist[n - 2];
    const baseline = this.hist.slice(Math.max(0, n - 1 - this.baselineLength), n - 1).map((e) => e.atr);
    const atr = entry.atr;
    if (atr === null || prev?.atr == null || baseline.length < this.baselineLength || baseline.some((a) => a === null)) {
      this.result = null;
      return null;
    }
    const c = input.primary;
    const rangeExpansion = (c.high - c.low) / prev.atr;
    const atrRatio = atr / ((baseline as number[]).reduce((a, b) => a + b, 0) / baseline.length);
    const state = classifyVolatility(rangeExpansion, atrRatio, this.thresholds);
    entry.state = state;
    const slope = m5Slope(
      this.hist.map((e) => e.close),
      this.slopeLookback,
      atr,
      this.slopeMin,
    );

    const candles: SourceCandle[] = [{ source: input.primarySource, candle: c }];
    const sec = input.secondary;
    if (sec && input.secondarySource && sec.openTime === c.openTime && input.secondarySource !== input.primarySource) {
      candles.push({ source: input.secondarySource, candle: sec });
    }
    const weights = candleWeights(candles, input.tsInit, this.tauMs, input.quality ?? {});
    const fused = fusedClose(candles, weights, fusedBasis(input.primarySource, c), input.offset, input.brokerSpread);
    const vote = voteStructure(input.labels ?? [], weights, this.options.timeframeWeights ?? {}, this.m1Before, slope.direction);
    this.m1State = vote.m1State;

    const m15 = this.m15Progress(c, rangeExpansion);
    this.result = {
      symbol: this.symbol,
      openTime: c.openTime,
      primary: input.primarySource,
      m5: c,
      closed: c.closed,
      fusedClose: fused.value,
      weights,
      sources: fused.sources,
      offset: input.offset,
      brokerSpread: input.brokerSpread,
      atr,
      atrRatio,
      rangeExpansion,
      state,
      slope: slope.slope,
      slopeDirection: slope.direction,
      expansionBeforeM15Close: this.m15.detected,
      m15,
      structureLabel: vote.label,
      votes: vote.tally,
      tsEvent: c.tsEvent,
      tsInit: input.tsInit,
    };
    return this.result;
  }

  private m15Progress(c: Candle, rangeExpansion: number): M15Progress {
    const openTime = bucketStart('M15', c.openTime);
    if (this.m15.openTime !== openTime) this.m15 = { openTime, detected: false };
    const inside = this.hist.filter((e) => e.openTime >= openTime);
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    for (const e of inside) {
      high = Math.max(high, e.high);
      low = Math.min(low, e.low);
    }
    const range = high - low;
    const before = [...this.hist].reverse().find((e) => e.openTime < openTime);
    const rangeAtr = before?.atr != null && before.atr > 0 ? range / before.atr : null;
    const closed = c.closed && c.openTime + M5 === openTime + M15;
    const expanding = (rangeAtr !== null && rangeAtr >= this.m15ExpansionAtr) || rangeExpansion >= this.thresholds.expandingRange;
    if (expanding && !closed) this.m15.detected = true;
    return { openTime, range, rangeAtr, candles: inside.length, closed };
  }
}
