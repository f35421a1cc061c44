import type { Source, Tick } from '../../core/index.js';
import { median, type OffsetEstimate } from './OffsetCalibrator.js';
import { decideOffset, INITIAL_OFFSET_STATE, type OffsetState } from './offsetDecision.js';
import type { OffsetDiscrepancy, OffsetEngineOptions, OffsetUpdate, ReconciledPrice } from './offsetTypes.js';
import { PairBook, type PairBookStats } from './PairBook.js';
import { reconciliationWeights, weightedValue, type SourceContribution, type SourceWeights } from './weights.js';

type Last = { ts: number; mid: number };
type SymbolState = {
  book: PairBook;
  decision: OffsetState;
  last: OffsetUpdate | null;
  binance: Last | null;
  broker: Last | null;
  brokerSource: Source | null;
};

/** What one calibration produced: the updates (one per symbol with enough pairs) and the discrepancy events. */
export type CalibrationResult = Readonly<{ updates: readonly OffsetUpdate[]; events: readonly OffsetDiscrepancy[] }>;

const DEFAULTS = {
  pairWindowMs: 2_000,
  brokerGraceMs: 1_000,
  minPairSpacingMs: 1_000,
  lookbackMs: 600_000,
  minPairs: 10,
  maxPairs: 4_096,
  discrepancyAtr: 0.5,
  fallbackJumpBps: 25,
  settleCount: 3,
  discrepancyQuality: 0.25,
  freshnessTauMs: 2_000,
};

/** Mid of a tick: the quote mid when two-sided, else the trade price, else null. */
export function tickMid(tick: Tick): number | null {
  if (tick.bid !== null && tick.ask !== null) return (tick.bid + tick.ask) / 2;
  return tick.last;
}

/**
 * The dynamic Binance-to-broker offset engine (DESIGN.md §6). Every accepted
 * tick goes to `add`; the caller runs `calibrate(now)` on its clock every
 * 60 s (configurable there). A calibration takes the median of
 * `broker mid - Binance price` over the pairs of the last `lookbackMs`
 * (see `PairBook` for the pairing) and applies the discrepancy rule of
 * `decideOffset`: a jump larger than `discrepancyAtr × ATR(M5)` holds the
 * previous offset and flags the symbol until `settleCount` consecutive stable
 * calibrations. While flagged, Binance's quality is multiplied by
 * `discrepancyQuality`, so weighted reconciliation (`reconcile`, the M5
 * bridge's fused close and votes) leans on the broker. Drop-in for the
 * `OffsetCalibrator` API the pipeline uses (`add`, `estimate`).
 */
export class OffsetEngine {
  private readonly state = new Map<string, SymbolState>();
  private readonly o: typeof DEFAULTS;
  private readonly brokerSources: ReadonlySet<Source>;

