/**
 * Trading sessions for the equity guard: a session is a 24 h window that
 * starts at a configurable UTC time of day (00:00 UTC by default, the UTC day).
 */

const DAY_MS = 86_400_000;

/** Start of the session that contains `now`, epoch ms UTC. `startMinuteUtc` is minutes after 00:00 UTC (0-1439). */
export function sessionStart(now: number, startMinuteUtc = 0): number {
  const offset = startMinuteUtc * 60_000;
  return Math.floor((now - offset) / DAY_MS) * DAY_MS + offset;
}

/** Start of the session after the one that contains `now`. */
export function nextSessionStart(now: number, startMinuteUtc = 0): number {
  return sessionStart(now, startMinuteUtc) + DAY_MS;
}
