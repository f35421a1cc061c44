import { InvalidRequestError, type Source, type Tick } from '../../core/index.js';
import { AsyncLru } from './Lru.js';
import { DAY_MS, dayOf, dayStart } from './days.js';
import { trailingEqual, type ArchiveReader, type TickHistory, type TickWindow } from './layers.js';
import { aggregateTicks, type TickBar, type TickResolution } from './tickBars.js';

/** Where a range of ticks is answered from. */
export type TickLayer = 'ram' | 'sqlite' | 'archive';

/** One piece of a query range and the layer that answers it. */
export type TickSegment = Readonly<{ layer: TickLayer; from: number; to: number }>;

/** Request of one page of ticks or tick aggregates; `from` inclusive, `to` exclusive, epoch ms. */
export type TickPageRequest = Readonly<{
  symbol: string;
  from: number;
  to: number;
  resolution: TickResolution;
  limit: number;
  /** Only ticks of this source; omitted = every source. */
  source?: Source;
  cursor?: string;
  /** 1s / 1m only: true rebuilds every bar from raw ticks instead of answering closed intervals from stored S1 / M1 candles. */
  rebuild?: boolean;
}>;

/** A page of raw ticks (resolution raw) or bars (1s, 1m), oldest first; never cut silently. */
export type TickPage = Readonly<{
  resolution: TickResolution;
  ticks: readonly Tick[];
  bars: readonly TickBar[];
  hasMore: boolean;
  nextCursor: string | null;
  /** Raw ticks read from each layer for this page. */
  layers: Readonly<Record<TickLayer, number>>;
  /** Bars of this page answered from stored S1/M1 candles, per layer (absent or zero: every bar was built from raw ticks). */
  candleBars?: Readonly<{ sqlite: number; archive: number }>;
}>;

/** Ticks read from one layer, in order. */
export type LayerChunk = Readonly<{ layer: TickLayer; ticks: readonly Tick[] }>;

/** Reports progress of a long read: segments done of total, and what is being read. */
export type ProgressFn = (done: number, total: number, message: string) => void | Promise<void>;

/**
 * What a tick-page cursor carries: resume time and ties to skip, range end,
 * resolution, source filter, symbol, and `b` = 1 when bars are rebuilt from
 * raw ticks only (no stored candles).
 */
export type TickCursor = { t: number; k: number; to: number; r: TickResolution; s?: Source; y: string; b?: 1 };

/** Options of the tick access layer. */
export type TickAccessLayers = Readonly<{
  window?: TickWindow;
  history?: TickHistory;
  archive?: ArchiveReader;
  /** Ticks of archived days kept in the LRU of hot closed ranges (default 500,000). */
  cacheTicks?: number;
}>;

const CHUNK = 20_000;

/**
 * Ticks of any range by stitching the layers: RAM answers from where it
 * covers every tick, archived UTC days from the archive, the rest from
 * SQLite. The split is on millisecond boundaries, so a tick present in two
 * layers (the recorder's copy of RAM, SQLite not yet pruned after archiving)
 * is answered once. Reads go in chunks; pages carry an opaque cursor.
 */
export class TickAccess {
  private readonly cache: AsyncLru<string, readonly Tick[]>;

  constructor(private readonly layers: TickAccessLayers) {
    this.cache = new AsyncLru(layers.cacheTicks ?? 500_000, (v) => v.length);
  }

  /** Event time from which the RAM window holds every tick of `symbol`; Infinity without a window or ticks. */
  ramFrom(symbol: string): number {
    return this.layers.window?.coveredFrom(symbol) ?? Infinity;
  }

  /** How a range [from, to) of a symbol splits across the layers, in time order. */
  plan(symbol: string, from: number, to: number): TickSegment[] {
    const out: TickSegment[] = [];
    const ramFrom = this.layers.window?.coveredFrom(symbol) ?? Infinity;
    const histEnd = Math.min(to, ramFrom);
    const archived = new Set(this.layers.archive?.listDays(symbol, 'ticks') ?? []);
    const push = (layer: TickLayer, a: number, b: number) => {
      const prev = out[out.length - 1];
      if (prev && prev.layer === layer && layer !== 'archive' && prev.to === a) out[out.length - 1] = { layer, from: prev.from, to: b };
      else out.push({ layer, from: a, to: b });
    };
    if (from < histEnd) {
      if (archived.size === 0) push('sqlite', from, histEnd);
      else {
        const days = [...archived].map(dayStart).filter((d) => d + DAY_MS > from && d < histEnd).sort((a, b) => a - b);
        let t = from;
        for (const d of days) {
          if (t < d) push('sqlite', t, d);
          push('archive', Math.max(t, d), Math.min(histEnd, d + DAY_MS));
          t = Math.min(histEnd, d + DAY_MS);
        }
        if (t < histEnd) push('sqlite', t, histEnd);
      }
    }
    if (ramFrom < to) push('ram', Math.max(from, ramFrom), to);
    return out;
  }

