import type { Source, Tick } from '../../core/index.js';
import { ASIDE_LAST, ASIDE_SEQ, ASIDE_TS_INIT, CHUNK_TICKS, TickChunk, type ChunkAside } from './TickChunk.js';

/** Hands out chunks and takes them back (the ring recycles memory instead of reallocating it). */
export interface ChunkPool {
  /** A chunk to write into, or null when the byte cap forbids another one. */
  take(): TickChunk | null;
  give(chunk: TickChunk): void;
}

/**
 * The buffered ticks of one symbol, in event-time order, in a list of
 * chunks: appends go to the last chunk, eviction drops from the front. A tick
 * that arrives out of order (interleaved sources) is inserted in place; one
 * older than what the ring still covers is refused. `coveredFrom` is the
 * event time from which the ring holds every tick it was given.
 */
export class SymbolRing {
  private readonly chunks: TickChunk[] = [];
  /** Slot of the first live tick in chunks[0]. */
  private start = 0;
  private n = 0;
  private readonly offsets: number[] = [];
  private readonly offsetIndex = new Map<number, number>();
  /** Absolute position of logical index 0 (grows as ticks are evicted). */
  private base = 0;
  /**
   * By absolute position (rare): tsInit whose delta from tsEvent does not fit
   * an Int32, `last` of ticks with bid, ask and last (the two price slots hold
   * bid and ask), seq whose delta from its chunk's base does not fit an Int32.
   */
  private readonly aside: ChunkAside = { tsInit: new Map(), last: new Map(), seq: new Map() };
  /** Every tick with tsEvent >= coveredFrom that was given is held; null until the first tick. */
  coveredFrom: number | null = null;
  /** Event time of the last eviction forced by the byte cap, or null. */
  pressureCut: number | null = null;
  /** Ticks refused because they were older than the covered window. */
  late = 0;

  constructor(readonly symbol: string) {}

  /** Ticks held. */
  get size(): number {
    return this.n;
  }

  /** Values kept aside because the chunks could not hold them (should stay near 0 on venue data). */
  get asideCount(): number {
    return this.aside.tsInit.size + this.aside.last.size + this.aside.seq.size;
  }

  /** Chunks held (each of CHUNK_BYTES). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Event time of the oldest / newest held tick, or null when empty. */
  oldest(): number | null {
    return this.n === 0 ? null : this.tsAt(0);
  }

  newest(): number | null {
    return this.n === 0 ? null : this.tsAt(this.n - 1);
  }

  /** Adds a tick in event-time order. Returns false when it was refused (older than the covered window, or no memory). */
  add(tick: Tick, pool: ChunkPool): boolean {
    if (this.coveredFrom === null) this.coveredFrom = tick.tsEvent;
    if (tick.tsEvent < this.coveredFrom) {
      this.late++;
      return false;
    }
    if (this.start + this.n === this.chunks.length * CHUNK_TICKS) {
      const chunk = pool.take();
      if (chunk === null) return false;
      chunk.reset();
      this.chunks.push(chunk);
      // the pool may have freed this ring's own oldest chunk to make room
      if (this.coveredFrom !== null && tick.tsEvent < this.coveredFrom) {
        this.late++;
        return false;
      }
    }
    // find the insertion slot: after every tick with tsEvent <= tick.tsEvent (arrival order kept for ties)
    let at = this.n;
    while (at > 0 && this.tsAt(at - 1) > tick.tsEvent) at--;
    for (let k = this.n; k > at; k--) this.copy(k - 1, k);
    const [c, i] = this.locate(at);
    const kept = c.write(i, tick, this.paletteIndex(tick.offset));
    const p = this.base + at;
    const { tsInit, last, seq } = this.aside;
    if ((kept & ASIDE_TS_INIT) !== 0) tsInit.set(p, tick.tsInit);
    else if (tsInit.size > 0) tsInit.delete(p);
    if ((kept & ASIDE_LAST) !== 0) last.set(p, tick.last as number);
    else if (last.size > 0) last.delete(p);
    if ((kept & ASIDE_SEQ) !== 0) seq.set(p, tick.seq as number);
    else if (seq.size > 0) seq.delete(p);
    this.n++;
    return true;
  }

  /** Drops every tick with tsEvent < cutoff; the ring then covers from `cutoff`. Returns the ticks dropped. */
  evictBefore(cutoff: number, pool: ChunkPool): number {
    if (this.coveredFrom !== null && cutoff <= this.coveredFrom) return 0;
    const k = this.lowerBound(cutoff);
    this.dropFront(k, pool);
    this.coveredFrom = cutoff;
    return k;
  }

