import { SymbolFeed, type SymbolFeedHost } from './SymbolFeed.js';
import type { Mt5BridgeOptions } from './types.js';

/**
 * The bridge's per-symbol feeds, keyed by MT5 symbol name, with the bridge
 * options' defaults filled in (dedupe window 10 000, 200 000 held ticks,
 * history chunks of 5 000 with a 15 s timeout, H1/H4 bars 500 deep). They
 * live as long as the bridge, across terminal connections.
 */
export function createSymbolFeeds(options: Mt5BridgeOptions, host: SymbolFeedHost): Map<string, SymbolFeed> {
  const feeds = new Map<string, SymbolFeed>();
  const depth = options.barDepth ?? 500;
  for (const [mt5, symbol] of Object.entries(options.symbols)) {
    feeds.set(
      mt5,
      new SymbolFeed(host, symbol, mt5, {
        dedupeWindow: options.dedupeWindow ?? 10_000,
        maxHeldTicks: options.maxHeldTicks ?? 200_000,
        historyChunk: options.historyChunk ?? 5_000,
        historyTimeoutMs: options.historyTimeoutMs ?? 15_000,
        barTimeframes: options.barTimeframes ?? ['H1', 'H4'],
        barDepth: (tf) => (typeof depth === 'number' ? depth : (depth[tf] ?? 500)),
        lastTickTime: options.lastTickTime,
      }),
    );
  }
  return feeds;
}
