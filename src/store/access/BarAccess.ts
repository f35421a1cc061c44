import { InvalidRequestError, type Candle, type CandleStore, type Timeframe } from '../../core/index.js';
import type { CandleBarRow } from '../repos/CandleRepo.js';
import type { ArchiveCandles } from './ArchiveCandles.js';
import { DAY_MS } from './days.js';
import { decodeTickCursor, encodeTickCursor, type ProgressFn, type TickAccess, type TickLayer, type TickPage, type TickPageRequest } from './TickAccess.js';
import { aggregateTicks, RESOLUTION_MS, type TickBar } from './tickBars.js';

/** Where one piece of a bar query is answered: stored candles of SQLite or the archive, or raw ticks folded into bars. */
export type BarSegment = Readonly<{ from: number; to: number; basis: 'candles'; layer: 'sqlite' | 'archive' } | { from: number; to: number; basis: 'ticks' }>;

/** A candle store that can also read compact bar rows (the SQLite `CandleRepo`); other stores are read through `queryCandles`. */
type BarRowReader = CandleStore & {
  queryBarRows?(symbol: string, timeframe: Timeframe, source: string, from: number, to: number, limit: number): CandleBarRow[];
};

/** Stored candle streams the bar layer reads: the candle store and, when there is one, the archive's candle days. */
export type BarCandleLayers = Readonly<{
  store: BarRowReader;
  archive: ArchiveCandles | null;
  /** Source key of the candle stream answering a query without a `source` (the symbol's primary candle source). */
  primarySource: (symbol: string) => string;
}>;

const TIMEFRAME_OF = { '1s': 'S1', '1m': 'M1' } as const satisfies Record<'1s' | '1m', Timeframe>;
const CANDLE_CHUNK = 5_000;

/**
 * 1 s / 1 min bars of any range: closed intervals that a stored trade-basis
 * S1 / M1 candle stream covers (SQLite, then archived candle days) are
 * answered from those candles, which the pipeline built from the same ticks;
 * the rest (the RAM window, the forming interval, a partial first or last
 * interval, ranges without stored candles) is folded from raw ticks. A stored
 * candle of an interval without trades produces no bar, as there the ticks
 * produce none. Bars from candles carry `ticks`, `bid` and `ask` null.
 */
export class BarAccess {
  constructor(
    private readonly ticks: TickAccess,
    private readonly candles: BarCandleLayers,
  ) {}

  /**
   * How [from, to) of a symbol splits into candle- and tick-answered
   * pieces, in time order, for the candle stream `sourceKey` (null: ticks only).
   * Ticks answer from where the RAM window starts on.
   */
  plan(symbol: string, resolution: '1s' | '1m', sourceKey: string | null, from: number, to: number): BarSegment[] {
    const size = RESOLUTION_MS[resolution];
    const tf = TIMEFRAME_OF[resolution];
    const ramFrom = this.ticks.ramFrom(symbol);
    const lo = Math.ceil(from / size) * size;
    const hi = Math.floor(Math.min(to, ramFrom) / size) * size;
    const covered: { from: number; to: number; layer: 'sqlite' | 'archive' }[] = [];
    if (sourceKey !== null && lo < hi) {
      const sqlite = this.sqliteCover(symbol, tf, sourceKey, size);
      if (sqlite) covered.push({ from: Math.max(lo, sqlite.from), to: Math.min(hi, sqlite.to), layer: 'sqlite' });
      const sqliteFrom = sqlite?.from ?? Infinity;
      for (const d of this.candles.archive?.dayStarts(symbol, tf) ?? []) {
        const a = Math.max(lo, d);
        const b = Math.min(hi, d + DAY_MS, sqliteFrom);
        if (a < b) covered.push({ from: a, to: b, layer: 'archive' });
      }
    }
    const pieces = covered.filter((c) => c.from < c.to).sort((a, b) => a.from - b.from);
    const out: BarSegment[] = [];
    let t = from;
    for (const c of pieces) {
      if (c.from < t) continue;
      if (t < c.from) out.push({ from: t, to: c.from, basis: 'ticks' });
      const prev = out[out.length - 1];
      if (prev && prev.basis === 'candles' && prev.layer === c.layer && prev.to === c.from) out[out.length - 1] = { ...prev, to: c.to };
      else out.push({ from: c.from, to: c.to, basis: 'candles', layer: c.layer });
      t = c.to;
    }
    if (t < to) out.push({ from: t, to, basis: 'ticks' });
    return out;
  }