  /**
   * Frees the oldest chunk under memory pressure: drops the ticks in it and any
   * later ones of the same millisecond, so the ring still covers whole
   * milliseconds. Returns false when the ring holds no chunk.
   */
  shedOldestChunk(pool: ChunkPool): boolean {
    if (this.chunks.length === 0) return false;
    const inFirst = Math.min(this.n, CHUNK_TICKS - this.start);
    if (inFirst === 0) {
      pool.give(this.chunks.shift() as TickChunk);
      this.start = 0;
      return true;
    }
    const cut = this.tsAt(inFirst - 1) + 1;
    this.evictBefore(cut, pool);
    this.pressureCut = cut;
    return true;
  }

  /** Ticks with tsEvent in [from, to), in order, at most `limit`, optionally of one source. */
  range(from: number, to: number, limit: number, source?: Source): Tick[] {
    const out: Tick[] = [];
    for (let k = this.lowerBound(from); k < this.n && out.length < limit; k++) {
      const [c, i] = this.locate(k);
      if ((c.ts[i] as number) >= to) break;
      if (source !== undefined && c.source(i) !== source) continue;
      out.push(c.read(i, this.symbol, this.offsets, this.aside, this.base + k));
    }
    return out;
  }

  /** Returns every chunk to the pool. */
  clear(pool: ChunkPool): void {
    for (const c of this.chunks) pool.give(c);
    this.chunks.length = 0;
    this.start = 0;
    this.n = 0;
    this.base = 0;
    this.aside.tsInit.clear();
    this.aside.last.clear();
    this.aside.seq.clear();
    this.coveredFrom = null;
  }

  private dropFront(k: number, pool: ChunkPool): void {
    this.base += k;
    prune(this.aside.tsInit, this.base);
    prune(this.aside.last, this.base);
    prune(this.aside.seq, this.base);
    this.start += k;
    this.n -= k;
    while (this.start >= CHUNK_TICKS || (this.n === 0 && this.chunks.length > 0)) {
      pool.give(this.chunks.shift() as TickChunk);
      this.start = Math.max(0, this.start - CHUNK_TICKS);
    }
    if (this.n === 0) this.start = 0;
  }

  /** Index of the first tick with tsEvent >= ts. */
  private lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tsAt(mid) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private tsAt(k: number): number {
    const p = this.start + k;
    return (this.chunks[p >>> 12] as TickChunk).ts[p & (CHUNK_TICKS - 1)] as number;
  }

  private locate(k: number): [TickChunk, number] {
    const p = this.start + k;
    return [this.chunks[p >>> 12] as TickChunk, p & (CHUNK_TICKS - 1)];
  }

  private copy(from: number, to: number): void {
    const [a, i] = this.locate(from);
    const [b, j] = this.locate(to);
    const seqFits = b.copyFrom(j, a, i);
    const { tsInit, last, seq } = this.aside;
    move(tsInit, this.base + from, this.base + to);
    move(last, this.base + from, this.base + to);
    move(seq, this.base + from, this.base + to);
    if (!seqFits) seq.set(this.base + to, a.seqAt(i) as number);
  }

  private paletteIndex(offset: number): number {
    let idx = this.offsetIndex.get(offset);
    if (idx !== undefined) return idx;
    if (this.offsets.length >= 0xffff) this.compactPalette();
    idx = this.offsets.length;
    this.offsets.push(offset);
    this.offsetIndex.set(offset, idx);
    return idx;
  }

  /** Rebuilds the offset palette from the offsets still referenced (runs only after 65,535 distinct offsets). */
  private compactPalette(): void {
    const used = new Map<number, number>();
    const values: number[] = [];
    for (let k = 0; k < this.n; k++) {
      const [c, i] = this.locate(k);
      const v = this.offsets[c.off[i] as number] as number;
      let idx = used.get(v);
      if (idx === undefined) {
        idx = values.length;
        values.push(v);
        used.set(v, idx);
      }
      c.off[i] = idx;
    }
    this.offsets.length = 0;
    this.offsets.push(...values);
    this.offsetIndex.clear();
    for (const [v, i] of used) this.offsetIndex.set(v, i);
  }
}

/** Moves the aside value at position `from` (if any) to position `to`, replacing what `to` had. */
function move(aside: Map<number, number>, from: number, to: number): void {
  if (aside.size === 0) return;
  const v = aside.get(from);
  if (v === undefined) aside.delete(to);
  else {
    aside.set(to, v);
    aside.delete(from);
  }
}

/** Drops the aside values of positions before `base` (evicted). */
function prune(aside: Map<number, number>, base: number): void {
  if (aside.size > 0) for (const p of aside.keys()) if (p < base) aside.delete(p);
}
