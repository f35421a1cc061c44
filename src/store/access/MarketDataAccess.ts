import {
  InvalidRequestError,
  TIMEFRAME_MS,
  type Candle,
  type CandleStore,
  type LiveMarketView,
  type Timeframe,
} from '../../core/index.js';
import { RecentCandles } from './RecentCandles.js';
import { ArchiveCandles } from './ArchiveCandles.js';
import { BarAccess } from './BarAccess.js';
import { TickAccess, type ProgressFn, type TickAccessLayers, type TickPage, type TickPageRequest } from './TickAccess.js';

/** A page of candles, oldest first; `nextCursor` fetches the following page. */
export type CandlePage = Readonly<{
  candles: readonly Candle[];
  /** True when the last candle is still forming. */
  lastIsOpen: boolean;
  /** True when more candles match than this page holds. */
  hasMore: boolean;
  /** Opaque cursor for the next page (later candles when paging forward, earlier ones when paging back), or null. */
  nextCursor: string | null;
  /** Source key of the candle stream answered from. */
  source: string;
}>;

/** Request of one candle page. */
export type CandlePageRequest = Readonly<{
  symbol: string;
  timeframe: Timeframe;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
}>;

type Cursor = { dir: 'fwd'; from: number; to?: number } | { dir: 'back'; to: number };

/**
 * The one query interface over market memory: closed candles from the durable
 * store and the archive, the forming candle from the live pipeline, and raw
 * ticks and 1 s / 1 min aggregates from the RAM buffer, SQLite and the
 * archive, stitched so a caller never has to know which layer answered.
 * The synchronous `candles`/`multiTimeframe` read SQLite and RAM only; the
 * async `candlesDeep`/`multiTimeframeDeep`/`ticks` also reach the archive.
 */
export class MarketDataAccess {
  private readonly recent: RecentCandles;
  private readonly tickAccess: TickAccess;
  private readonly archived: ArchiveCandles | null;
  private readonly bars: BarAccess;

  constructor(
    private readonly store: CandleStore,
    private readonly live: LiveMarketView,
    recentCapacity = 1_000,
    layers: TickAccessLayers = {},
  ) {
    this.recent = new RecentCandles(store, recentCapacity);
    this.tickAccess = new TickAccess(layers);
    this.archived = layers.archive ? new ArchiveCandles(layers.archive) : null;
    this.bars = new BarAccess(this.tickAccess, { store, archive: this.archived, primarySource: (symbol) => live.primaryCandleSource(symbol) });
  }

  /**
   * One page of raw ticks or 1 s / 1 min aggregates of [from, to), stitched
   * across RAM, SQLite and the archive; closed 1 s / 1 min intervals come from
   * stored S1 / M1 candles where a trade-basis stream covers them (unless
   * `rebuild`), the rest is folded from raw ticks.
   */
  ticks(request: TickPageRequest, progress?: ProgressFn, signal?: AbortSignal): Promise<TickPage> {
    return this.bars.page(request, progress, signal);
  }

  /** The bar layer (plans of which basis answers a range). */
  get barLayers(): BarAccess {
    return this.bars;
  }

  /** The tick layer (plans, scans, cache counters). */
  get tickLayers(): TickAccess {
    return this.tickAccess;
  }

  /**
   * As {@link candles}, reaching back into the archive for candles SQLite no
   * longer holds (SQLite keeps the newest suffix; the archive the older days).
   */
  async candlesDeep(request: CandlePageRequest): Promise<CandlePage> {
    const page = this.candles(request);
    const archive = this.archived;
    if (archive === null) return page;
    const { symbol, timeframe, limit } = request;
    const cursor = request.cursor !== undefined ? decodeCursor(request.cursor) : null;
    if (cursor?.dir === 'fwd' || (cursor === null && request.from !== undefined)) {
      const from = cursor?.dir === 'fwd' ? cursor.from : (request.from as number);
      const to = cursor?.dir === 'fwd' ? cursor.to : request.to;
      const end = to !== undefined ? to + 1 : Infinity;
      const upper = Math.min(page.candles[0]?.openTime ?? end, end);
      if (from >= upper) return page;
      const older = await archive.forward(symbol, timeframe, page.source, from, upper, limit + 1);
      if (older.length === 0) return page;
      const merged = [...older, ...page.candles];
      if (merged.length <= limit) return { ...page, candles: merged };
      const candles = merged.slice(0, limit);
      const next = merged[limit] as Candle;
      return {
        ...page,
        candles,
        lastIsOpen: candles[candles.length - 1]?.closed === false,
        hasMore: true,
        nextCursor: encodeCursor({ dir: 'fwd', from: next.openTime, ...(to !== undefined ? { to } : {}) }),
      };
    }
    if (page.hasMore || page.candles.length >= limit) return page;
    const to = cursor?.dir === 'back' ? cursor.to : request.to;
    const before = page.candles[0]?.openTime ?? (to !== undefined ? to + 1 : Infinity);
    const need = limit - page.candles.length;
    const older = await archive.backward(symbol, timeframe, page.source, before, need + 1);
    if (older.length === 0) return page;
    const hasMore = older.length > need;
    const candles = [...(hasMore ? older.slice(older.length - need) : older), ...page.candles];
    const first = candles[0] as Candle;
    return { ...page, candles, hasMore, nextCursor: hasMore ? encodeCursor({ dir: 'back', to: first.openTime - TIMEFRAME_MS[timeframe] }) : null };
  }

