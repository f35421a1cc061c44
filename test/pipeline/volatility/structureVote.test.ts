import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import type { StructureLabel } from '../../../src/pipeline/volatility/index.js';
import { filterM1Reversal, M5VolatilityBridge, voteStructure, type StructureLabelInput } from '../../../src/pipeline/volatility/index.js';
import { binanceM5 } from '../calibration/fixtures.js';

const both = (binance: StructureLabel, mt5: StructureLabel): StructureLabelInput[] =>
  (['M1', 'M5', 'M15'] as const).flatMap((timeframe) => [
    { source: 'binance' as const, timeframe, label: binance },
    { source: 'mt5' as const, timeframe, label: mt5 },
  ]);

describe('filterM1Reversal', () => {
  it('counts a reversal only when the M5 slope confirms it', () => {
    expect(filterM1Reversal({}, 'mt5', 'bullish', 'flat')).toEqual({ label: 'bullish', filtered: false, state: { mt5: 'bullish' } });
    const s = { mt5: 'bullish' as const };
    expect(filterM1Reversal(s, 'mt5', 'bearish', 'flat')).toEqual({ label: 'bullish', filtered: true, state: s });
    expect(filterM1Reversal(s, 'mt5', 'bearish', 'up')).toEqual({ label: 'bullish', filtered: true, state: s });
    expect(filterM1Reversal(s, 'mt5', 'bearish', 'down')).toEqual({ label: 'bearish', filtered: false, state: { mt5: 'bearish' } });
    expect(filterM1Reversal(s, 'mt5', 'neutral', 'down')).toEqual({ label: 'neutral', filtered: false, state: s });
    expect(filterM1Reversal(s, 'binance', 'bearish', 'flat')).toEqual({ label: 'bearish', filtered: false, state: { mt5: 'bullish', binance: 'bearish' } });
  });
});

describe('voteStructure', () => {
  it('equal weights, sources disagreeing on every timeframe: no majority, neutral', () => {
    const v = voteStructure(both('bullish', 'bearish'), { binance: 0.5, mt5: 0.5 }, {}, {}, 'flat');
    expect(v.label).toBe('neutral');
    expect([v.tally.bullish, v.tally.bearish, v.tally.neutral, v.tally.total]).toEqual([1.5, 1.5, 0, 3]);
  });

  it('in discrepancy Binance weighs 0.25 of its quality: the broker decides', () => {
    // weights as the reconciliation gives them with equal freshness: 0.25 / 1.25 and 1 / 1.25
    const v = voteStructure(both('bullish', 'bearish'), { binance: 0.2, mt5: 0.8 }, {}, {}, 'flat');
    expect(v.label).toBe('bearish');
    expect(v.tally.bearish).toBeCloseTo(2.4, 12);
  });

  it('a strict majority across sources and timeframes wins; ties and pluralities stay neutral', () => {
    const labels: StructureLabelInput[] = [
      { source: 'binance', timeframe: 'M1', label: 'bullish' },
      { source: 'binance', timeframe: 'M5', label: 'bullish' },
      { source: 'binance', timeframe: 'M15', label: 'neutral' },
      { source: 'mt5', timeframe: 'M1', label: 'bullish' },
      { source: 'mt5', timeframe: 'M5', label: 'bullish' },
      { source: 'mt5', timeframe: 'M15', label: 'bearish' },
    ];
    expect(voteStructure(labels, { binance: 0.5, mt5: 0.5 }, {}, {}, 'flat').label).toBe('bullish'); // 4 of 6
    expect(voteStructure(labels.slice(0, 3), { binance: 1 }, {}, {}, 'flat').label).toBe('bullish'); // 2 of 3
    expect(voteStructure(labels, { binance: 0.5, mt5: 0.5 }, { M1: 0, M5: 0 }, {}, 'flat').label).toBe('neutral');
    // a source without weight (no M5 candle) does not vote
    expect(voteStructure(labels, { mt5: 1 }, {}, {}, 'flat').tally.ballots.map((b) => b.source)).toEqual(['mt5', 'mt5', 'mt5']);
  });

  it('an M1 reversal the slope does not confirm is counted as the previous direction', () => {
    const first = voteStructure(both('bullish', 'bullish'), { binance: 0.5, mt5: 0.5 }, {}, {}, 'flat');
    expect(first.m1State).toEqual({ binance: 'bullish', mt5: 'bullish' });
    const labels = both('bullish', 'bullish').map((l) => (l.timeframe === 'M1' && l.source === 'mt5' ? { ...l, label: 'bearish' as const } : l));
    const v = voteStructure(labels, { binance: 0.5, mt5: 0.5 }, {}, first.m1State, 'up');
    const m1 = v.tally.ballots.find((b) => b.source === 'mt5' && b.timeframe === 'M1');
    expect(m1).toEqual({ source: 'mt5', timeframe: 'M1', label: 'bullish', raw: 'bearish', filtered: true, weight: 0.5 });
    expect(v.label).toBe('bullish');
  });
});

describe('the bridge votes with its own slope and weights', () => {
  let m5: Candle[] = [];
  beforeAll(async () => {
    m5 = await binanceM5();
  });

  it('filters an M1 reversal against a rising M5 and lets a confirmed one through; replace re-runs the filter from the state before', () => {
    const bridge = new M5VolatilityBridge({ symbol: 'BTCUSD' });
    const bull = both('bullish', 'bullish');
    const m1Bear = bull.map((l) => (l.timeframe === 'M1' ? { ...l, label: 'bearish' as const } : l));
    const readings = [];
    for (const c of m5) {
      const r = bridge.add({ primary: c, primarySource: 'binance', secondary: null, offset: 0, brokerSpread: null, tsInit: c.openTime + 300_000, labels: bull });
      if (r) readings.push(r);
    }
    expect(readings.at(-1)?.structureLabel).toBe('bullish');
    // find the first candle after warm-up with an up slope, and one with a down slope
    const upIndex = m5.findIndex((c, i) => i > 40 && (c.close - (m5[i - 3] as Candle).close) / 3 > 0.1 * 80);
    const up = new M5VolatilityBridge({ symbol: 'BTCUSD' });
    let r = null;
    for (let i = 0; i < upIndex; i++) {
      const c = m5[i] as Candle;
      r = up.add({ primary: c, primarySource: 'binance', secondary: null, offset: 0, brokerSpread: null, tsInit: c.openTime + 300_000, labels: bull });
    }
    const c = m5[upIndex] as Candle;
    const base = { primary: c, primarySource: 'binance' as const, secondary: null, offset: 0, brokerSpread: null, tsInit: c.openTime + 300_000 };
    r = up.add({ ...base, labels: m1Bear });
    expect(r?.slopeDirection).toBe('up');
    expect(r?.votes.ballots.find((b) => b.timeframe === 'M1')).toMatchObject({ label: 'bullish', raw: 'bearish', filtered: true });
    // the same reading replaced with a down slope (a lower close): the reversal is now confirmed
    const low = { ...c, close: c.close - 400, low: Math.min(c.low, c.close - 400) };
    r = up.replace({ ...base, primary: low, labels: m1Bear });
    expect(r?.slopeDirection).toBe('down');
    expect(r?.votes.ballots.find((b) => b.timeframe === 'M1')).toMatchObject({ label: 'bearish', raw: 'bearish', filtered: false });
    // and replacing back restores the filter's state from before this candle
    r = up.replace({ ...base, labels: m1Bear });
    expect(r?.votes.ballots.find((b) => b.timeframe === 'M1')).toMatchObject({ label: 'bullish', filtered: true });
  });
});
