import { SOURCES, type Source, type TakerSide, type Tick } from '../../core/index.js';

/** Ticks per chunk: the unit the ring allocates, recycles and evicts under memory pressure. */
export const CHUNK_TICKS = 4096;

/**
 * Bytes one buffered tick occupies: tsEvent, bid, ask, last, volume, seq
 * (Float64 each, exact), tsInit as an Int32 delta from tsEvent (a delta that
 * does not fit is kept aside by the ring, exactly), trades (Uint32), offset
 * palette index (Uint16), flags (Uint8: source and taker side). Nulls are
 * stored as NaN (a valid tick never holds NaN).
 */
export const BYTES_PER_TICK = 6 * 8 + 4 + 4 + 2 + 1;

/** The tsInit delta meaning "kept aside": the ring holds the exact tsInit in its exception map. */
export const DELTA_ASIDE = -0x80000000;

/** Bytes of one chunk's backing buffer. */
export const CHUNK_BYTES = BYTES_PER_TICK * CHUNK_TICKS;

/**
 * One fixed-size block of ticks in columns (typed arrays over one
 * ArrayBuffer): no per-tick objects. Ticks are written by index; the ring
 * decides which slots are live.
 */
export class TickChunk {
  readonly ts: Float64Array;
  readonly delta: Int32Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly last: Float64Array;
  readonly volume: Float64Array;
  readonly seq: Float64Array;
  readonly trades: Uint32Array;
  readonly off: Uint16Array;
  readonly flags: Uint8Array;

  constructor() {
    const buf = new ArrayBuffer(CHUNK_BYTES);
    const n = CHUNK_TICKS;
    const f64 = (k: number) => new Float64Array(buf, k * 8 * n, n);
    this.ts = f64(0);
    this.bid = f64(1);
    this.ask = f64(2);
    this.last = f64(3);
    this.volume = f64(4);
    this.seq = f64(5);
    this.delta = new Int32Array(buf, 48 * n, n);
    this.trades = new Uint32Array(buf, 52 * n, n);
    this.off = new Uint16Array(buf, 56 * n, n);
    this.flags = new Uint8Array(buf, 58 * n, n);
  }

  /**
   * Writes a tick into slot `i`; `offsetIndex` is its index in the symbol's
   * offset palette. Returns false when tsInit could not be held as a delta
   * (the caller keeps it aside).
   */
  write(i: number, t: Tick, offsetIndex: number): boolean {
    this.ts[i] = t.tsEvent;
    const d = t.tsInit - t.tsEvent;
    const fits = Number.isInteger(d) && d > DELTA_ASIDE && d <= 0x7fffffff;
    this.delta[i] = fits ? d : DELTA_ASIDE;
    this.bid[i] = t.bid ?? NaN;
    this.ask[i] = t.ask ?? NaN;
    this.last[i] = t.last ?? NaN;
    this.volume[i] = t.volume;
    this.seq[i] = t.seq ?? NaN;
    this.trades[i] = t.trades;
    this.off[i] = offsetIndex;
    this.flags[i] = SOURCE_CODE[t.source] | (t.takerSide === null ? 0 : t.takerSide === 'buy' ? 4 : 8);
    return fits;
  }

  /** Copies slot `i` of `from` into slot `j` of this chunk. */
  copyFrom(j: number, from: TickChunk, i: number): void {
    this.ts[j] = from.ts[i] as number;
    this.delta[j] = from.delta[i] as number;
    this.bid[j] = from.bid[i] as number;
    this.ask[j] = from.ask[i] as number;
    this.last[j] = from.last[i] as number;
    this.volume[j] = from.volume[i] as number;
    this.seq[j] = from.seq[i] as number;
    this.trades[j] = from.trades[i] as number;
    this.off[j] = from.off[i] as number;
    this.flags[j] = from.flags[i] as number;
  }

  /** Materialises slot `i` as a Tick (only for answers); `aside` is its tsInit when kept aside. */
  read(i: number, symbol: string, offsets: readonly number[], aside?: number): Tick {
    const flags = this.flags[i] as number;
    const side = (flags >> 2) & 3;
    const ts = this.ts[i] as number;
    const d = this.delta[i] as number;
    return {
      symbol,
      source: SOURCES[flags & 3] as Source,
      tsEvent: ts,
      tsInit: d === DELTA_ASIDE ? (aside as number) : ts + d,
      bid: nullable(this.bid[i] as number),
      ask: nullable(this.ask[i] as number),
      last: nullable(this.last[i] as number),
      volume: this.volume[i] as number,
      trades: this.trades[i] as number,
      takerSide: side === 0 ? null : ((side === 1 ? 'buy' : 'sell') as TakerSide),
      seq: nullable(this.seq[i] as number),
      offset: offsets[this.off[i] as number] as number,
    };
  }

  /** Source of slot `i`. */
  source(i: number): Source {
    return SOURCES[(this.flags[i] as number) & 3] as Source;
  }
}

const SOURCE_CODE = Object.fromEntries(SOURCES.map((s, i) => [s, i])) as Record<Source, number>;

function nullable(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

/** True when a tick can be held exactly by a chunk (trades a uint32); anything else is refused, never altered. */
export function fitsChunk(t: Tick): boolean {
  return Number.isInteger(t.trades) && t.trades >= 0 && t.trades <= 0xffffffff && SOURCE_CODE[t.source] !== undefined;
}