  /** The latest `bars` candles of several timeframes, read in parallel, reaching into the archive when needed. */
  async multiTimeframeDeep(symbol: string, timeframes: readonly Timeframe[], bars: number): Promise<Record<string, CandlePage>> {
    const pages = await Promise.all(timeframes.map((timeframe) => this.candlesDeep({ symbol, timeframe, limit: bars })));
    const out: Record<string, CandlePage> = {};
    timeframes.forEach((tf, i) => {
      out[tf] = pages[i] as CandlePage;
    });
    return out;
  }

  /** Takes a candle that just closed (wire to the bus's `candle.closed`), so the latest bars are answered from RAM. */
  onCandleClosed(candle: Candle): void {
    this.recent.add(candle);
  }

  /**
   * Candles of a symbol and timeframe. With `from` (or a forward cursor): the
   * first `limit` candles from `from` up to `to`. Without: the latest `limit`
   * candles up to `to` (or now, including the forming one).
   */
  candles(request: CandlePageRequest): CandlePage {
    const cursor = request.cursor !== undefined ? decodeCursor(request.cursor) : null;
    if (cursor?.dir === 'fwd' || (cursor === null && request.from !== undefined)) {
      const from = cursor?.dir === 'fwd' ? cursor.from : (request.from as number);
      const to = cursor?.dir === 'fwd' ? cursor.to : request.to;
      return this.forward(request, from, to);
    }
    const to = cursor?.dir === 'back' ? cursor.to : request.to;
    return this.backward(request, to);
  }

  /** The latest `bars` candles of several timeframes at once. */
  multiTimeframe(symbol: string, timeframes: readonly Timeframe[], bars: number): Record<string, CandlePage> {
    const out: Record<string, CandlePage> = {};
    for (const timeframe of timeframes) out[timeframe] = this.candles({ symbol, timeframe, limit: bars });
    return out;
  }

  private forward(request: CandlePageRequest, from: number, to: number | undefined): CandlePage {
    const source = this.live.primaryCandleSource(request.symbol);
    const rows = this.store.queryCandles({
      symbol: request.symbol,
      timeframe: request.timeframe,
      source,
      from,
      ...(to !== undefined ? { to } : {}),
      limit: request.limit + 1,
      order: 'asc',
    });
    const open = this.live.openCandle(request.symbol, request.timeframe);
    const closed = open ? rows.filter((c) => c.openTime < open.openTime) : rows;
    const merged: Candle[] = [...closed];
    if (open && open.openTime >= from && (to === undefined || open.openTime <= to)) merged.push(open);
    const hasMore = merged.length > request.limit;
    const candles = hasMore ? merged.slice(0, request.limit) : merged;
    const next = hasMore ? merged[request.limit] : undefined;
    return {
      candles,
      lastIsOpen: candles.length > 0 && candles[candles.length - 1]?.closed === false,
      hasMore,
      nextCursor: next ? encodeCursor({ dir: 'fwd', from: next.openTime, ...(to !== undefined ? { to } : {}) }) : null,
      source,
    };
  }

  private backward(request: CandlePageRequest, to: number | undefined): CandlePage {
    const source = this.live.primaryCandleSource(request.symbol);
    const open = this.live.openCandle(request.symbol, request.timeframe);
    const includeOpen = open !== null && (to === undefined || open.openTime <= to);
    const upper = includeOpen && open ? open.openTime - 1 : to;
    const cached = this.recent.latest(request.symbol, source, request.timeframe, request.limit + 1, upper);
    const rows =
      cached?.rows ??
      this.store.queryCandles({
        symbol: request.symbol,
        timeframe: request.timeframe,
        source,
        ...(upper !== undefined ? { to: upper } : {}),
        limit: request.limit + 1,
        order: 'desc',
      });
    const merged: Candle[] = includeOpen && open ? [...rows, open] : [...rows];
    const hasMore = merged.length > request.limit || (cached?.hasMore ?? false);
    const candles = hasMore ? merged.slice(merged.length - request.limit) : merged;
    const first = candles[0];
    return {
      candles,
      lastIsOpen: includeOpen && candles.length > 0,
      hasMore,
      nextCursor: hasMore && first ? encodeCursor({ dir: 'back', to: first.openTime - TIMEFRAME_MS[request.timeframe] }) : null,
      source,
    };
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (value.dir === 'fwd' && Number.isFinite(value.from) && (value.to === undefined || Number.isFinite(value.to))) return value;
    if (value.dir === 'back' && Number.isFinite(value.to)) return value;
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor is not one this server issued; pass the nextCursor of a previous answer or omit it');
}
