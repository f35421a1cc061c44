import type { Clock, FeedStatus, MarketDataSource, SymbolSpec, Tick } from '../core/index.js';
import { BinanceStream, type DropReason } from '../pipeline/feeds/binance/index.js';
import type { UtpConfig } from './config.js';

/** Callbacks every feed reports to. */
export type FeedSinks = Readonly<{
  onTick: (tick: Tick) => void;
  onDrop: (feed: string, reason: DropReason, sample: string) => void;
  onError: (feed: string, error: unknown) => void;
  onStatus: (status: FeedStatus) => void;
}>;

/**
 * Builds the live Binance connections for the active symbols: one spot
 * combined stream, and for USD-M the two routed paths (`/public` carries
 * bookTicker, `/market` carries aggTrade; a wrong route stays silent).
 */
export function buildBinanceFeeds(config: UtpConfig, symbols: readonly SymbolSpec[], clock: Clock, sinks: FeedSinks): MarketDataSource[] {
  const feeds: MarketDataSource[] = [];
  const spot = symbols.filter((s) => s.binance?.market === 'spot');
  const usdm = symbols.filter((s) => s.binance?.market === 'usdm');
  const map = (list: readonly SymbolSpec[]) => Object.fromEntries(list.map((s) => [s.binance?.instrument as string, s.symbol]));
  const make = (id: string, baseUrl: string, list: readonly SymbolSpec[], kinds: readonly string[]) =>
    new BinanceStream({
      id,
      baseUrl,
      streams: list.flatMap((s) => kinds.map((k) => `${s.binance?.instrument}@${k}`)),
      symbols: map(list),
      clock,
      onTick: sinks.onTick,
      onDrop: (reason, sample) => sinks.onDrop(id, reason, sample),
      onError: (error) => sinks.onError(id, error),
      onStatus: sinks.onStatus,
    });
  const spotUrl = config.binance.spotWs[0];
  if (spot.length > 0 && spotUrl) feeds.push(make('binance-spot', spotUrl, spot, ['aggTrade', 'bookTicker']));
  const usdmUrl = config.binance.usdmWs[0];
  if (usdm.length > 0 && usdmUrl) {
    const root = usdmUrl.replace(/\/+$/, '');
    feeds.push(make('binance-usdm-public', `${root}/public`, usdm, ['bookTicker']));
    feeds.push(make('binance-usdm-market', `${root}/market`, usdm, ['aggTrade']));
  }
  return feeds;
}
