import { describe, expect, it } from 'vitest';
import { isFxOpen, isUkSummerTime, localTime, tradingSession, zoneOffsetMinutes, type SessionZone } from '../../../src/pipeline/macro/index.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => Date.UTC(y, mo - 1, d, h, mi, s, ms);
const at = (iso: string) => Date.parse(iso);
const label = (iso: string) => tradingSession(at(iso)).label;

describe('DST rules', () => {
  it('UK summer time switches at 01:00 UTC on the last Sundays of March and October', () => {
    expect(isUkSummerTime(utc(2024, 3, 31, 0, 59, 59, 999))).toBe(false);
    expect(isUkSummerTime(utc(2024, 3, 31, 1))).toBe(true);
    expect(isUkSummerTime(utc(2024, 10, 27, 0, 59, 59, 999))).toBe(true);
    expect(isUkSummerTime(utc(2024, 10, 27, 1))).toBe(false);
    expect(isUkSummerTime(utc(2025, 3, 30, 1))).toBe(true);
    expect(isUkSummerTime(utc(2025, 3, 30, 0, 59))).toBe(false);
    expect(isUkSummerTime(utc(2025, 10, 26, 1))).toBe(false);
  });

  it('New York switches at 07:00 UTC on the second Sunday of March and 06:00 UTC on the first Sunday of November', () => {
    expect(zoneOffsetMinutes('America/New_York', utc(2024, 3, 10, 6, 59, 59, 999))).toBe(-300);
    expect(zoneOffsetMinutes('America/New_York', utc(2024, 3, 10, 7))).toBe(-240);
    expect(zoneOffsetMinutes('America/New_York', utc(2024, 11, 3, 5, 59, 59, 999))).toBe(-240);
    expect(zoneOffsetMinutes('America/New_York', utc(2024, 11, 3, 6))).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Tokyo', utc(2024, 7, 1))).toBe(540);
  });

  it('agrees with the ICU time-zone database (Intl) at every quarter hour of 2023-2025 for all three zones', () => {
    const zones: SessionZone[] = ['Asia/Tokyo', 'Europe/London', 'America/New_York'];
    const formats = zones.map(
      (zone) =>
        new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' }),
    );
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    let checked = 0;
    for (let t = utc(2023, 1, 1); t < utc(2026, 1, 1); t += 15 * 60_000) {
      zones.forEach((zone, i) => {
        const parts = Object.fromEntries((formats[i] as Intl.DateTimeFormat).formatToParts(t).map((p) => [p.type, p.value]));
        const mine = localTime(zone, t);
        const theirs = { weekday: days.indexOf(parts.weekday ?? ''), minute: Number(parts.hour) * 60 + Number(parts.minute) };
        if (mine.weekday !== theirs.weekday || mine.minute !== theirs.minute) throw new Error(`${zone} ${new Date(t).toISOString()}: ${JSON.stringify(mine)} vs ${JSON.stringify(theirs)}`);
        checked++;
      });
    }
    expect(checked).toBe(3 * 4 * 24 * 1096);
  });
});