  /** One page of raw ticks or bars; `signal` stops a long read between chunks (the caller cancelled). */
  async page(request: TickPageRequest, progress?: ProgressFn, signal?: AbortSignal): Promise<TickPage> {
    if (!Number.isInteger(request.limit) || request.limit < 1) throw new InvalidRequestError(`limit must be a positive integer, got ${request.limit}`);
    const c = request.cursor !== undefined ? decodeTickCursor(request.cursor, request.symbol) : null;
    const to = c?.to ?? request.to;
    const resolution = c?.r ?? request.resolution;
    const source = c ? c.s : request.source;
    const start = c?.t ?? request.from;
    if (!(to > start) && c === null) throw new InvalidRequestError('to must be later than from');
    const layers: Record<TickLayer, number> = { ram: 0, sqlite: 0, archive: 0 };
    const size = resolution === 'raw' ? Math.min(CHUNK, request.limit + 1) : CHUNK;
    const scan = this.scan(request.symbol, start, c?.k ?? 0, to, source, progress, size, signal);
    const cursor = (t: number, k: number) => encodeTickCursor({ t, k, to, r: resolution, y: request.symbol, ...(source ? { s: source } : {}) });
    if (resolution === 'raw') {
      const ticks: Tick[] = [];
      let next: Tick | undefined;
      for await (const { layer, ticks: chunk } of scan) {
        for (const t of chunk) {
          if (ticks.length < request.limit) {
            ticks.push(t);
            layers[layer]++;
          } else {
            next = t;
            break;
          }
        }
        if (next) break;
      }
      if (next) {
        // ties at the next tick's millisecond already returned (only possible when the page starts there too)
        const k = trailingEqual(ticks, next.tsEvent) + (ticks[0]?.tsEvent === next.tsEvent ? (c?.t === next.tsEvent ? c.k : 0) : 0);
        return { resolution, ticks, bars: [], hasMore: true, nextCursor: cursor(next.tsEvent, k), layers };
      }
      return { resolution, ticks, bars: [], hasMore: false, nextCursor: null, layers };
    }
    const { bars, nextOpen } = await aggregateTicks(scan, resolution, request.limit, layers);
    return { resolution, ticks: [], bars, hasMore: nextOpen !== null, nextCursor: nextOpen !== null ? cursor(nextOpen, 0) : null, layers };
  }

  /** Every tick of [from, to) in order, in chunks of `size` tagged with their layer, skipping the first `skip` ticks at `from`'s millisecond. */
  async *scan(
    symbol: string,
    from: number,
    skip: number,
    to: number,
    source: Source | undefined,
    progress?: ProgressFn,
    size = CHUNK,
    signal?: AbortSignal,
  ): AsyncGenerator<LayerChunk> {
    const segments = this.plan(symbol, from, to);
    let done = 0;
    for (const seg of segments) {
      if (progress) await progress(done, segments.length, `reading ${seg.layer} ${new Date(seg.from).toISOString()} to ${new Date(seg.to).toISOString()}`);
      const fetch = this.fetcher(symbol, seg, source);
      const first = seg.from === from ? skip : 0;
      for await (const ticks of chunks(fetch, seg.from, first, size)) {
        signal?.throwIfAborted();
        yield { layer: seg.layer, ticks };
      }
      done++;
    }
    if (progress && segments.length > 0) await progress(done, segments.length, 'done');
  }

  /** Cache counters of the hot closed ranges (archived tick days). */
  cacheStats(): { entries: number; weight: number; hits: number; misses: number } {
    return this.cache.stats();
  }

  private fetcher(symbol: string, seg: TickSegment, source: Source | undefined): (t: number, n: number) => Promise<readonly Tick[]> {
    const { window, history, archive } = this.layers;
    if (seg.layer === 'ram') return async (t, n) => window?.ticks(symbol, t, seg.to, n, source) ?? [];
    if (seg.layer === 'sqlite') {
      return async (t, n) => history?.rangeTicks({ symbol, from: t, to: seg.to - 1, limit: n, ...(source ? { source } : {}) }) ?? [];
    }
    const day = dayOf(seg.from);
    const d0 = dayStart(day);
    return async (t, n) => {
      const all = archive ? await this.cache.get(`${symbol}|${day}`, () => archive.readTicks(symbol, d0, d0 + DAY_MS - 1)) : [];
      const out: Tick[] = [];
      for (let i = lowerBound(all, t); i < all.length && out.length < n; i++) {
        const x = all[i] as Tick;
        if (x.tsEvent >= seg.to) break;
        if (source === undefined || x.source === source) out.push(x);
      }
      return out;
    };
  }
}

/** Walks a layer in chunks by (time, ties to skip), so equal-time ticks across chunk borders are neither lost nor repeated. */
async function* chunks(fetch: (t: number, n: number) => Promise<readonly Tick[]>, from: number, skip0: number, size: number): AsyncGenerator<readonly Tick[]> {
  let t = from;
  let skip = skip0;
  for (;;) {
    const rows = await fetch(t, size + skip);
    const page = rows.slice(skip);
    if (page.length > 0) yield page;
    if (rows.length < size + skip) return;
    const last = (rows[rows.length - 1] as Tick).tsEvent;
    skip = last === t ? skip + page.length : trailingEqual(rows, last);
    t = last;
  }
}

function lowerBound(rows: readonly Tick[], ts: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as Tick).tsEvent < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Encodes a tick-page cursor (opaque to callers). */
export function encodeTickCursor(c: TickCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Decodes a cursor this layer issued for `symbol`; anything else is an invalid request. */
export function decodeTickCursor(text: string, symbol: string): TickCursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as TickCursor;
    if (Number.isFinite(c.t) && Number.isInteger(c.k) && c.k >= 0 && Number.isFinite(c.to) && ['raw', '1s', '1m'].includes(c.r) && c.y === symbol) return c;
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor is not one this server issued for this symbol; pass the nextCursor of a previous answer or omit it');
}
