import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DataIntegrityError } from '../../../src/core/index.js';
import type { Candle } from '../../../src/core/index.js';
import {
  StructureDetector,
  detectStructure,
  initialStructureState,
  stepStructure,
  structureConfig,
} from '../../../src/pipeline/structure/index.js';
import type { StructureEvent, StructureState } from '../../../src/pipeline/structure/index.js';
import { btcM1, closeOf, xauH1 } from './series.js';

describe('StructureDetector (streaming shell) and the pure step', () => {
  let xau: Candle[] = [];
  let btc: Candle[] = [];
  beforeAll(async () => {
    [xau, btc] = await Promise.all([xauH1(), btcM1()]);
  });
  const at = (candles: Candle[], i: number): Candle => candles[i] as Candle;

  it('warms up over left + 1 + right closed candles; events of the warm-up are still logged', () => {
    const d = new StructureDetector({ symbol: 'BTCUSD', timeframe: 'M1' });
    expect(d.requiredInputs).toBe(5);
    const results = btc.slice(0, 6).map((c) => d.add(c));
    expect(results.slice(0, 4)).toEqual([null, null, null, null]);
    expect(d.isStable).toBe(true);
    expect(results[4]).not.toBeNull();
    expect(d.getResult()).toBe(results[5]);
    // The first bearish gap completes on the 3rd candle (c1 L 68915.27 > c3 H 68891.17), during warm-up.
    const first = d.events()[0] as StructureEvent;
    expect(first).toMatchObject({ kind: 'fvg', direction: 'bearish', top: 68915.27, bottom: 68891.17, confirmedAt: closeOf(at(btc, 2)) });
    expect(new StructureDetector({ symbol: 'X', timeframe: 'H1', options: { leftBars: 3, rightBars: 4 } }).requiredInputs).toBe(8);
  });

  it('snapshot: trend, latest swings and the events of the last candle', () => {
    const d = new StructureDetector({ symbol: 'XAUUSD', timeframe: 'H1', maxEvents: 100_000 });
    for (const c of xau) d.add(c);
    const log = d.events();
    const r = d.getResult();
    const lastBreak = [...log].reverse().find((e) => e.kind === 'bos' || e.kind === 'choch');
    expect(r?.trend).toBe(lastBreak?.direction);
    expect(r?.swingHigh).toBe([...log].reverse().find((e) => e.kind === 'swing_high'));
    expect(r?.swingLow).toBe([...log].reverse().find((e) => e.kind === 'swing_low'));
    expect(r?.asOf).toBe(closeOf(at(xau, xau.length - 1)));
    expect(r?.bars).toBe(2908);
    expect(r?.events).toEqual(log.filter((e) => e.confirmedAt === r?.asOf));
    expect(r?.pending).toEqual([]);
    expect(r?.pendingFor).toBeNull();
    // Open zones = zones without a later mitigation / full fill.
    const closedBy = new Set(log.filter((e) => e.kind === 'order_block_mitigated' || e.kind === 'fvg_filled').map((e) => e.refs[0]));
    expect(d.openOrderBlocks()).toEqual(log.filter((e) => e.kind === 'order_block' && !closedBy.has(e.id)));
    expect(d.openGaps()).toEqual(log.filter((e) => e.kind === 'fvg' && !closedBy.has(e.id)));
    expect(d.openOrderBlocks()).toHaveLength(11);
    expect(d.openGaps()).toHaveLength(30);
  });

  it('events(since) returns the confirmed events with confirmedAt >= since, oldest first, and the log keeps the newest maxEvents', () => {
    const all = detectStructure(btc, 'BTCUSD', 'M1');
    const d = new StructureDetector({ symbol: 'BTCUSD', timeframe: 'M1', maxEvents: 1000 });
    for (const c of btc) d.add(c);
    expect(d.events()).toEqual(all.slice(-1000));
    const since = closeOf(at(btc, 11_200));
    expect(d.events(since)).toEqual(all.filter((e) => e.confirmedAt >= since));
    expect(d.events(0)).toEqual(all.slice(-1000));
    expect(d.events(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('rejects open, foreign, inconsistent and out-of-order candles, and bad config', () => {
    const d = new StructureDetector({ symbol: 'XAUUSD', timeframe: 'H1' });
    for (const c of xau.slice(0, 10)) d.add(c);
    const next = at(xau, 10);
    expect(() => d.add({ ...next, symbol: 'BTCUSD' })).toThrow(DataIntegrityError);
    expect(() => d.add({ ...next, timeframe: 'H4' })).toThrow(DataIntegrityError);
    expect(() => d.add({ ...next, high: next.low - 1 })).toThrow(DataIntegrityError);
    expect(() => d.add({ ...next, close: Number.NaN })).toThrow(DataIntegrityError);
    expect(() => d.add(at(xau, 9))).toThrow(/does not follow/);
    expect(() => d.add(at(xau, 3))).toThrow(DataIntegrityError);
    // A closed candle cannot be amended, not even by an open version of it.
    expect(() => d.replace({ ...at(xau, 9), closed: false })).toThrow(/does not follow/);
    expect(() => d.replace(at(xau, 9))).toThrow(/does not follow/);
    // An open candle is previewed; a later candle cannot arrive before it closed.
    expect(d.add({ ...next, closed: false })?.bars).toBe(10);
    expect(() => d.add(at(xau, 11))).toThrow(/never closed/);
    expect(() => d.replace({ ...at(xau, 11), closed: false })).toThrow(/never closed/);
    expect(d.getResult()?.bars).toBe(10);
    expect(d.replace(next)?.bars).toBe(11);
    expect(d.add(at(xau, 11))?.bars).toBe(12);

    expect(() => structureConfig('XAUUSD', 'H1', { leftBars: 0, rightBars: 1.5, maxActiveZones: -1 })).toThrow(ConfigError);
    let issues: readonly string[] = [];
    try {
      structureConfig('', 'W1' as never, { leftBars: 0 });
    } catch (error) {
      issues = (error as ConfigError).issues;
    }
    expect(issues).toEqual(['symbol must be a non-empty string', 'unknown timeframe W1', 'leftBars must be an integer >= 1, got 0']);
  });

  it('replace() before warm-up returns null and changes nothing; after, pending is only a preview', () => {
    const d = new StructureDetector({ symbol: 'XAUUSD', timeframe: 'H1' });
    d.add(at(xau, 0));
    expect(d.replace({ ...at(xau, 1), closed: false })).toBeNull();
    expect(d.events()).toEqual([]);
    for (const c of xau.slice(1, 20)) d.add(c);
    // Server 2025-11-17 21:00 is the candle that breaks the swing low 4052.23; shown open with its final prices it previews the BOS.
    const breaker = at(xau, 20);
    const preview = d.replace({ ...breaker, closed: false });
    expect(preview?.pending.map((e) => e.kind)).toEqual(['bos', 'order_block', 'swing_high', 'fvg']);
    expect(d.events().some((e) => e.kind === 'bos')).toBe(false);
    // The open candle retraces above the swing low: the preview no longer shows a break, nothing was confirmed meanwhile.
    const retraced = d.replace({ ...breaker, low: 4060, close: 4061, closed: false });
    expect(retraced?.pending.map((e) => e.kind)).toEqual(['swing_high', 'fvg']);
    expect(d.getResult()).toBe(retraced);
    expect(d.state.trend).toBeNull();
    const confirmed = d.add(breaker);
    expect(confirmed?.events.map((e) => e.kind)).toEqual(['bos', 'order_block', 'swing_high', 'fvg']);
    expect(confirmed?.events).toEqual(preview?.pending);
    expect(confirmed?.pending).toEqual([]);
  });

  it('the step is pure: the input state is untouched and the same step gives the same answer', () => {
    let state: StructureState = initialStructureState(structureConfig('XAUUSD', 'H1'));
    for (const c of xau.slice(0, 200)) state = stepStructure(state, c).state;
    const before = JSON.stringify(state);
    const a = stepStructure(state, at(xau, 200));
    const b = stepStructure(state, at(xau, 200));
    expect(JSON.stringify(state)).toBe(before);
    expect(a).toEqual(b);
    expect(a.state.count).toBe(201);
    // Replaying the remaining candles from the saved state gives the tail of the full run.
    let s = state;
    const tail: StructureEvent[] = [];
    for (const c of xau.slice(200)) {
      const step = stepStructure(s, c);
      s = step.state;
      tail.push(...step.events);
    }
    const full = detectStructure(xau, 'XAUUSD', 'H1');
    expect(tail).toEqual(full.filter((e) => e.confirmedAt > closeOf(at(xau, 199))));
  });

  it('zone limits drop the oldest zones, which then get no more updates', () => {
    const limited = detectStructure(btc.slice(0, 2000), 'BTCUSD', 'M1', { maxActiveZones: 2, maxLiquidityLevels: 1 });
    const full = detectStructure(btc.slice(0, 2000), 'BTCUSD', 'M1', { maxActiveZones: 1e9, maxLiquidityLevels: 1e9 });
    const fullIds = new Set(full.map((e) => e.id));
    expect(limited.every((e) => fullIds.has(e.id))).toBe(true);
    const primary = (events: StructureEvent[]) => events.filter((e) => !['order_block_mitigated', 'fvg_partial_fill', 'fvg_filled', 'liquidity_sweep'].includes(e.kind));
    expect(primary(limited).length).toBeLessThanOrEqual(primary(full).length);
    expect(limited.filter((e) => e.kind === 'fvg_filled').length).toBeLessThan(full.filter((e) => e.kind === 'fvg_filled').length);
    expect(limited.filter((e) => e.kind === 'liquidity_sweep').length).toBeLessThan(full.filter((e) => e.kind === 'liquidity_sweep').length);
    const d = new StructureDetector({ symbol: 'BTCUSD', timeframe: 'M1', options: { maxActiveZones: 2 } });
    for (const c of btc.slice(0, 2000)) {
      d.add(c);
      expect(d.openGaps().length).toBeLessThanOrEqual(2);
      expect(d.openOrderBlocks().length).toBeLessThanOrEqual(2);
    }
  });
});
