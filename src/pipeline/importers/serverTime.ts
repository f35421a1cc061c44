import type { ServerOffset } from './types.js';

const HOUR = 3_600_000;

function nthSunday(year: number, month: number, n: number): number {
  const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstDow) % 7) + 7 * (n - 1);
}

function lastSunday(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lastDow = new Date(Date.UTC(year, month, lastDay)).getUTCDay();
  return lastDay - lastDow;
}

/**
 * True when US daylight saving time is in force at the UTC instant `utcMs`:
 * from the second Sunday of March 02:00 New York (07:00 UTC) to the first
 * Sunday of November 02:00 New York (06:00 UTC); before 2007, from the first
 * Sunday of April to the last Sunday of October.
 */
export function isUsDaylightSavingTime(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  const start =
    year >= 2007 ? Date.UTC(year, 2, nthSunday(year, 2, 2), 7) : Date.UTC(year, 3, nthSunday(year, 3, 1), 7);
  const end = year >= 2007 ? Date.UTC(year, 10, nthSunday(year, 10, 1), 6) : Date.UTC(year, 9, lastSunday(year, 9), 6);
  return utcMs >= start && utcMs < end;
}

/**
 * Hours east of UTC of an EET-style MT5 server (the "New York close" rule:
 * server midnight = 17:00 New York) at the UTC instant `utcMs`: 3 during US DST, else 2.
 */
export function eetServerOffsetHours(utcMs: number): number {
  return isUsDaylightSavingTime(utcMs) ? 3 : 2;
}

/**
 * Converts an MT5 broker server wall-clock time (read as if it were UTC, epoch
 * ms) to the true UTC instant. With `'eet'` the offset follows US DST; a server
 * time that falls in the spring gap takes the winter offset (+2), one that
 * falls in the autumn repeat takes the summer offset (+3, the earlier instant).
 */
export function serverTimeToUtc(serverMs: number, offset: ServerOffset): number {
  if (offset !== 'eet') return serverMs - offset * HOUR;
  return serverMs - eetServerOffsetHours(serverMs - 3 * HOUR) * HOUR;
}
