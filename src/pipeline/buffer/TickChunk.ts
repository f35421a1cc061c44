import { SOURCES, type Source, type TakerSide, type Tick } from '../../core/index.js';

/** Ticks per chunk: the unit the ring allocates, recycles and evicts under memory pressure. */
export const CHUNK_TICKS = 4096;

/**
 * Bytes one buffered tick occupies: tsEvent, two price slots, volume
 * (Float64 each, exact), tsInit as an Int32 delta from tsEvent, seq as an
 * Int32 delta from the chunk's first seq of the same source and kind (trade
 * or quote), trades (Uint32), offset palette index (Uint16), flags (Uint8:
 * source, taker side, and which of bid / ask / last are present). The
 * present prices fill the two slots in the order bid, ask, last: a trade
 * holds last, a quote bid and ask. What does not fit (a tsInit or seq delta
 * beyond an Int32, a tick with all three prices as MT5 can send) is kept
 * aside by the ring, exactly.
 */
export const BYTES_PER_TICK = 4 * 8 + 4 + 4 + 4 + 2 + 1;

/** The tsInit delta meaning "kept aside": the ring holds the exact tsInit in its exception map. */
export const DELTA_ASIDE = -0x80000000;

/** The seq code of a null seq. */
export const SEQ_NULL = -0x80000000;

/** The seq code meaning "kept aside": the ring holds the exact seq in its exception map. */
export const SEQ_ASIDE = -0x7fffffff;

/** Bit of {@link TickChunk.write}'s answer: tsInit did not fit a delta, the caller keeps it aside. */
export const ASIDE_TS_INIT = 1;

/** Bit of {@link TickChunk.write}'s answer: the tick had bid, ask and last, the caller keeps `last` aside. */
export const ASIDE_LAST = 2;

/** Bit of {@link TickChunk.write}'s answer: seq did not fit a delta, the caller keeps it aside. */
export const ASIDE_SEQ = 4;

/** Bytes of one chunk's backing buffer. */
export const CHUNK_BYTES = BYTES_PER_TICK * CHUNK_TICKS;

/** A ring's exact values of what its chunks could not hold, by absolute position (rare). */
export type ChunkAside = Readonly<{
  tsInit: Map<number, number>;
  last: Map<number, number>;
  seq: Map<number, number>;
}>;

// flags byte: bits 0-1 source, 2-3 taker side (0 none, 1 buy, 2 sell), 4 bid, 5 ask, 6 last present
const HAS_BID = 16;
const HAS_ASK = 32;
const HAS_LAST = 64;

/** Seq base slot of a flags byte: source, and whether it is a trade (ids of trades and quotes are apart). */
function seqKey(flags: number): number {
  return (flags & 3) | ((flags & HAS_LAST) >> 4);
}

/**
 * One fixed-size block of ticks in columns (typed arrays over one
 * ArrayBuffer): no per-tick objects. Ticks are written by index; the ring
 * decides which slots are live.
 */
export class TickChunk {
  readonly ts: Float64Array;
  readonly delta: Int32Array;
  /** First / second present price of bid, ask, last (in that order). */
  readonly p1: Float64Array;
  readonly p2: Float64Array;
  readonly volume: Float64Array;
  /** Seq as a delta from {@link seqBase} of its key, or SEQ_NULL / SEQ_ASIDE. */
  readonly seq: Int32Array;
  readonly trades: Uint32Array;
  readonly off: Uint16Array;
  readonly flags: Uint8Array;
  /** Per seq key, the first seq written since {@link reset} (NaN: none yet). */
  private readonly seqBase = new Float64Array(8).fill(NaN);

  constructor() {
    const buf = new ArrayBuffer(CHUNK_BYTES);
    const n = CHUNK_TICKS;
    const f64 = (k: number) => new Float64Array(buf, k * 8 * n, n);
    this.ts = f64(0);
    this.p1 = f64(1);
    this.p2 = f64(2);
    this.volume = f64(3);
    this.delta = new Int32Array(buf, 32 * n, n);
    this.seq = new Int32Array(buf, 36 * n, n);
    this.trades = new Uint32Array(buf, 40 * n, n);
    this.off = new Uint16Array(buf, 44 * n, n);
    this.flags = new Uint8Array(buf, 46 * n, n);
  }

  /** Forgets the seq bases: call when the chunk starts a new life (taken from the pool). */
  reset(): void {
    this.seqBase.fill(NaN);
  }

