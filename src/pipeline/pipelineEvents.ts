import type { Candle, Clock, EventBus, Source } from '../core/index.js';
import type { SourceSwitch } from './fusion/Fuser.js';

/**
 * Publishes a change of a symbol's unified-stream source: `source.switched`,
 * and a `system.event` for the event log (warn when no source is left, else info).
 */
export function publishSourceSwitch(bus: EventBus, clock: Clock, change: SourceSwitch): void {
  const now = clock.now();
  bus.publish('source.switched', { ...change, tsInit: now });
  bus.publish('system.event', {
    kind: 'source.switched',
    level: change.to === null ? 'warn' : 'info',
    component: 'fuser',
    symbol: change.symbol,
    message: `${change.symbol} unified stream: ${change.from ?? 'none'} -> ${change.to ?? 'none'} (${change.reason})`,
    data: { from: change.from, to: change.to, reason: change.reason },
    tsEvent: now,
    tsInit: now,
  });
}

/**
 * Publishes a warning `system.event` when the M5 volatility bridge refused a
 * closed candle (one older than its last, e.g. a warm-up from a later stored
 * run): the bridge keeps its state, the operator sees why.
 */
export function publishVolatilityRejected(bus: EventBus, clock: Clock, candle: Candle, source: Source, error: unknown): void {
  bus.publish('system.event', {
    kind: 'volatility.rejected',
    level: 'warn',
    component: 'volatility',
    symbol: candle.symbol,
    message: `${candle.symbol} M5 bridge refused a candle: ${error instanceof Error ? error.message : String(error)}`,
    data: { openTime: candle.openTime, source },
    tsEvent: candle.tsEvent,
    tsInit: clock.now(),
  });
}
