/**
 * News blackout: a window around each selected calendar event during which
 * new entries are blocked. Pure functions over a sorted event list.
 */
import type { EconomicEvent } from './calendar/EconomicEvent.js';

/** Minutes before and after an event that the blackout covers. */
export type BlackoutConfig = Readonly<{
  minutesBefore: number;
  minutesAfter: number;
  /** False (default): an event blocks only symbols whose name contains its currency (USD: BTCUSD, XAUUSD, not GBPJPY). */
  allSymbols: boolean;
}>;

/** Default window: 30 min before to 15 min after, symbols quoting the event's currency. */
export const DEFAULT_BLACKOUT: BlackoutConfig = { minutesBefore: 30, minutesAfter: 15, allSymbols: false };

/** True when `event` concerns `symbol` under `config` (no symbol: every event). */
export function eventAffects(event: EconomicEvent, symbol: string | undefined, config: BlackoutConfig = DEFAULT_BLACKOUT): boolean {
  return symbol === undefined || config.allSymbols || symbol.toUpperCase().includes(event.currency.toUpperCase());
}

/** One blackout window, [start, end) in epoch ms UTC. */
export type BlackoutWindow = Readonly<{ start: number; end: number; event: EconomicEvent }>;

/** The window of one event. */
export function blackoutWindow(event: EconomicEvent, config: BlackoutConfig = DEFAULT_BLACKOUT): BlackoutWindow {
  return { start: event.ts - config.minutesBefore * 60_000, end: event.ts + config.minutesAfter * 60_000, event };
}

/** The blackout window `now` falls in (start inclusive, end exclusive) for `symbol` (any when omitted), or null. */
export function activeBlackout(
  events: readonly EconomicEvent[],
  now: number,
  config: BlackoutConfig = DEFAULT_BLACKOUT,
  symbol?: string,
): BlackoutWindow | null {
  for (const e of events) {
    if (!eventAffects(e, symbol, config)) continue;
    const w = blackoutWindow(e, config);
    if (now >= w.start && now < w.end) return w;
  }
  return null;
}

/** For `symbol` (any when omitted): the window in force at `now`, else the next one to start after `now`, or null when the calendar is exhausted. */
export function nextBlackout(
  events: readonly EconomicEvent[],
  now: number,
  config: BlackoutConfig = DEFAULT_BLACKOUT,
  symbol?: string,
): BlackoutWindow | null {
  let best: BlackoutWindow | null = null;
  for (const e of events) {
    if (!eventAffects(e, symbol, config)) continue;
    const w = blackoutWindow(e, config);
    if (w.end <= now) continue;
    if (!best || w.start < best.start) best = w;
  }
  return best;
}
