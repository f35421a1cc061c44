/**
 * Broker terms: the coordinator shifts Binance candles and structure levels by
 * the offset in force before DTMS compares them with the broker's stops. Pure
 * conversions with exact values, then scenario A (recorded BTCUSDT M5 of
 * 2024-03-14) with the venue in broker terms (Binance + offset): told the
 * offset, the coordinator manages the position exactly as with offset 0, every
 * stop shifted by the offset; not told, it declares a stop hit that never
 * happened at the venue.
 */
import { describe, expect, it } from 'vitest';
import type { Candle, StructureEvent } from '../../../src/core/index.js';
import { candleToBrokerTerms, isBinanceCandle, structureToBrokerTerms } from '../../../src/engines/coordinator/index.js';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { BARS, at, rig, type RigOffset } from './harness.js';

const round2 = (x: number): number => Number(x.toFixed(2));

/** The first closed M5 candle of the recorded session (Binance prices). */
const CANDLE: Candle = BARS[0]!.candle;

describe('pure conversions', () => {
  it('a candle: OHLC and VWAP shifted, ATR, volumes and times unchanged', () => {
    const c: Candle = { ...CANDLE, open: 67000.25, high: 67010.5, low: 66990.75, close: 67005, analytics: { atr: 42.5, vwap: 67001.25, volatilityState: 'normal', structureLabel: 'bullish', structureJson: '{}' } };
    const b = candleToBrokerTerms(c, 12.5);
    expect([b.open, b.high, b.low, b.close]).toEqual([67012.75, 67023, 67003.25, 67017.5]);
    expect(b.analytics).toEqual({ atr: 42.5, vwap: 67013.75, volatilityState: 'normal', structureLabel: 'bullish', structureJson: '{}' });
    expect({ ...b, open: 0, high: 0, low: 0, close: 0, analytics: null }).toEqual({ ...c, open: 0, high: 0, low: 0, close: 0, analytics: null });
    const down = candleToBrokerTerms(c, -80);
    expect([down.open, down.high, down.low, down.close]).toEqual([66920.25, 66930.5, 66910.75, 66925]);
    expect(candleToBrokerTerms(c, 0)).toBe(c);
    // A candle without analytics stays without.
    const { analytics: _a, ...bare } = CANDLE;
    expect('analytics' in candleToBrokerTerms(bare, 1)).toBe(false);
  });

  it('the same bits as the fuser (plain addition, no rounding)', () => {
    const c: Candle = { ...CANDLE, close: 72632.1 };
    expect(candleToBrokerTerms(c, 0.3).close).toBe(72632.1 + 0.3);
  });

  it('only Binance candles take the offset', () => {
    expect(isBinanceCandle({ ...CANDLE, sources: ['binance'] })).toBe(true);
    expect(isBinanceCandle({ ...CANDLE, sources: ['mt5'] })).toBe(false);
    expect(isBinanceCandle({ ...CANDLE, sources: ['binance', 'mt5'] })).toBe(false);
    expect(isBinanceCandle({ ...CANDLE, sources: [] })).toBe(false);
  });

  it('a structure event: level, top and bottom shifted, nulls kept', () => {
    const e: StructureEvent = { id: 'x', kind: 'order_block', direction: 'bullish', symbol: 'BTCUSD', timeframe: 'M5', level: null, top: 72700.5, bottom: 72650.25, formedAt: 1, confirmedAt: 2, refs: ['a'] };
    expect(structureToBrokerTerms(e, 12.5)).toEqual({ ...e, level: null, top: 72713, bottom: 72662.75 });
    const swing: StructureEvent = { ...e, kind: 'swing_low', level: 72600.75, top: null, bottom: null };
    expect(structureToBrokerTerms(swing, -80)).toEqual({ ...swing, level: 72520.75 });
    expect(structureToBrokerTerms(swing, 0)).toBe(swing);
  });
});

/** Scenario A of the coordinator tests with the venue in broker terms; the stop is 2 ATR under the broker entry. */
async function scenarioA(offset: RigOffset) {
  const r = rig(dtmsConfig({ atrTrailK: 3 }), 'replay', null, [], {}, offset);
  for (const b of BARS) {
    await r.feed(b);
    if (b.closeTime === at(1, 4)) await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: round2(b.candle.close + offset.venue - 2 * b.atr!), tp: null, idempotencyKey: 'A1' });
    if (b.closeTime >= at(4, 39)) break;
  }
  await r.coordinator.idle();
  const rows = r.repo.query({ ticket: 'P1', limit: 1000 });
  r.store.close();
  return { r, rows: rows.map((x) => [x.action, x.outcome, x.data.rule ?? null, x.tsEvent, x.data.value ?? null] as const) };
}

describe('scenario A with a broker offset', () => {
  it('told the offset, every decision is the offset-0 decision with stops shifted by the offset (+50 and -80)', async () => {
    const base = (await scenarioA({ venue: 0, told: 0 })).rows;
    expect(base).toHaveLength(13);
    for (const off of [50, -80]) {
      const shifted = (await scenarioA({ venue: off, told: off })).rows;
      expect(shifted).toEqual(base.map(([a, o, rule, t, v]) => [a, o, rule, t, a === 'modify_sl' && v !== null ? round2((v as number) + off) : v]));
    }
    // Exactly: breakeven at 72653.54 + 50, the last trail at 73243.68 + 50, stopped at 04:34.
    const plus50 = (await scenarioA({ venue: 50, told: 50 })).rows;
    expect(plus50.find((x) => x[2] === 'breakeven')?.[4]).toBe(72703.54);
    expect(plus50.filter((x) => x[0] === 'modify_sl' && x[1] === 'sent').at(-1)?.[4]).toBe(73293.68);
    expect(plus50.at(-1)).toEqual(['close', 'declined', 'stop_hit', at(4, 34), 0.5]);
  });

  it('not told (broker 80 below Binance), DTMS sees a stop hit at 01:39 that the venue never had', async () => {
    const { r, rows } = await scenarioA({ venue: -80, told: 0 });
    expect(rows.at(-1)).toEqual(['close', 'declined', 'stop_hit', at(1, 39), 1]);
    // The venue (broker prices) still holds the whole position at its stop: the stop check compared Binance lows with a broker stop.
    expect(r.venue.positions()).toEqual([expect.objectContaining({ ticket: 'P1', volume: 1 })]);
    const told = await scenarioA({ venue: -80, told: -80 });
    expect(told.rows.find((x) => x[2] === 'stop_hit')?.[3]).toBe(at(4, 34));
  });
});
