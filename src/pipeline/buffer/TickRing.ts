import type { Source, Tick } from '../../core/index.js';
import { SymbolRing, type ChunkPool } from './SymbolRing.js';
import { BYTES_PER_TICK, CHUNK_BYTES, fitsChunk, TickChunk } from './TickChunk.js';

/** Limits of the RAM tick buffer. */
export type TickRingOptions = Readonly<{
  /** Rolling window by event time, ms (default 3 h). */
  windowMs?: number;
  /** Hard cap on the bytes of tick storage across all symbols (default 256 MiB). */
  capBytes?: number;
}>;

/** What the buffer holds, per symbol. */
export type TickRingSymbolStatus = Readonly<{
  symbol: string;
  ticks: number;
  bytes: number;
  /** Event time from which every tick of the symbol is held, or null when empty. */
  coveredFrom: number | null;
  newest: number | null;
  /** newest - coveredFrom, ms (0 when empty). */
  windowMs: number;
  /** True when the byte cap cut this symbol's window below the configured one. */
  shortened: boolean;
  /** Ticks refused as older than the covered window. */
  late: number;
}>;

/** The buffer's state as get_system_status reports it. */
export type TickRingStatus = Readonly<{
  /** Bytes allocated for tick storage (whole chunks). */
  bytes: number;
  capBytes: number;
  ticks: number;
  /** Allocated bytes per buffered tick (BYTES_PER_TICK plus unfilled chunk slack). */
  bytesPerTick: number;
  /** Shortest window any symbol holds now, ms (the configured window while none was shortened). */
  windowMs: number;
  configuredWindowMs: number;
  /** True when memory pressure shortened the window of at least one symbol. */
  shortened: boolean;
  /** Why the window is shorter than configured, or null. */
  reason: string | null;
  /** Ticks refused because the cap left no room at all. */
  refused: number;
  symbols: readonly TickRingSymbolStatus[];
}>;

const HOUR = 3_600_000;

/**
 * The RAM tick buffer: per symbol a ring of raw ticks in typed-array chunks
 * ({@link BYTES_PER_TICK} = 47 bytes a tick, no per-tick objects), a rolling
 * window by event time, and a hard byte cap across symbols. Under memory
 * pressure the ring does not grow: it frees the globally oldest chunk (oldest
 * data out first), so the RAM window gets shorter, and says so in
 * {@link status}. Queries by [from, to) materialise Tick objects only for the
 * answer. It satisfies the store's `TickWindow` interface (`coveredFrom`,
 * `ticks`).
 */
export class TickRing {
  readonly windowMs: number;
  readonly capBytes: number;
  private readonly rings = new Map<string, SymbolRing>();
  private readonly free: TickChunk[] = [];
  private allocated = 0;
  private refused = 0;
  private readonly pool: ChunkPool;

  constructor(options: TickRingOptions = {}) {
    this.windowMs = options.windowMs ?? 3 * HOUR;
    this.capBytes = options.capBytes ?? 256 * 1024 * 1024;
    if (this.capBytes < CHUNK_BYTES) throw new RangeError(`capBytes must be at least one chunk (${CHUNK_BYTES} bytes)`);
    this.pool = {
      take: () => this.take(),
      give: (c) => {
        this.free.push(c);
      },
    };
  }

  /** Adds one tick; evicts what left the window. Returns false when the tick was refused (late, unrepresentable, no room). */
  add(tick: Tick): boolean {
    if (!fitsChunk(tick)) {
      this.refused++;
      return false;
    }
    const ring = this.ring(tick.symbol);
    const late = ring.late;
    const ok = ring.add(tick, this.pool);
    if (!ok && ring.late === late) this.refused++;
    const newest = ring.newest();
    if (newest !== null) ring.evictBefore(newest - this.windowMs, this.pool);
    return ok;
  }

