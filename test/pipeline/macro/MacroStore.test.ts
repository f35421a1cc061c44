import { describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { MacroStore, macroLogDue, nextMacroLogAt } from '../../../src/pipeline/macro/index.js';

const T0 = Date.parse('2024-03-13T12:30:00Z');
const tick = (symbol: string, bid: number, ask: number, ts: number): Tick => ({
  symbol, source: 'mt5', tsEvent: ts, tsInit: ts + 20, bid, ask, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0,
});

describe('MacroStore', () => {
  it('takes MT5 ticks of the configured symbols (quote mid), keeps the newest, reports ages and staleness', () => {
    const store = new MacroStore({ mt5Symbols: { DXY: 'USDX' }, maxAgeMs: 900_000 });
    expect(store.mt5Symbols()).toEqual(['VIX', 'USDX', 'US10Y']);
    expect(store.isMacroSymbol('USDX')).toBe(true);
    expect(store.isMacroSymbol('DXY')).toBe(false);
    expect(store.fromTick(tick('USDX', 103.1, 103.3, T0))).toBe(true);
    expect(store.fromTick(tick('USDX', 99, 99, T0 - 1))).toBe(false); // older
    expect(store.fromTick(tick('BTCUSD', 1, 2, T0))).toBe(false);
    expect(store.fromTick({ ...tick('VIX', 14, 14.2, T0 - 1_000_000), source: 'binance' })).toBe(false);
    expect(store.fromTick(tick('VIX', 14, 14.2, T0 - 1_000_000))).toBe(true);
    const snap = store.snapshot(T0 + 60_000);
    expect(snap.readings.DXY).toEqual({ indicator: 'DXY', value: 103.2 /* mid rounded to 8 decimals */, source: 'mt5', origin: 'USDX', tsEvent: T0, tsInit: T0 + 20, ageMs: 60_000, stale: false });
    expect(snap.readings.VIX?.ageMs).toBe(1_060_000);
    expect(snap.readings.VIX?.stale).toBe(true);
    expect(snap.readings.US10Y).toBeNull();
    expect(snap.complete).toBe(false);
    expect(snap.session.label).toBe('london_new_york');
    expect(snap.asOf).toBe(T0 + 60_000);
  });

  it('takes a JSON feed document, reporting bad readings and keeping the good ones', () => {
    const store = new MacroStore();
    const result = store.fromJson(
      {
        source: 'my-feed',
        readings: [
          { indicator: 'VIX', value: 14.6, ts: T0 },
          { indicator: 'US10Y', value: 4.19, ts: '2024-03-13T12:29:00Z' },
          { indicator: 'DXY', value: 'high', ts: T0 },
          { indicator: 'SPX', value: 5100, ts: T0 },
          { indicator: 'DXY', value: 102.9, ts: '2024-03-13T12:29:30.000+00:00' },
        ],
      },
      T0 + 500,
    );
    expect(result.accepted).toBe(3);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^readings\[2\]: value/);
    expect(result.errors[1]).toMatch(/^readings\[3\]: indicator/);
    expect(store.reading('US10Y')).toEqual({ indicator: 'US10Y', value: 4.19, source: 'json', origin: 'US10Y', tsEvent: T0 - 60_000, tsInit: T0 + 500 });
    expect(store.reading('DXY')?.tsEvent).toBe(T0 - 30_000);
    const snap = store.snapshot(T0 + 1_000);
    expect(snap.complete).toBe(true);
    expect([snap.readings.VIX?.ageMs, snap.readings.US10Y?.ageMs, snap.readings.DXY?.ageMs]).toEqual([1_000, 61_000, 31_000]);
    expect(store.fromJson({ nope: 1 }, T0).errors[0]).toMatch(/not a macro feed document/);
    expect(store.fromJson('garbage', T0).accepted).toBe(0);
  });
});

describe('macro log cadence', () => {
  it('logs the first time, then once per 5-minute UTC bucket', () => {
    expect(macroLogDue(null, T0)).toBe(true);
    expect(macroLogDue(T0, T0 + 299_999)).toBe(false); // 12:30:00 -> 12:34:59.999, same bucket
    expect(macroLogDue(T0, T0 + 300_000)).toBe(true);
    const mid = T0 + 170_000; // 12:32:50
    expect(macroLogDue(mid, T0 + 299_999)).toBe(false);
    expect(macroLogDue(mid, T0 + 300_000)).toBe(true); // 12:35:00, only 130 s later: aligned buckets
    expect(nextMacroLogAt(mid)).toBe(T0 + 300_000);
    expect(nextMacroLogAt(T0)).toBe(T0 + 300_000);
    expect(macroLogDue(T0, T0 + 60_000, 60_000)).toBe(true);
  });
});
