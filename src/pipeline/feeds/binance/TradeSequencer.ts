/**
 * Exactly-once, in-order delivery of aggregate trades merged from several
 * connections and REST: per symbol a lane with the next expected aggregate id
 * (`a` is dense per symbol). In order (`a === next`) a tick is delivered at
 * once, a lower id is a duplicate, both O(1) with no allocation; a higher id
 * means a hole: the tick is held (bounded count and time) until the hole is
 * filled (late frame, the other connection, or REST via `GapFiller`) or given
 * up, then held ticks are released in id order.
 */
import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import type { Tick } from '../../../core/types/Tick.js';

/** An id range that was skipped (given up), with the venue times around it. */
export type SkippedRange = { fromSeq: number; toSeq: number; from: number; to: number };

/** Per-symbol ordering state. */
export class TradeLane {
  /** Next aggregate id expected; -1 before the first tick. */
  next = -1;
  /** Venue time of the last delivered tick (NaN before the first). */
  lastTsEvent = Number.NaN;
  /** Ticks above a hole, by id. */
  readonly held = new Map<number, Tick>();
  /** A fill job owns this lane's holes. */
  filling = false;
  delivered = 0;
  duplicates = 0;
  /** Ticks delivered from REST. */
  recovered = 0;
  graceTimer: Cancel | null = null;
  holdTimer: Cancel | null = null;

  constructor(
    /** Canonical symbol. */
    readonly symbol: string,
  ) {}

  /** Smallest held id, or null (O(held), only used while a hole is open). */
  minHeld(): number | null {
    let min = Infinity;
    for (const k of this.held.keys()) if (k < min) min = k;
    return min === Infinity ? null : min;
  }
}

/** Settings and callbacks of a sequencer. */
export type TradeSequencerOptions = {
  clock: Clock;
  /** A hole may heal by itself (a late or reordered frame, the other connection) within this time (ms). */
  reorderGraceMs: number;
  /** Most ticks held per symbol while a hole is open. */
  maxHeld: number;
  /** Longest a tick may be held, ms. */
  maxHoldMs: number;
  /** Receives each tick exactly once, in id order per symbol. */
  deliver: (tick: Tick) => void;
  /** A hole outlived the grace period and no fill is running: fill it. */
  onHole: (lane: TradeLane) => void;
  /** Holding hit its count or time bound: give up on the hole(s) now. */
  onHoldLimit: (lane: TradeLane, why: string) => void;
};

/** Orders and dedupes trade ticks of many symbols. */
export class TradeSequencer {
  private readonly lanes = new Map<string, TradeLane>();

  constructor(private readonly o: TradeSequencerOptions) {}

  /** The lane of a symbol (created on first use). */
  lane(symbol: string): TradeLane {
    let lane = this.lanes.get(symbol);
    if (!lane) {
      lane = new TradeLane(symbol);
      this.lanes.set(symbol, lane);
    }
    return lane;
  }

  /** Every lane. */
  all(): IterableIterator<TradeLane> {
    return this.lanes.values();
  }

  /** Offers a trade tick (its `seq` is the aggregate id) from a connection or, `fromRest`, from gap-fill. */
  offer(lane: TradeLane, tick: Tick, fromRest: boolean): void {
    const seq = tick.seq as number;
    const next = lane.next;
    if (seq === next) {
      this.emit(lane, tick, fromRest);
      if (lane.held.size > 0) this.drain(lane);
      return;
    }
    if (seq < next) {
      lane.duplicates++;
      return;
    }
    if (next < 0) {
      this.emit(lane, tick, fromRest);
      return;
    }
    if (lane.held.has(seq)) {
      lane.duplicates++;
      return;
    }
    if (lane.held.size === 0) lane.holdTimer = this.o.clock.setTimeout(() => this.limit(lane, `ticks held longer than ${this.o.maxHoldMs} ms`), this.o.maxHoldMs);
    lane.held.set(seq, tick);
    if (lane.held.size > this.o.maxHeld) return this.limit(lane, `more than ${this.o.maxHeld} ticks held`);
    if (!lane.filling && !lane.graceTimer) {
      lane.graceTimer = this.o.clock.setTimeout(() => {
        lane.graceTimer = null;
        if (lane.held.size > 0 && !lane.filling) this.o.onHole(lane);
      }, this.o.reorderGraceMs);
    }
  }

  /** Gives up ids below `seq` (they will not come), then releases what became contiguous. */
  skipTo(lane: TradeLane, seq: number): void {
    if (seq > lane.next) lane.next = seq;
    for (const k of lane.held.keys()) if (k < lane.next) lane.held.delete(k);
    this.drain(lane);
  }

  /** Releases every held tick in id order, skipping the holes between them; returns the skipped ranges. */
  releaseHeld(lane: TradeLane): SkippedRange[] {
    const skipped: SkippedRange[] = [];
    const ids = [...lane.held.keys()].sort((x, y) => x - y);
    for (const id of ids) {
      const tick = lane.held.get(id) as Tick;
      lane.held.delete(id);
      if (id < lane.next) continue;
      if (id > lane.next && lane.next >= 0) skipped.push({ fromSeq: lane.next, toSeq: id - 1, from: lane.lastTsEvent, to: tick.tsEvent });
      lane.next = id;
      this.emit(lane, tick, false);
    }
    this.clearTimers(lane);
    return skipped;
  }

  /** Cancels every timer (feed stopping). */
  stop(): void {
    for (const lane of this.lanes.values()) this.clearTimers(lane);
  }

  private emit(lane: TradeLane, tick: Tick, fromRest: boolean): void {
    const seq = tick.seq as number;
    lane.next = seq + 1;
    lane.delivered++;
    if (fromRest) lane.recovered++;
    lane.lastTsEvent = tick.tsEvent;
    if (lane.held.size > 0) lane.held.delete(seq);
    this.o.deliver(tick);
  }

  private drain(lane: TradeLane): void {
    for (let t = lane.held.get(lane.next); t !== undefined; t = lane.held.get(lane.next)) this.emit(lane, t, false);
    if (lane.held.size === 0) this.clearTimers(lane);
  }

  private limit(lane: TradeLane, why: string): void {
    if (lane.held.size > 0) this.o.onHoldLimit(lane, why);
  }

  private clearTimers(lane: TradeLane): void {
    lane.graceTimer?.();
    lane.holdTimer?.();
    lane.graceTimer = lane.holdTimer = null;
  }
}
