import { isUsDaylightSavingTime } from '../importers/serverTime.js';

/** A trading session of the FX day. */
export type SessionName = 'asia' | 'london' | 'new_york';

/** Time zones whose rules this module knows (no tz database needed: the rules are fixed in law). */
export type SessionZone = 'Asia/Tokyo' | 'Europe/London' | 'America/New_York';

/** One session: local opening hours in its own zone, Monday to Friday (local). */
export type SessionDefinition = Readonly<{
  name: SessionName;
  zone: SessionZone;
  /** Local opening time, minutes after local midnight. */
  open: number;
  /** Local closing time (exclusive), minutes after local midnight. */
  close: number;
}>;

/**
 * Default sessions, in local time so daylight saving moves them by itself:
 * Asia = Tokyo 09:00-18:00 JST (00:00-09:00 UTC all year, Japan has no DST);
 * London = 08:00-17:00 London time (08:00-17:00 UTC in winter, 07:00-16:00 UTC
 * under BST); New York = 08:00-17:00 New York time (13:00-22:00 UTC in
 * winter, 12:00-21:00 UTC under EDT).
 */
export const DEFAULT_SESSIONS: readonly SessionDefinition[] = [
  { name: 'asia', zone: 'Asia/Tokyo', open: 9 * 60, close: 18 * 60 },
  { name: 'london', zone: 'Europe/London', open: 8 * 60, close: 17 * 60 },
  { name: 'new_york', zone: 'America/New_York', open: 8 * 60, close: 17 * 60 },
];

/** Label of the moment: one session, an overlap (names joined by `_`), `off_hours` (FX open, no session) or `weekend` (FX closed). */
export type SessionLabel = SessionName | 'asia_london' | 'london_new_york' | 'asia_new_york' | 'asia_london_new_york' | 'off_hours' | 'weekend';

/** Which sessions are open at one UTC instant, and why. */
export type SessionInfo = Readonly<{
  /** The instant asked about, epoch ms UTC. */
  utc: number;
  /** Open sessions, in definition order. */
  active: readonly SessionName[];
  label: SessionLabel;
  /** True when two or more sessions are open. */
  overlap: boolean;
  /** British Summer Time in force (London = UTC+1). */
  londonDst: boolean;
  /** US daylight saving time in force (New York = UTC-4). */
  newYorkDst: boolean;
  /** FX market open: from Sunday 17:00 to Friday 17:00 New York time. */
  fxOpen: boolean;
}>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function lastSundayUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const dow = new Date(Date.UTC(year, month, lastDay)).getUTCDay();
  return Date.UTC(year, month, lastDay - dow);
}

/**
 * True when British Summer Time is in force at `utcMs`: from the last Sunday
 * of March 01:00 UTC to the last Sunday of October 01:00 UTC (the EU rule,
 * in force in the UK since 1996).
 */
export function isUkSummerTime(utcMs: number): boolean {
  const year = new Date(utcMs).getUTCFullYear();
  const start = lastSundayUtc(year, 2) + HOUR;
  const end = lastSundayUtc(year, 9) + HOUR;
  return utcMs >= start && utcMs < end;
}

/** Offset of a zone from UTC at `utcMs`, minutes east (Tokyo +540; London 0 or +60; New York -300 or -240). */
export function zoneOffsetMinutes(zone: SessionZone, utcMs: number): number {
  if (zone === 'Asia/Tokyo') return 540;
  if (zone === 'Europe/London') return isUkSummerTime(utcMs) ? 60 : 0;
  return isUsDaylightSavingTime(utcMs) ? -240 : -300;
}

/** Local wall time in a zone: day of week (0 = Sunday) and minutes after local midnight. */
export function localTime(zone: SessionZone, utcMs: number): { weekday: number; minute: number } {
  const local = utcMs + zoneOffsetMinutes(zone, utcMs) * 60_000;
  const day = Math.floor(local / DAY);
  return { weekday: (((day + 4) % 7) + 7) % 7, minute: Math.floor((local - day * DAY) / 60_000) };
}

/** True when the FX market is open: not between Friday 17:00 and Sunday 17:00 New York time. */
export function isFxOpen(utcMs: number): boolean {
  const { weekday, minute } = localTime('America/New_York', utcMs);
  if (weekday === 6) return false;
  if (weekday === 5) return minute < 17 * 60;
  if (weekday === 0) return minute >= 17 * 60;
  return true;
}

/**
 * The trading session(s) at a UTC instant. A session is open on local
 * weekdays (Monday to Friday in its own zone) from `open` to `close` local
 * time; daylight saving is applied per zone, so overlaps grow and shrink in
 * the weeks when the US and the UK change clocks on different dates.
 */
export function tradingSession(utcMs: number, sessions: readonly SessionDefinition[] = DEFAULT_SESSIONS): SessionInfo {
  const active: SessionName[] = [];
  for (const s of sessions) {
    const { weekday, minute } = localTime(s.zone, utcMs);
    if (weekday >= 1 && weekday <= 5 && minute >= s.open && minute < s.close && !active.includes(s.name)) active.push(s.name);
  }
  const fxOpen = isFxOpen(utcMs);
  const order: SessionName[] = ['asia', 'london', 'new_york'];
  const sorted = order.filter((n) => active.includes(n));
  const label: SessionLabel = sorted.length > 0 ? (sorted.join('_') as SessionLabel) : fxOpen ? 'off_hours' : 'weekend';
  return {
    utc: utcMs,
    active,
    label,
    overlap: active.length > 1,
    londonDst: isUkSummerTime(utcMs),
    newYorkDst: isUsDaylightSavingTime(utcMs),
    fxOpen,
  };
}