  constructor(private readonly options: OffsetEngineOptions = {}) {
    const o = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
      const v = options[key];
      if (typeof v === 'number' && Number.isFinite(v)) o[key] = v;
    }
    this.o = o;
    this.brokerSources = new Set(options.brokerSources ?? ['mt5']);
  }

  /** Feeds one accepted tick of any source (other sources than Binance and the broker ones are ignored). */
  add(tick: Tick): void {
    const mid = tickMid(tick);
    if (mid === null || !Number.isFinite(mid)) return;
    if (tick.source === 'binance') {
      const s = this.symbol(tick.symbol);
      s.binance = { ts: tick.tsEvent, mid };
      s.book.addBinance(tick.tsEvent, mid);
    } else if (this.brokerSources.has(tick.source)) {
      const s = this.symbol(tick.symbol);
      s.broker = { ts: tick.tsEvent, mid };
      s.brokerSource = tick.source;
      const spread = tick.bid !== null && tick.ask !== null ? tick.ask - tick.bid : 0;
      s.book.addBroker(tick.tsEvent, mid, spread);
    }
  }

  /**
   * Runs one calibration of every symbol at `now` (epoch ms, venue-aligned):
   * pairs with Binance time in (now - lookbackMs, now]. Symbols with fewer
   * than `minPairs` pairs get no update (their offset stays as it was).
   */
  calibrate(now: number): CalibrationResult {
    const updates: OffsetUpdate[] = [];
    const events: OffsetDiscrepancy[] = [];
    for (const [symbol, s] of this.state) {
      s.book.settle(now);
      const from = now - this.o.lookbackMs;
      const { values, first, last } = s.book.pairsIn(from, now);
      if (values.length < Math.max(1, this.o.minPairs)) continue;
      const candidate = median(values);
      const atr = this.options.atrOf?.(symbol) ?? null;
      const threshold = this.threshold(atr, s);
      const before = s.decision;
      const d = decideOffset(before, candidate, threshold, this.o.settleCount);
      s.decision = d.state;
      const update: OffsetUpdate = {
        symbol,
        offset: d.offset,
        candidate,
        pairs: values.length,
        window: { from, to: now, firstPair: first, lastPair: last, pairWindowMs: this.o.pairWindowMs },
        previous: d.previous,
        held: d.held,
        discrepancy: d.discrepancy,
        threshold,
        atr,
        settleStreak: d.streak,
        tsEvent: last,
        tsInit: now,
      };
      s.last = update;
      updates.push(update);
      if (d.event !== null) {
        events.push({
          symbol,
          phase: d.event,
          offset: d.offset,
          held: d.previous ?? d.offset,
          candidate,
          jump: d.jump ?? 0,
          threshold,
          atr,
          calibrations: d.event === 'flagged' ? 0 : before.calibrations + 1,
          tsEvent: last,
          tsInit: now,
        });
      }
    }
    return { updates, events };
  }

  /** Offset in force for a symbol (broker - Binance), or null before its first calibration. */
  offset(symbol: string): number | null {
    return this.state.get(symbol)?.decision.offset ?? null;
  }

  /** The last published update of a symbol, or null. */
  lastUpdate(symbol: string): OffsetUpdate | null {
    return this.state.get(symbol)?.last ?? null;
  }

  /** Every symbol's last update (for `get_offsets`). */
  updates(): OffsetUpdate[] {
    const out: OffsetUpdate[] = [];
    for (const s of this.state.values()) if (s.last) out.push(s.last);
    return out;
  }

  /** True while the symbol is in discrepancy. */
  inDiscrepancy(symbol: string): boolean {
    return this.state.get(symbol)?.decision.flagged ?? false;
  }

  /** Compatible with `OffsetCalibrator.estimate`: the offset in force, or null before the first calibration. */
  estimate(symbol: string): OffsetEstimate | null {
    const last = this.state.get(symbol)?.last;
    return last ? { symbol, offset: last.offset, pairs: last.pairs, tsEvent: last.tsEvent } : null;
  }

  /** Median broker spread (ask - bid) over recent broker quotes, or null (converts bid/ask candles to mid). */
  brokerSpread(symbol: string): number | null {
    return this.state.get(symbol)?.book.brokerSpread() ?? null;
  }

  /**
   * Quality in [0, 1] of a source for a symbol: the configured base quality,
   * times `discrepancyQuality` for Binance while the symbol is flagged.
   */
  sourceQuality(symbol: string, source: Source): number {
    const base = this.options.quality?.(symbol, source) ?? 1;
    const flagged = this.state.get(symbol)?.decision.flagged ?? false;
    return Math.min(1, Math.max(0, base * (source === 'binance' && flagged ? this.o.discrepancyQuality : 1)));
  }

  /**
   * Weighted reconciliation of the latest mids at `now`: the broker mid and
   * the Binance mid plus the offset in force, weighted by
   * `exp(-age / freshnessTauMs) × sourceQuality`. Null when neither source
   * has a weighted value (Binance is left out until an offset exists).
   */
  reconcile(symbol: string, now: number): ReconciledPrice | null {
    const s = this.state.get(symbol);
    if (!s) return null;
    const offset = s.decision.offset;
    const contributions: SourceContribution[] = [];
    const values: Partial<Record<Source, number>> = {};
    if (s.broker && s.brokerSource) {
      contributions.push({ source: s.brokerSource, tsEvent: s.broker.ts, quality: this.sourceQuality(symbol, s.brokerSource) });
      values[s.brokerSource] = s.broker.mid;
    }
    if (s.binance && offset !== null) {
      contributions.push({ source: 'binance', tsEvent: s.binance.ts, quality: this.sourceQuality(symbol, 'binance') });
      values.binance = s.binance.mid + offset;
    }
    const weights: SourceWeights = reconciliationWeights(contributions, now, this.o.freshnessTauMs);
    const price = weightedValue(values, weights);
    if (price === null) return null;
    return { symbol, price, weights, values, offset, discrepancy: s.decision.flagged, tsInit: now };
  }

  /** Pairing counters of a symbol (pairs made, too old, sampled out...). */
  pairStats(symbol: string): PairBookStats | null {
    return this.state.get(symbol)?.book.stats() ?? null;
  }

  private threshold(atr: number | null, s: SymbolState): number | null {
    if (atr !== null && Number.isFinite(atr) && atr > 0) return this.o.discrepancyAtr * atr;
    const ref = s.binance?.mid ?? s.broker?.mid ?? null;
    return ref === null ? null : (Math.abs(ref) * this.o.fallbackJumpBps) / 10_000;
  }

  private symbol(symbol: string): SymbolState {
    let s = this.state.get(symbol);
    if (!s) {
      s = {
        book: new PairBook({ pairWindowMs: this.o.pairWindowMs, brokerGraceMs: this.o.brokerGraceMs, minPairSpacingMs: this.o.minPairSpacingMs, maxPairs: this.o.maxPairs }),
        decision: INITIAL_OFFSET_STATE,
        last: null,
        binance: null,
        broker: null,
        brokerSource: null,
      };
      this.state.set(symbol, s);
    }
    return s;
  }
}
