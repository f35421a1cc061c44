import type { Tick } from '../../core/index.js';

/**
 * Checks the invariants every tick must hold before it may enter the unified
 * stream: finite positive prices, a non-crossed book, a finite non-negative
 * size and a plausible timestamp. Returns the reason for rejection, or null.
 * Pure; the spike controller (volatility-relative) comes on top of this.
 */
export function validateTick(tick: Tick): string | null {
  if (!Number.isFinite(tick.tsEvent) || tick.tsEvent <= 0) return 'invalid tsEvent';
  if (tick.last !== null && !(Number.isFinite(tick.last) && tick.last > 0)) return 'non-positive or non-finite trade price';
  if (!(Number.isFinite(tick.volume) && tick.volume >= 0)) return 'negative or non-finite size';
  const { bid, ask } = tick;
  if ((bid === null) !== (ask === null)) return 'one-sided quote';
  if (bid !== null && ask !== null) {
    if (!(Number.isFinite(bid) && Number.isFinite(ask) && bid > 0 && ask > 0)) return 'non-positive or non-finite quote';
    if (bid > ask) return 'crossed book';
  }
  if (tick.last === null && bid === null) return 'empty tick';
  return null;
}
