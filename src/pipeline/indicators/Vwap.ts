import { ConfigError } from '../../core/errors.js';
import type { Candle } from '../../core/types/Candle.js';
import type { StreamingCalculator } from './StreamingCalculator.js';

/** What VWAP reads from a candle. Any `Candle` fits. */
export type VwapInput = Pick<Candle, 'openTime' | 'high' | 'low' | 'close' | 'volume'>;

const DAY_MS = 86_400_000;

/** Where VWAP sessions start. */
export type VwapOptions = Readonly<{
  /**
   * Daily anchor: sessions start every day at this many ms after 00:00 UTC
   * (default 0 = the UTC day; e.g. 22 * 3_600_000 for a 22:00 UTC FX day).
   * Must be in [0, 86_400_000).
   */
  sessionStartUtcMs?: number;
  /**
   * Custom anchor, overrides `sessionStartUtcMs`: maps a candle's open time
   * (epoch ms UTC) to a session id; a new id starts a new session. Must be
   * pure, finite and non-decreasing in time (e.g. a weekly or exchange-session id).
   */
  sessionOf?: (openTime: number) => number;
}>;

/**
 * Session-anchored volume-weighted average price, streaming, O(1) per update.
 *
 * Definition: a candle belongs to session s = sessionOf(openTime) (default:
 * the UTC day of its open time). Within the session so far,
 * VWAP = sum(TP_i * V_i) / sum(V_i) with typical price TP = (H + L + C) / 3
 * and V the candle's base volume. A candle whose session id differs from the
 * previous candle's starts a new session (the sums restart from it).
 * Candles with zero volume do not move VWAP (they weigh nothing), but they
 * still start a session.
 *
 * The result is null while the current session has no volume yet, so
 * `isStable` is true after the first candle with volume (`requiredInputs` = 1)
 * and can turn false again if a new session opens with zero-volume candles.
 * `replace` amends the last candle from the state before it (it may even move
 * it to another session), any number of times; before any `add` it acts as
 * `add`.
 */
export class Vwap implements StreamingCalculator<VwapInput, number> {
  /** One candle with volume is enough. */
  readonly requiredInputs = 1;
  private readonly sessionOf: ((openTime: number) => number) | null;
  private readonly startMs: number;
  private inputs = 0;
  private session = Number.NaN;
  private sumPv = 0;
  private sumV = 0;
  private savedSession = Number.NaN;
  private savedSumPv = 0;
  private savedSumV = 0;
  private result: number | null = null;

  /** @throws ConfigError when `sessionStartUtcMs` is outside [0, 86_400_000). */
  constructor(options: VwapOptions = {}) {
    const start = options.sessionStartUtcMs ?? 0;
    if (!Number.isFinite(start) || start < 0 || start >= DAY_MS) {
      throw new ConfigError(`sessionStartUtcMs must be in [0, ${DAY_MS}), got ${String(start)}`, ['sessionStartUtcMs']);
    }
    this.startMs = start;
    this.sessionOf = options.sessionOf ?? null;
  }

  /** Takes the next candle; returns the session VWAP including it, or null when the session has no volume yet. */
  add(candle: VwapInput): number | null {
    this.inputs = 1;
    this.savedSession = this.session;
    this.savedSumPv = this.sumPv;
    this.savedSumV = this.sumV;
    return this.step(candle);
  }

  /** Replaces the last candle (acts as `add` when there is none) and returns the recomputed VWAP. */
  replace(candle: VwapInput): number | null {
    if (this.inputs === 0) return this.add(candle);
    this.session = this.savedSession;
    this.sumPv = this.savedSumPv;
    this.sumV = this.savedSumV;
    return this.step(candle);
  }

  /** The current session VWAP, or null while the session has no volume. */
  getResult(): number | null {
    return this.result;
  }

  /** True while the current session has volume. */
  get isStable(): boolean {
    return this.result !== null;
  }

  /** Id of the session of the last candle (NaN before any): by default the UTC day number, shifted by the anchor. */
  get sessionId(): number {
    return this.session;
  }

  private step(candle: VwapInput): number | null {
    const session = this.sessionOf === null ? Math.floor((candle.openTime - this.startMs) / DAY_MS) : this.sessionOf(candle.openTime);
    if (session !== this.session) {
      this.session = session;
      this.sumPv = 0;
      this.sumV = 0;
    }
    const v = candle.volume;
    if (v > 0) {
      this.sumPv += ((candle.high + candle.low + candle.close) / 3) * v;
      this.sumV += v;
    }
    this.result = this.sumV > 0 ? this.sumPv / this.sumV : null;
    return this.result;
  }
}
