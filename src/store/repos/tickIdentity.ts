import { SOURCES, type Tick } from '../../core/index.js';

/** What a stored tick carries: `T` a trade, `Q` a quote, `B` both. Part of the tick's primary key. */
export type TickKind = 'T' | 'Q' | 'B';

/**
 * The kind of a tick: a trade print and a quote of the same source are
 * different facts with different venue id spaces (Binance aggTrade `a`,
 * bookTicker `u`), so the kind is part of the stored tick's identity.
 */
export function tickKind(tick: Tick): TickKind {
  if (tick.last === null) return 'Q';
  return tick.bid !== null || tick.ask !== null ? 'B' : 'T';
}

/** Stored tick kinds by code, as the insert statement binds them. */
export const KIND_CODES: readonly TickKind[] = ['T', 'Q', 'B'];

/** Taker sides by code, as the insert statement binds them; 3 = a value the schema rejects. */
export const SIDE_CODES: readonly (string | null)[] = [null, 'buy', 'sell'];

/** Code of a source outside {@link SOURCES}: it binds as NULL and the row is rejected. */
export const UNKNOWN_SOURCE = 255;

const SOURCE_CODE = new Map<string, number>(SOURCES.map((s, i) => [s, i]));

/** Code of a source as the insert statement binds it: its index in {@link SOURCES}, else {@link UNKNOWN_SOURCE}. */
export function sourceCode(source: string): number {
  return SOURCE_CODE.get(source) ?? UNKNOWN_SOURCE;
}

/** Code of a tick's kind: 0 trade, 1 quote, 2 both (see {@link KIND_CODES}). */
export function kindCode(tick: Tick): number {
  if (tick.last === null) return 1;
  return tick.bid !== null || tick.ask !== null ? 2 : 0;
}

/** Code of a taker side: 0 none, 1 buy, 2 sell, 3 anything else (rejected by the schema's CHECK). */
export function sideCode(side: string | null): number {
  return side === null ? 0 : side === 'buy' ? 1 : side === 'sell' ? 2 : 3;
}

/** Distinct `tsEvent` values remembered per stream for late (out-of-order) ticks. */
const REMEMBERED_TIMES = 1024;

/**
 * Gives ticks without a venue sequence id (MT5) a deterministic identity:
 * `-(1 + ordinal)`, the ordinal counting the ticks of the same symbol, source
 * and `tsEvent` in arrival order. Re-delivering the same ticks in the same
 * order yields the same ids, so the store dedupes them like venue ticks;
 * negative ids never collide with venue ids and read back as `seq: null`.
 *
 * Keeps the counts of the last 1024 distinct times per (symbol, source), so
 * a late tick still gets the next ordinal of its millisecond. Changes since
 * `begin()` can be undone with `rollback()` (a write that did not commit).
 */
export class SyntheticSeq {
  private readonly streams = new Map<string, Map<number, number>>();
  private readonly undo: [Map<number, number>, number, number | undefined][] = [];
  private journaling = false;

  /** The synthetic seq of the next tick of this symbol, source and venue time; records it. */
  next(symbol: string, source: string, tsEvent: number): number {
    const key = `${symbol}\0${source}`;
    let counts = this.streams.get(key);
    if (counts === undefined) {
      counts = new Map();
      this.streams.set(key, counts);
    }
    const before = counts.get(tsEvent);
    const ordinal = before ?? 0;
    if (this.journaling) this.undo.push([counts, tsEvent, before]);
    if (before === undefined && counts.size >= REMEMBERED_TIMES) {
      const oldest = counts.keys().next().value as number;
      if (this.journaling) this.undo.push([counts, oldest, counts.get(oldest)]);
      counts.delete(oldest);
    }
    counts.set(tsEvent, ordinal + 1);
    return -(1 + ordinal);
  }

  /** Starts recording changes so that `rollback()` can undo them. */
  begin(): void {
    this.undo.length = 0;
    this.journaling = true;
  }

  /** Keeps the changes since `begin()`. */
  commit(): void {
    this.undo.length = 0;
    this.journaling = false;
  }

  /** Undoes every change since `begin()`: the ticks were not stored. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const [counts, ts, before] = this.undo[i]!;
      if (before === undefined) counts.delete(ts);
      else counts.set(ts, before);
    }
    this.commit();
  }
}

/** The seq a tick is stored with: its venue id, or a synthetic negative one from `synthetic`. */
export function storedSeq(tick: Tick, synthetic: SyntheticSeq): number {
  return tick.seq ?? synthetic.next(tick.symbol, tick.source, tick.tsEvent);
}

/** The seq a stored row reads back as: synthetic (negative) ids are null again. */
export function readSeq(stored: number): number | null {
  return stored < 0 ? null : stored;
}