  /**
   * Refills a symbol from durable rows (ascending `tsEvent`, e.g. TickRepo
   * pages of unified_ticks). The ring then covers from the first tick taken;
   * pass `from` only when the rows are known to hold every tick from `from`
   * on (a layer pruned under the window would otherwise be shadowed by RAM).
   * Returns the ticks taken. Call before live ticks arrive.
   */
  refill(symbol: string, rows: Iterable<readonly Tick[]> | Iterable<Tick>, from?: number): number {
    const ring = this.ring(symbol);
    if (from !== undefined && (ring.coveredFrom === null || from < ring.coveredFrom)) ring.coveredFrom = from;
    let taken = 0;
    const take = (t: Tick) => {
      if (t.symbol === symbol && this.add(t)) taken++;
    };
    for (const row of rows) {
      if (Array.isArray(row)) for (const t of row as readonly Tick[]) take(t);
      else take(row as Tick);
    }
    return taken;
  }

  /** Event time from which the buffer holds every tick of `symbol` it was given, or null when it holds none. */
  coveredFrom(symbol: string): number | null {
    const ring = this.rings.get(symbol);
    return ring && ring.size > 0 ? ring.coveredFrom : null;
  }

  /** Ticks of `symbol` with tsEvent in [from, to), in order, at most `limit`, optionally one source. */
  ticks(symbol: string, from: number, to: number, limit: number, source?: Source): Tick[] {
    return this.rings.get(symbol)?.range(from, to, limit, source) ?? [];
  }

  /** Symbols with buffered ticks. */
  symbols(): string[] {
    return [...this.rings.keys()];
  }

  /** Memory, window and pressure state (for get_system_status). */
  status(): TickRingStatus {
    const symbols: TickRingSymbolStatus[] = [];
    let ticks = 0;
    let windowMs = this.windowMs;
    const cut: string[] = [];
    for (const r of this.rings.values()) {
      const newest = r.newest();
      const win = newest === null || r.coveredFrom === null ? 0 : newest - r.coveredFrom;
      const shortened = r.pressureCut !== null && (newest === null || r.pressureCut > newest - this.windowMs);
      if (shortened) {
        windowMs = Math.min(windowMs, win);
        cut.push(`${r.symbol} ${formatMs(win)}`);
      }
      ticks += r.size;
      symbols.push({ symbol: r.symbol, ticks: r.size, bytes: r.chunkCount * CHUNK_BYTES, coveredFrom: r.size > 0 ? r.coveredFrom : null, newest, windowMs: win, shortened, late: r.late });
    }
    const bytes = this.allocated - this.free.length * CHUNK_BYTES;
    return {
      bytes,
      capBytes: this.capBytes,
      ticks,
      bytesPerTick: ticks === 0 ? BYTES_PER_TICK : bytes / ticks,
      windowMs,
      configuredWindowMs: this.windowMs,
      shortened: cut.length > 0,
      reason:
        cut.length > 0
          ? `byte cap of ${formatBytes(this.capBytes)} reached: RAM window shortened to ${cut.join(', ')} (configured ${formatMs(this.windowMs)}); older ticks are answered from SQLite`
          : null,
      refused: this.refused,
      symbols,
    };
  }

  /** Drops everything (stop, tests). */
  clear(): void {
    for (const r of this.rings.values()) r.clear(this.pool);
    this.rings.clear();
  }

  private ring(symbol: string): SymbolRing {
    let r = this.rings.get(symbol);
    if (!r) {
      r = new SymbolRing(symbol);
      this.rings.set(symbol, r);
    }
    return r;
  }

  /** A chunk: recycled, newly allocated under the cap, or freed from the ring holding the oldest data. */
  private take(): TickChunk | null {
    const recycled = this.free.pop();
    if (recycled) return recycled;
    if (this.allocated + CHUNK_BYTES <= this.capBytes) {
      this.allocated += CHUNK_BYTES;
      return new TickChunk();
    }
    let victim: SymbolRing | null = null;
    for (const r of this.rings.values()) {
      const o = r.oldest();
      if (r.chunkCount > 0 && o !== null && (victim === null || o < (victim.oldest() as number))) victim = r;
    }
    if (victim === null || !victim.shedOldestChunk(this.pool)) return null;
    return this.free.pop() ?? null;
  }
}

function formatMs(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}