describe('tradingSession', () => {
  it('a winter weekday (both GMT and EST): Asia 00-09, London 08-17, New York 13-22 UTC', () => {
    // Wednesday 2024-01-17
    expect(label('2024-01-17T00:00:00Z')).toBe('asia');
    expect(label('2024-01-17T07:59:59Z')).toBe('asia');
    expect(label('2024-01-17T08:00:00Z')).toBe('asia_london');
    expect(label('2024-01-17T09:00:00Z')).toBe('london');
    expect(label('2024-01-17T12:59:59Z')).toBe('london');
    expect(label('2024-01-17T13:00:00Z')).toBe('london_new_york');
    expect(label('2024-01-17T17:00:00Z')).toBe('new_york');
    expect(label('2024-01-17T21:59:59Z')).toBe('new_york');
    expect(label('2024-01-17T22:00:00Z')).toBe('off_hours');
    expect(label('2024-01-17T23:59:59Z')).toBe('off_hours');
  });

  it('a summer weekday (BST and EDT): London 07-16, New York 12-21 UTC, Asia unchanged', () => {
    // Wednesday 2024-07-17
    expect(label('2024-07-17T06:59:59Z')).toBe('asia');
    expect(label('2024-07-17T07:00:00Z')).toBe('asia_london');
    expect(label('2024-07-17T09:00:00Z')).toBe('london');
    expect(label('2024-07-17T12:00:00Z')).toBe('london_new_york');
    expect(label('2024-07-17T16:00:00Z')).toBe('new_york');
    expect(label('2024-07-17T21:00:00Z')).toBe('off_hours');
    const s = tradingSession(at('2024-07-17T12:00:00Z'));
    expect(s).toEqual({ utc: at('2024-07-17T12:00:00Z'), active: ['london', 'new_york'], label: 'london_new_york', overlap: true, londonDst: true, newYorkDst: true, fxOpen: true });
  });

  it('spring gap 2024-03-10..30 (New York on EDT, London still GMT): the London/New York overlap is 12:00-17:00 UTC, five hours', () => {
    // Wednesday 2024-03-06: both winter, New York opens 13:00 UTC
    expect(label('2024-03-06T12:30:00Z')).toBe('london');
    expect(label('2024-03-06T16:30:00Z')).toBe('london_new_york');
    // Wednesday 2024-03-13: New York on EDT opens 12:00 UTC; London on GMT closes 17:00 UTC
    expect(label('2024-03-13T12:30:00Z')).toBe('london_new_york');
    expect(label('2024-03-13T16:59:59Z')).toBe('london_new_york');
    expect(label('2024-03-13T17:00:00Z')).toBe('new_york');
    expect(tradingSession(at('2024-03-13T12:30:00Z'))).toMatchObject({ londonDst: false, newYorkDst: true });
    // Wednesday 2024-04-03: both on summer time, London closes 16:00 UTC
    expect(label('2024-04-03T16:30:00Z')).toBe('new_york');
    expect(label('2024-04-03T07:30:00Z')).toBe('asia_london');
  });

  it('autumn gap 2024-10-27..11-02 (London back on GMT, New York still EDT)', () => {
    // Tuesday 2024-10-22: BST, London opens 07:00 UTC
    expect(label('2024-10-22T07:30:00Z')).toBe('asia_london');
    // Tuesday 2024-10-29: GMT, London opens 08:00 UTC; New York (EDT) opens 12:00 UTC
    expect(label('2024-10-29T07:30:00Z')).toBe('asia');
    expect(label('2024-10-29T12:00:00Z')).toBe('london_new_york');
    expect(label('2024-10-29T16:30:00Z')).toBe('london_new_york');
    // Tuesday 2024-11-05: New York back on EST, opens 13:00 UTC
    expect(label('2024-11-05T12:30:00Z')).toBe('london');
    expect(label('2024-11-05T21:30:00Z')).toBe('new_york');
  });

  it('the FX week: closed from Friday 17:00 to Sunday 17:00 New York time; Asia opens Monday 00:00 UTC', () => {
    expect(label('2024-03-15T20:59:59Z')).toBe('new_york'); // Friday 16:59:59 EDT
    expect(isFxOpen(at('2024-03-15T21:00:00Z'))).toBe(false);
    expect(label('2024-03-15T21:00:00Z')).toBe('weekend');
    expect(label('2024-03-16T12:00:00Z')).toBe('weekend');
    expect(label('2024-03-17T20:59:59Z')).toBe('weekend');
    expect(label('2024-03-17T21:00:00Z')).toBe('off_hours'); // Sunday 17:00 EDT: FX open, no session yet
    expect(label('2024-03-18T00:00:00Z')).toBe('asia');
    // in winter the week closes 22:00 UTC
    expect(label('2024-01-19T21:59:59Z')).toBe('new_york');
    expect(label('2024-01-19T22:00:00Z')).toBe('weekend');
    expect(label('2024-01-21T22:00:00Z')).toBe('off_hours');
  });

  it('takes configurable hours', () => {
    const sydney = [{ name: 'asia' as const, zone: 'Asia/Tokyo' as const, open: 7 * 60, close: 16 * 60 }];
    expect(tradingSession(at('2024-01-16T22:30:00Z'), sydney).label).toBe('asia'); // Wed 07:30 JST
    expect(tradingSession(at('2024-01-17T07:00:00Z'), sydney).label).toBe('off_hours');
  });
});