  /** One page of bars (resolution 1s or 1m) of a request whose cursor, if any, this layer or the tick layer issued. */
  async page(request: TickPageRequest, progress?: ProgressFn, signal?: AbortSignal): Promise<TickPage> {
    if (!Number.isInteger(request.limit) || request.limit < 1) throw new InvalidRequestError(`limit must be a positive integer, got ${request.limit}`);
    const c = request.cursor !== undefined ? decodeTickCursor(request.cursor, request.symbol) : null;
    const resolution = c?.r ?? request.resolution;
    if (resolution === 'raw') return this.ticks.page(request, progress, signal);
    const to = c?.to ?? request.to;
    const start = c?.t ?? request.from;
    const source = c ? c.s : request.source;
    const rebuild = c ? c.b === 1 : request.rebuild === true;
    if (!(to > start) && c === null) throw new InvalidRequestError('to must be later than from');
    const sourceKey = rebuild ? null : (source ?? this.candles.primarySource(request.symbol));
    const segments = this.plan(request.symbol, resolution, sourceKey, start, to);
    const layers: Record<TickLayer, number> = { ram: 0, sqlite: 0, archive: 0 };
    const candleBars = { sqlite: 0, archive: 0 };
    const want = request.limit + 1;
    const bars: TickBar[] = [];
    let done = 0;
    for (const seg of segments) {
      if (bars.length >= want) break;
      signal?.throwIfAborted();
      if (progress) await progress(done, segments.length, `reading ${seg.basis === 'candles' ? `${seg.layer} candles` : 'ticks'} ${new Date(seg.from).toISOString()} to ${new Date(seg.to).toISOString()}`);
      let got: TickBar[] | null = null;
      if (seg.basis === 'candles') {
        const tf = TIMEFRAME_OF[resolution];
        got = seg.layer === 'sqlite' ? this.sqliteBars(request.symbol, tf, sourceKey as string, seg.from, seg.to, want - bars.length) : await this.archiveBars(request.symbol, tf, sourceKey as string, seg.from, seg.to, want - bars.length);
        if (got !== null) candleBars[seg.layer] += got.length;
      }
      if (got === null) {
        const scan = this.ticks.scan(request.symbol, seg.from, 0, seg.to, source, undefined, undefined, signal);
        got = (await aggregateTicks(scan, resolution, want - bars.length, layers)).bars;
      }
      bars.push(...got);
      done++;
    }
    if (progress && segments.length > 0) await progress(done, segments.length, 'done');
    const hasMore = bars.length > request.limit;
    const next = hasMore ? (bars[request.limit] as TickBar) : null;
    // a bar counted as answered by candles but cut off by the limit is not in this page
    if (next && next.ticks === null) candleBars[layerOf(segments, next.openTime)]--;
    const page = hasMore ? bars.slice(0, request.limit) : bars;
    const nextCursor = next ? encodeTickCursor({ t: next.openTime, k: 0, to, r: resolution, y: request.symbol, ...(source ? { s: source } : {}), ...(rebuild ? { b: 1 as const } : {}) }) : null;
    return { resolution, ticks: [], bars: page, hasMore, nextCursor, layers, candleBars };
  }

  /** [first closed open time, last closed open time + size) of a stored candle stream in SQLite, or null. */
  private sqliteCover(symbol: string, timeframe: Timeframe, source: string, size: number): { from: number; to: number } | null {
    const first = this.candles.store.queryCandles({ symbol, timeframe, source, limit: 1, order: 'asc' })[0];
    const last = this.candles.store.queryCandles({ symbol, timeframe, source, limit: 2, order: 'desc' });
    const lastClosed = [...last].reverse().find((x) => x.closed);
    if (!first || !lastClosed || first.basis !== 'trade') return null;
    return { from: first.openTime, to: lastClosed.openTime + size };
  }

  private sqliteBars(symbol: string, timeframe: Timeframe, source: string, from: number, to: number, want: number): TickBar[] {
    const store = this.candles.store;
    if (store.queryBarRows) return store.queryBarRows(symbol, timeframe, source, from, to - 1, want).map(rowBar);
    const out: TickBar[] = [];
    let t = from;
    while (out.length < want && t < to) {
      const rows = this.candles.store.queryCandles({ symbol, timeframe, source, from: t, to: to - 1, limit: CANDLE_CHUNK, order: 'asc' });
      for (const k of rows) {
        if (out.length >= want) break;
        if (k.closed && k.trades > 0) out.push(candleBar(k));
      }
      if (rows.length < CANDLE_CHUNK) break;
      t = (rows[rows.length - 1] as Candle).openTime + 1;
    }
    return out;
  }

  /** Bars from archived candle days; null when the archived stream is not trade-basis (then ticks answer). */
  private async archiveBars(symbol: string, timeframe: Timeframe, source: string, from: number, to: number, want: number): Promise<TickBar[] | null> {
    const archive = this.candles.archive;
    if (!archive) return null;
    const rows = await archive.forward(symbol, timeframe, source, from, to, Number.MAX_SAFE_INTEGER);
    if (rows.some((k) => k.basis !== 'trade')) return null;
    const out: TickBar[] = [];
    for (const k of rows) {
      if (out.length >= want) break;
      if (k.closed && k.trades > 0) out.push(candleBar(k));
    }
    return out;
  }
}

function layerOf(segments: readonly BarSegment[], t: number): 'sqlite' | 'archive' {
  const s = segments.find((x) => t >= x.from && t < x.to);
  return s && s.basis === 'candles' ? s.layer : 'sqlite';
}

function rowBar(r: CandleBarRow): TickBar {
  return { openTime: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5], ticks: null, trades: r[6], bid: null, ask: null, basis: 'trade' };
}

/** A stored trade-basis candle as the bar the same ticks fold into (tick count and last quote unknown: null). */
function candleBar(k: Candle): TickBar {
  return { openTime: k.openTime, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, ticks: null, trades: k.trades, bid: null, ask: null, basis: 'trade' };
}
