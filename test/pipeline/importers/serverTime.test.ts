import { describe, expect, it } from 'vitest';
import { eetServerOffsetHours, isUsDaylightSavingTime, serverTimeToUtc } from '../../../src/pipeline/importers/index.js';

const H = 3_600_000;

describe('US DST and the EET-style MT5 server clock', () => {
  it('switches at 02:00 New York on the second Sunday of March and the first Sunday of November', () => {
    expect(isUsDaylightSavingTime(Date.UTC(2024, 2, 10, 7) - 1)).toBe(false);
    expect(isUsDaylightSavingTime(Date.UTC(2024, 2, 10, 7))).toBe(true);
    expect(isUsDaylightSavingTime(Date.UTC(2024, 10, 3, 6) - 1)).toBe(true);
    expect(isUsDaylightSavingTime(Date.UTC(2024, 10, 3, 6))).toBe(false);
    expect(isUsDaylightSavingTime(Date.UTC(2026, 2, 8, 7))).toBe(true);
    expect(isUsDaylightSavingTime(Date.UTC(2026, 2, 8, 6))).toBe(false);
    // the pre-2007 rule: first Sunday of April to last Sunday of October
    expect(isUsDaylightSavingTime(Date.UTC(2006, 3, 2, 7))).toBe(true);
    expect(isUsDaylightSavingTime(Date.UTC(2006, 9, 29, 6))).toBe(false);
    expect(eetServerOffsetHours(Date.UTC(2024, 0, 15))).toBe(2);
    expect(eetServerOffsetHours(Date.UTC(2024, 6, 15))).toBe(3);
  });

  it('converts server wall time, resolving the spring gap forward and the autumn repeat to the earlier instant', () => {
    expect(serverTimeToUtc(Date.UTC(2024, 2, 8, 12), 'eet')).toBe(Date.UTC(2024, 2, 8, 10));
    expect(serverTimeToUtc(Date.UTC(2024, 2, 11, 12), 'eet')).toBe(Date.UTC(2024, 2, 11, 9));
    expect(serverTimeToUtc(Date.UTC(2024, 2, 10, 8, 59), 'eet')).toBe(Date.UTC(2024, 2, 10, 6, 59));
    expect(serverTimeToUtc(Date.UTC(2024, 2, 10, 9, 30), 'eet')).toBe(Date.UTC(2024, 2, 10, 7, 30)); // gap: +2
    expect(serverTimeToUtc(Date.UTC(2024, 2, 10, 10), 'eet')).toBe(Date.UTC(2024, 2, 10, 7));
    expect(serverTimeToUtc(Date.UTC(2024, 10, 3, 8, 30), 'eet')).toBe(Date.UTC(2024, 10, 3, 5, 30)); // repeat: +3
    expect(serverTimeToUtc(Date.UTC(2024, 10, 3, 9), 'eet')).toBe(Date.UTC(2024, 10, 3, 7));
    expect(serverTimeToUtc(Date.UTC(2024, 0, 1), 5.5)).toBe(Date.UTC(2024, 0, 1) - 5.5 * H);
    expect(serverTimeToUtc(Date.UTC(2024, 0, 1), -4)).toBe(Date.UTC(2024, 0, 1, 4));
  });
});
