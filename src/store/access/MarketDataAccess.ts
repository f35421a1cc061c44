import {
  InvalidRequestError,
  TIMEFRAME_MS,
  type Candle,
  type CandleStore,
  type LiveMarketView,
  type Timeframe,
} from '../../core/index.js';
import { RecentCandles } from './RecentCandles.js';

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
 * store and the forming candle from the live pipeline, merged so a caller never
 * has to know which layer answered. Later layers (RAM buffer, archive) plug in
 * here.
 */
export class MarketDataAccess {
  private readonly recent: RecentCandles;

  constructor(
    private readonly store: CandleStore,
    private readonly live: LiveMarketView,
    recentCapacity = 1_000,
  ) {
    this.recent = new RecentCandles(store, recentCapacity);
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
