import type { Candle } from '../../core/types/Candle.js';
import { isBearishCandle, isBullishCandle, makeEvent } from './events.js';
import type { ImpulseTracker, StructureConfig, StructureEvent, StructureSwing } from './types.js';

/** Swings confirmed by the close of the last candle of a window (at most one high and one low). */
export type ConfirmedSwings = Readonly<{ high: StructureSwing | null; low: StructureSwing | null }>;

/**
 * Fractal swings confirmed by the last candle of `window` (closed candles,
 * oldest first, the last one just closed at `confirmedAt`). The candidate is
 * the candle `rightBars` before the last one, call it S:
 * - S is a swing high when its high is strictly above the high of each of the
 *   `leftBars` candles before it and at least the high of each of the
 *   `rightBars` candles after it (so of equal highs the first one counts);
 * - a swing low likewise with lows (strictly below the left ones, at most the
 *   right ones).
 * `formedAt` = S's open time, `confirmedAt` = the close time of the last right
 * candle; `level` = S's high (low). One candle can be both. Each returned swing
 * comes with its impulse tracker primed over S and the right candles.
 */
export function confirmSwings(config: StructureConfig, window: readonly Candle[], confirmedAt: number): ConfirmedSwings {
  const { leftBars, rightBars } = config;
  const k = window.length - 1 - rightBars;
  if (k - leftBars < 0) return { high: null, low: null };
  const s = window[k] as Candle;
  let isHigh = true;
  let isLow = true;
  for (let i = k - leftBars; i < k; i++) {
    const c = window[i] as Candle;
    if (!(s.high > c.high)) isHigh = false;
    if (!(s.low < c.low)) isLow = false;
  }
  for (let i = k + 1; i < window.length; i++) {
    const c = window[i] as Candle;
    if (!(s.high >= c.high)) isHigh = false;
    if (!(s.low <= c.low)) isLow = false;
  }
  const since = window.slice(k);
  const high = isHigh
    ? newSwing(makeEvent(config, { kind: 'swing_high', direction: 'bearish', level: s.high, formedAt: s.openTime, confirmedAt }), since, 'high')
    : null;
  const low = isLow
    ? newSwing(makeEvent(config, { kind: 'swing_low', direction: 'bullish', level: s.low, formedAt: s.openTime, confirmedAt }), since, 'low')
    : null;
  return { high, low };
}

function newSwing(event: StructureEvent, since: readonly Candle[], side: 'high' | 'low'): StructureSwing {
  let tracker: ImpulseTracker = { extreme: side === 'high' ? Infinity : -Infinity, lastOpposite: null, orderBlock: null };
  for (const c of since) tracker = side === 'high' ? trackAfterHigh(tracker, c) : trackAfterLow(tracker, c);
  return { event, broken: false, tracker };
}

/**
 * Advances the tracker of a swing high (the side a bullish break would break)
 * with the next closed candle: remembers the latest bearish candle, and when the
 * candle's low is at or below the lowest low so far (the latest lowest low wins
 * ties) makes the latest bearish candle (this one if it is bearish) the order
 * block candidate. Returns the same object when nothing changed.
 */
export function trackAfterHigh(t: ImpulseTracker, c: Candle): ImpulseTracker {
  const lastOpposite = isBearishCandle(c) ? c : t.lastOpposite;
  if (c.low <= t.extreme) return { extreme: c.low, lastOpposite, orderBlock: lastOpposite };
  return lastOpposite === t.lastOpposite ? t : { ...t, lastOpposite };
}

/** Mirror of `trackAfterHigh` for a swing low: highest high (latest on ties) and the latest bullish candle at or before it. */
export function trackAfterLow(t: ImpulseTracker, c: Candle): ImpulseTracker {
  const lastOpposite = isBullishCandle(c) ? c : t.lastOpposite;
  if (c.high >= t.extreme) return { extreme: c.high, lastOpposite, orderBlock: lastOpposite };
  return lastOpposite === t.lastOpposite ? t : { ...t, lastOpposite };
}
