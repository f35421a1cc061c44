import { DataIntegrityError } from '../../core/errors.js';
import type { Candle } from '../../core/types/Candle.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import type { StreamingCalculator } from '../indicators/StreamingCalculator.js';
import { closeTimeOf, structureConfig } from './events.js';
import { advanceStructure, checkNextCandle, initialStructureState, stepStructure, windowSize } from './step.js';
import type { StructureConfig, StructureDirection, StructureEvent, StructureOptions, StructureState } from './types.js';

/** Default number of confirmed events a detector keeps readable (`events()`). */
export const DEFAULT_STRUCTURE_LOG_SIZE = 20_000;

/** The detector's reading after a closed candle (and, with `pending`, of the open one). */
export type StructureSnapshot = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  /** Close time of the last closed candle: nothing later is confirmed. */
  asOf: number;
  /** Closed candles seen. */
  bars: number;
  /** Direction of the last break (BOS/CHOCH), null before the first. */
  trend: StructureDirection | null;
  /** Latest confirmed swing high, broken or not. */
  swingHigh: StructureEvent | null;
  /** Latest confirmed swing low, broken or not. */
  swingLow: StructureEvent | null;
  /** Events confirmed by the last closed candle, in emission order (often empty). */
  events: readonly StructureEvent[];
  /**
   * Provisional: what the open candle last given would confirm if it closed
   * as it is now. Not confirmed, not in `events()`, replaced by the candle's
   * next version; empty when no open candle was given since the last close.
   */
  pending: readonly StructureEvent[];
  /** Open time of the open candle `pending` was computed from, or null. */
  pendingFor: number | null;
}>;

/** Construction parameters of a detector: the series, options, and how many events stay readable. */
export type StructureDetectorInit = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  options?: Partial<StructureOptions>;
  /** Most recent confirmed events kept for `events()` (default 20,000). */
  maxEvents?: number;
}>;

/**
 * Streaming, causal market-structure detector of one symbol and timeframe:
 * a shell around the pure `stepStructure`. Confirmed events (swings, BOS/CHOCH,
 * order blocks and their mitigation, fair-value gaps and their fills,
 * liquidity sweeps) come only from closed candles, each stamped with its
 * candle's close time as `confirmedAt`, frozen, and never changed afterwards.
 *
 * Both `add` and `replace` take the latest version of a candle, and do the
 * same thing with it (the two names follow the shared streaming contract:
 * `add` for a candle's first version, `replace` for a later one):
 * - a closed candle is committed: the step runs, what its close confirms is
 *   logged and returned in `events`, and any preview is dropped. It must be
 *   the close of the open candle being previewed, or, when none is, open
 *   after the last closed candle;
 * - an open candle (`closed: false`) is only previewed: the same step runs on
 *   a copy of the state, as if the candle closed now, and the result is
 *   exposed as `pending`. Nothing is logged, the state, the trend and the
 *   confirmed events stay exactly as they were, and the next version of the
 *   candle (open or closed) replaces the preview.
 * A closed candle is never amended: a candle at or before the last closed
 * one throws, as does a new candle while an earlier open one never closed.
 * So an open candle's changes cannot repaint anything.
 */
export class StructureDetector implements StreamingCalculator<Candle, StructureSnapshot> {
  /** Closed candles needed before a swing can be confirmed: left + 1 + right. */
  readonly requiredInputs: number;
  readonly config: StructureConfig;
  private current: StructureState;
  private readonly log: StructureEvent[] = [];
  private readonly maxEvents: number;
  private result: StructureSnapshot | null = null;
  private openTime: number | null = null;

  constructor(init: StructureDetectorInit) {
    this.config = structureConfig(init.symbol, init.timeframe, init.options);
    this.current = initialStructureState(this.config);
    this.requiredInputs = windowSize(this.config);
    this.maxEvents = Math.max(1, Math.floor(init.maxEvents ?? DEFAULT_STRUCTURE_LOG_SIZE));
  }

  /** True once `requiredInputs` closed candles arrived. */
  get isStable(): boolean {
    return this.current.count >= this.requiredInputs;
  }

  /** The immutable state after the last closed candle (for persistence or a pure replay from here). */
  get state(): StructureState {
    return this.current;
  }

  /**
   * Takes a candle version (see the class doc): a closed candle confirms what
   * its close confirms; an open one is previewed as `pending`. Returns the
   * snapshot, null during warm-up (events confirmed during warm-up, such as
   * an early gap, are still in `events()`).
   * @throws DataIntegrityError on a foreign or inconsistent candle, a candle at
   *   or before the last closed one, or a new candle while an open one never closed.
   */
  add(candle: Candle): StructureSnapshot | null {
    return this.take(candle);
  }

  /** Same as `add`: the next version of the open candle (a preview), or its close (a commit). */
  replace(candle: Candle): StructureSnapshot | null {
    return this.take(candle);
  }

  private take(candle: Candle): StructureSnapshot | null {
    checkNextCandle(this.current, candle);
    if (this.openTime !== null && candle.openTime !== this.openTime) {
      throw new DataIntegrityError(
        `structure ${this.config.symbol} ${this.config.timeframe}: candle at ${candle.openTime} while the open candle at ${this.openTime} never closed`,
      );
    }
    if (!candle.closed) {
      this.openTime = candle.openTime;
      const base = this.result;
      if (base === null) return null;
      this.result = { ...base, pending: advanceStructure(this.current, candle).events, pendingFor: candle.openTime };
      return this.result;
    }
    const step = stepStructure(this.current, candle);
    this.current = step.state;
    this.openTime = null;
    for (const e of step.events) this.log.push(e);
    if (this.log.length > this.maxEvents + (this.maxEvents >> 2)) this.log.splice(0, this.log.length - this.maxEvents);
    this.result = this.isStable ? this.snapshot(closeTimeOf(this.config, candle), step.events) : null;
    return this.result;
  }

  /** The last snapshot, or null during warm-up. */
  getResult(): StructureSnapshot | null {
    return this.result;
  }

  /**
   * Confirmed events, oldest first, with `confirmedAt >= since` when given:
   * the most recent `maxEvents` at most.
   */
  events(since?: number): readonly StructureEvent[] {
    const start = Math.max(0, this.log.length - this.maxEvents);
    if (since === undefined) return this.log.slice(start);
    let lo = start;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.log[mid] as StructureEvent).confirmedAt < since) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  /** Order blocks confirmed and not yet mitigated, oldest first. */
  openOrderBlocks(): readonly StructureEvent[] {
    return this.current.orderBlocks.map((z) => z.event);
  }

  /** Fair-value gaps confirmed and not yet fully filled, oldest first. */
  openGaps(): readonly StructureEvent[] {
    return this.current.gaps.map((z) => z.event);
  }

  private snapshot(asOf: number, events: readonly StructureEvent[]): StructureSnapshot {
    const s = this.current;
    return {
      symbol: this.config.symbol,
      timeframe: this.config.timeframe,
      asOf,
      bars: s.count,
      trend: s.trend,
      swingHigh: s.swingHigh?.event ?? null,
      swingLow: s.swingLow?.event ?? null,
      events,
      pending: [],
      pendingFor: null,
    };
  }
}
