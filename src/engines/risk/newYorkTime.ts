/**
 * New York local time to UTC, DST-aware (US rules since 2007: EDT, UTC-4,
 * from the second Sunday of March 02:00 local to the first Sunday of
 * November 02:00 local; EST, UTC-5, otherwise). No ambient time zone data used.
 */

/** Day of month of the `n`-th Sunday of a month (month 0-11). */
function nthSunday(year: number, month: number, n: number): number {
  const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstDow) % 7) + 7 * (n - 1);
}

/** True when the New York wall time (month 0-11) falls in daylight saving time. */
export function isNewYorkDst(year: number, month: number, day: number, hour: number): boolean {
  if (month < 2 || month > 10) return false;
  if (month > 2 && month < 10) return true;
  if (month === 2) {
    const start = nthSunday(year, 2, 2);
    return day > start || (day === start && hour >= 2);
  }
  const end = nthSunday(year, 10, 1);
  return day < end || (day === end && hour < 2);
}

/** Epoch ms UTC of a New York wall time (month 0-11). */
export function newYorkToUtc(year: number, month: number, day: number, hour: number, minute: number): number {
  const offsetHours = isNewYorkDst(year, month, day, hour) ? 4 : 5;
  return Date.UTC(year, month, day, hour + offsetHours, minute);
}
