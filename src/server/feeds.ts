import type { Candle, Clock, FeedStatus, Gap, MarketDataSource, SymbolSpec, SystemEvent, Tick } from '../core/index.js';
import type { BinanceMarket } from '../core/index.js';
import { BinanceFeed, BinanceRest } from '../pipeline/feeds/binance/index.js';
import { Mt5Bridge } from '../pipeline/feeds/mt5/index.js';

/** Callbacks every feed reports to. */
export type FeedSinks = Readonly<{
  onTick: (tick: Tick) => void;
  onCandle: (candle: Candle) => void;
  onGap: (gap: Gap) => void;
  onEvent: (event: SystemEvent) => void;
  onDrop: (feed: string, reason: string, sample: string) => void;
  onError: (feed: string, error: unknown) => void;
  onStatus: (status: FeedStatus) => void;
}>;

/** Endpoints of one Binance market: WebSocket roots (one per redundant connection) and REST bases. */
export type BinanceEndpoints = Readonly<{ ws: readonly string[]; rest: readonly string[] }>;

/** A feed that can be told to recover after a sleep (replace connections, catch up from REST or history). */
export type RecoverableFeed = MarketDataSource & { recover?(reason: string): void };

/**
 * The Binance feeds for the active symbols: one redundant spot feed
 * (aggTrade + bookTicker), and for USD-M the two routed feeds (`/public`
 * carries bookTicker, `/market` carries aggTrade; a wrong route stays silent)
 * sharing one REST client and its weight budget. Each feed runs at least two
 * independent connections (one per configured endpoint) merged without loss
 * or duplicates, and fills holes from REST.
 */
export function buildBinanceFeeds(
  symbols: readonly SymbolSpec[],
  endpoints: Readonly<Record<BinanceMarket, BinanceEndpoints>>,
  clock: Clock,
  sinks: FeedSinks,
): RecoverableFeed[] {
  const feeds: RecoverableFeed[] = [];
  const make = (id: string, market: BinanceMarket, list: readonly SymbolSpec[], kinds: readonly ('aggTrade' | 'bookTicker')[], rest: BinanceRest, route?: 'public' | 'market', checkSymbols = true) =>
    new BinanceFeed({
      id,
      market,
      wsUrls: endpoints[market].ws,
      ...(route ? { route } : {}),
      connections: Math.max(2, endpoints[market].ws.length),
      kinds,
      symbols: Object.fromEntries(list.map((s) => [s.binance?.instrument as string, s.symbol])),
      clock,
      rest,
      checkSymbols,
      onTick: sinks.onTick,
      onGap: sinks.onGap,
      onEvent: sinks.onEvent,
      onDrop: (reason, sample) => sinks.onDrop(id, reason, sample),
      onStatus: sinks.onStatus,
      onError: (error) => sinks.onError(id, error),
    });
  const spot = symbols.filter((s) => s.binance?.market === 'spot');
  if (spot.length > 0) {
    const rest = new BinanceRest({ baseUrls: endpoints.spot.rest, market: 'spot', clock });
    feeds.push(make('binance-spot', 'spot', spot, ['aggTrade', 'bookTicker'], rest));
  }
  const usdm = symbols.filter((s) => s.binance?.market === 'usdm');
  if (usdm.length > 0) {
    const rest = new BinanceRest({ baseUrls: endpoints.usdm.rest, market: 'usdm', clock });
    feeds.push(make('binance-usdm-public', 'usdm', usdm, ['bookTicker'], rest, 'public', false));
    feeds.push(make('binance-usdm-market', 'usdm', usdm, ['aggTrade'], rest, 'market'));
  }
  return feeds;
}

/**
 * The MT5 bridge: a TCP server on 127.0.0.1 the Expert Advisor (or the
 * simulated terminal) connects to; ticks, closed bars, account and positions.
 * `extraSymbols` (VIX, DXY, US10Y at the broker) are streamed too, for macro.
 */
export function buildMt5Bridge(
  symbols: readonly SymbolSpec[],
  port: number,
  clock: Clock,
  sinks: FeedSinks,
  lastTickTime: (symbol: string) => number | null,
  extraSymbols: readonly string[] = [],
): Mt5Bridge | null {
  const mapped = symbols.filter((s) => s.mt5 !== null);
  if (mapped.length === 0 && extraSymbols.length === 0) return null;
  return new Mt5Bridge({
    id: 'mt5',
    port,
    clock,
    // Extra symbols (the macro instruments) keep their MT5 name as their symbol.
    symbols: Object.fromEntries([...extraSymbols.map((x) => [x, x]), ...mapped.map((s) => [s.mt5 as string, s.symbol])]),
    lastTickTime,
    onTick: sinks.onTick,
    onCandle: sinks.onCandle,
    onGap: sinks.onGap,
    onEvent: sinks.onEvent,
    onDrop: (reason, sample) => sinks.onDrop('mt5', reason, sample),
    onStatus: sinks.onStatus,
    onError: (error) => sinks.onError('mt5', error),
  });
}