  /**
   * Writes a tick into slot `i`; `offsetIndex` is its index in the symbol's
   * offset palette. Returns 0, or the bits {@link ASIDE_TS_INIT},
   * {@link ASIDE_LAST} and {@link ASIDE_SEQ} for what the caller must keep aside.
   */
  write(i: number, t: Tick, offsetIndex: number): number {
    this.ts[i] = t.tsEvent;
    const d = t.tsInit - t.tsEvent;
    const fits = Number.isInteger(d) && d > DELTA_ASIDE && d <= 0x7fffffff;
    this.delta[i] = fits ? d : DELTA_ASIDE;
    let aside = fits ? 0 : ASIDE_TS_INIT;
    let has = 0;
    const { bid, ask, last } = t;
    if (bid !== null) {
      has = HAS_BID;
      this.p1[i] = bid;
    }
    if (ask !== null) {
      if (has === 0) this.p1[i] = ask;
      else this.p2[i] = ask;
      has |= HAS_ASK;
    }
    if (last !== null) {
      if (has === 0) this.p1[i] = last;
      else if (has !== (HAS_BID | HAS_ASK)) this.p2[i] = last;
      else aside |= ASIDE_LAST;
      has |= HAS_LAST;
    }
    const flags = SOURCE_CODE[t.source] | (t.takerSide === null ? 0 : t.takerSide === 'buy' ? 4 : 8) | has;
    this.flags[i] = flags;
    if (!this.putSeq(i, t.seq, flags)) aside |= ASIDE_SEQ;
    this.volume[i] = t.volume;
    this.trades[i] = t.trades;
    this.off[i] = offsetIndex;
    return aside;
  }

  /**
   * Copies slot `i` of `from` into slot `j` of this chunk (aside values stay
   * the ring's business). Returns false when the seq, held as a delta there,
   * does not fit this chunk's base: the caller keeps {@link seqAt}(from, i) aside.
   */
  copyFrom(j: number, from: TickChunk, i: number): boolean {
    this.ts[j] = from.ts[i] as number;
    this.delta[j] = from.delta[i] as number;
    this.p1[j] = from.p1[i] as number;
    this.p2[j] = from.p2[i] as number;
    this.volume[j] = from.volume[i] as number;
    this.trades[j] = from.trades[i] as number;
    this.off[j] = from.off[i] as number;
    const flags = from.flags[i] as number;
    this.flags[j] = flags;
    const code = from.seq[i] as number;
    if (from === this || code === SEQ_NULL || code === SEQ_ASIDE) {
      this.seq[j] = code;
      return true;
    }
    return this.putSeq(j, from.seqBase[seqKey(flags)] as number + code, flags);
  }

  /** Seq of slot `i` when held as a delta (not aside), else null. */
  seqAt(i: number): number | null {
    const code = this.seq[i] as number;
    return code === SEQ_NULL || code === SEQ_ASIDE ? null : (this.seqBase[seqKey(this.flags[i] as number)] as number) + code;
  }

  /** Materialises slot `i` as a Tick (only for answers); `aside` holds what was kept aside, at absolute position `p`. */
  read(i: number, symbol: string, offsets: readonly number[], aside: ChunkAside, p: number): Tick {
    const flags = this.flags[i] as number;
    const side = (flags >> 2) & 3;
    const ts = this.ts[i] as number;
    const d = this.delta[i] as number;
    const a = this.p1[i] as number;
    const b = this.p2[i] as number;
    let bid: number | null = null;
    let ask: number | null = null;
    let last: number | null = null;
    if ((flags & HAS_BID) !== 0) {
      bid = a;
      if ((flags & HAS_ASK) !== 0) {
        ask = b;
        if ((flags & HAS_LAST) !== 0) last = aside.last.get(p) as number;
      } else if ((flags & HAS_LAST) !== 0) last = b;
    } else if ((flags & HAS_ASK) !== 0) {
      ask = a;
      if ((flags & HAS_LAST) !== 0) last = b;
    } else if ((flags & HAS_LAST) !== 0) last = a;
    const code = this.seq[i] as number;
    return {
      symbol,
      source: SOURCES[flags & 3] as Source,
      tsEvent: ts,
      tsInit: d === DELTA_ASIDE ? (aside.tsInit.get(p) as number) : ts + d,
      bid,
      ask,
      last,
      volume: this.volume[i] as number,
      trades: this.trades[i] as number,
      takerSide: side === 0 ? null : ((side === 1 ? 'buy' : 'sell') as TakerSide),
      seq: code === SEQ_NULL ? null : code === SEQ_ASIDE ? (aside.seq.get(p) as number) : (this.seqBase[seqKey(flags)] as number) + code,
      offset: offsets[this.off[i] as number] as number,
    };
  }

  /** Source of slot `i`. */
  source(i: number): Source {
    return SOURCES[(this.flags[i] as number) & 3] as Source;
  }

  /** Stores `seq` in slot `i` as a delta from its key's base (set by the first safe-integer seq); false when it must go aside. */
  private putSeq(i: number, seq: number | null, flags: number): boolean {
    if (seq === null) {
      this.seq[i] = SEQ_NULL;
      return true;
    }
    const k = seqKey(flags);
    let base = this.seqBase[k] as number;
    if (Number.isNaN(base) && Number.isSafeInteger(seq)) this.seqBase[k] = base = seq;
    const d = seq - base;
    const fits = Number.isInteger(d) && d > SEQ_ASIDE && d <= 0x7fffffff && Object.is(base + d, seq);
    this.seq[i] = fits ? d : SEQ_ASIDE;
    return fits;
  }
}

const SOURCE_CODE = Object.fromEntries(SOURCES.map((s, i) => [s, i])) as Record<Source, number>;

/** True when a tick can be held exactly by a chunk (trades a uint32); anything else is refused, never altered. */
export function fitsChunk(t: Tick): boolean {
  return Number.isInteger(t.trades) && t.trades >= 0 && t.trades <= 0xffffffff && SOURCE_CODE[t.source] !== undefined;
}
