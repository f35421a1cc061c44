import { ANALYSIS_TIMEFRAMES, type EventBus } from '../../core/index.js';
import { candlesUri, statusUri, structureUri, SYSTEM_STATUS_URI, type ResourceNotifier } from './resources.js';

/**
 * Turns bus events into resource update notifications (the notifier
 * coalesces them to one per second per URI):
 * - `candle.closed` → the candles URI of its symbol and timeframe, and the
 *   structure URI for M1 to H4 (its asOf and trend move with every close);
 * - `structure.event` → the structure URI;
 * - `feed.status` → the status URI of every symbol the feed serves, and the system status;
 * - `gap.updated` and `source.switched` → the symbol status URI.
 * Returns the function that unsubscribes everything.
 */
export function bindResourceNotifications(bus: EventBus, notifier: ResourceNotifier): () => void {
  const structural = new Set<string>(ANALYSIS_TIMEFRAMES);
  const offs = [
    bus.subscribe('candle.closed', (c) => {
      notifier.notifyResourceChanged(candlesUri(c.symbol, c.timeframe));
      if (structural.has(c.timeframe)) notifier.notifyResourceChanged(structureUri(c.symbol, c.timeframe));
    }),
    bus.subscribe('structure.event', (e) => notifier.notifyResourceChanged(structureUri(e.symbol, e.timeframe))),
    bus.subscribe('feed.status', (f) => {
      for (const s of f.symbols) notifier.notifyResourceChanged(statusUri(s));
      notifier.notifyResourceChanged(SYSTEM_STATUS_URI);
    }),
    bus.subscribe('gap.updated', (g) => notifier.notifyResourceChanged(statusUri(g.symbol))),
    bus.subscribe('source.switched', (s) => notifier.notifyResourceChanged(statusUri(s.symbol))),
  ];
  return () => {
    for (const off of offs) off();
  };
}
