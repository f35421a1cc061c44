import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { STRUCTURE_EVENT_KINDS, detectStructure } from '../../../src/pipeline/structure/index.js';
import type { StructureEvent } from '../../../src/pipeline/structure/index.js';
import { referenceStructure } from './reference.js';
import { btcM1, closeOf, iso, ms, xauH1 } from './series.js';

const UNBOUNDED = { maxActiveZones: 1e9, maxLiquidityLevels: 1e9 };
const plain = (events: readonly StructureEvent[]): StructureEvent[] => events.map((e) => ({ ...e, refs: [...e.refs] }));
const countKinds = (events: readonly StructureEvent[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of STRUCTURE_EVENT_KINDS) out[k] = events.filter((e) => e.kind === k).length;
  return out;
};
/** Compact readable form of an event for literal expectations. */
const brief = (e: StructureEvent | undefined) =>
  e && { kind: e.kind, dir: e.direction, level: e.level, top: e.top, bottom: e.bottom, formed: iso(e.formedAt), confirmed: iso(e.confirmedAt) };

describe('structure definitions on real data', () => {
  let xau: Candle[] = [];
  let btc: Candle[] = [];
  let xauEvents: StructureEvent[] = [];
  let btcEvents: StructureEvent[] = [];
  const byOpen = (candles: Candle[], isoTime: string): number => candles.findIndex((c) => c.openTime === ms(isoTime));
  beforeAll(async () => {
    [xau, btc] = await Promise.all([xauH1(), btcM1()]);
    xauEvents = detectStructure(xau, 'XAUUSD', 'H1');
    btcEvents = detectStructure(btc, 'BTCUSD', 'M1');
  });

  it('first three XAUUSD H1 swing highs and lows (MT5 server time = UTC+2 in November)', () => {
    const swings = (kind: string) => xauEvents.filter((e) => e.kind === kind).slice(0, 3).map(brief);
    // CSV rows (server time): 2025-11-17 10:00 H 4095.97 (left 08:00 4071.99, 09:00 4089.11; right 11:00 4088.68, 12:00 4089.47)
    expect(swings('swing_high')).toEqual([
      { kind: 'swing_high', dir: 'bearish', level: 4095.97, top: null, bottom: null, formed: '2025-11-17T08:00:00.000Z', confirmed: '2025-11-17T10:59:59.999Z' },
      { kind: 'swing_high', dir: 'bearish', level: 4092.12, top: null, bottom: null, formed: '2025-11-17T13:00:00.000Z', confirmed: '2025-11-17T15:59:59.999Z' },
      { kind: 'swing_high', dir: 'bearish', level: 4080.83, top: null, bottom: null, formed: '2025-11-17T17:00:00.000Z', confirmed: '2025-11-17T19:59:59.999Z' },
    ]);
    // 07:00 L 4049.57 (left 4069.94, 4076.82; right 4054.72, 4065.06); 13:00 L 4061.0; 18:00 L 4052.23
    expect(swings('swing_low')).toEqual([
      { kind: 'swing_low', dir: 'bullish', level: 4049.57, top: null, bottom: null, formed: '2025-11-17T05:00:00.000Z', confirmed: '2025-11-17T07:59:59.999Z' },
      { kind: 'swing_low', dir: 'bullish', level: 4061, top: null, bottom: null, formed: '2025-11-17T11:00:00.000Z', confirmed: '2025-11-17T13:59:59.999Z' },
      { kind: 'swing_low', dir: 'bullish', level: 4052.23, top: null, bottom: null, formed: '2025-11-17T16:00:00.000Z', confirmed: '2025-11-17T18:59:59.999Z' },
    ]);
    // The definition, checked on the raw candles: strict over the 2 left bars, non-strict over the 2 right, confirmed at the 2nd right bar's close.
    for (const e of xauEvents.filter((x) => x.kind === 'swing_high' || x.kind === 'swing_low').slice(0, 12)) {
      const s = xau.findIndex((c) => c.openTime === e.formedAt);
      const v = (c: Candle) => (e.kind === 'swing_high' ? c.high : -c.low);
      const self = v(xau[s] as Candle);
      expect([s - 2, s - 1].every((j) => self > v(xau[j] as Candle))).toBe(true);
      expect([s + 1, s + 2].every((j) => self >= v(xau[j] as Candle))).toBe(true);
      expect(e.level).toBe(e.kind === 'swing_high' ? xau[s]?.high : xau[s]?.low);
      expect(e.confirmedAt).toBe(closeOf(xau[s + 2] as Candle));
    }
    // No candle before the first swing high qualifies.
    const first = byOpen(xau, '2025-11-17T08:00:00.000Z');
    for (let s = 2; s < first; s++) {
      const h = (j: number) => (xau[j] as Candle).high;
      expect(h(s) > h(s - 1) && h(s) > h(s - 2) && h(s) >= h(s + 1) && h(s) >= h(s + 2)).toBe(false);
    }
  });

  it('first XAUUSD H1 fair-value gaps and their fills', () => {
    const gaps = xauEvents.filter((e) => e.kind === 'fvg').slice(0, 2);
    expect(gaps.map(brief)).toEqual([
      // c1 = server 06:00 (L 4076.82) > c3 = server 08:00 (H 4071.99): bearish gap [4071.99, 4076.82], c2 = server 07:00
      { kind: 'fvg', dir: 'bearish', level: null, top: 4076.82, bottom: 4071.99, formed: '2025-11-17T05:00:00.000Z', confirmed: '2025-11-17T06:59:59.999Z' },
      // c1 = server 08:00 (H 4071.99) < c3 = server 10:00 (L 4072.04): bullish gap [4071.99, 4072.04]
      { kind: 'fvg', dir: 'bullish', level: null, top: 4072.04, bottom: 4071.99, formed: '2025-11-17T07:00:00.000Z', confirmed: '2025-11-17T08:59:59.999Z' },
    ]);
    for (const gap of gaps) {
      const i = xau.findIndex((c) => closeOf(c) === gap.confirmedAt);
      const [c1, c2, c3] = [xau[i - 2], xau[i - 1], xau[i]] as Candle[];
      expect(c2?.openTime).toBe(gap.formedAt);
      if (gap.direction === 'bullish') expect([c1?.high, c3?.low]).toEqual([gap.bottom, gap.top]);
      else expect([c3?.high, c1?.low]).toEqual([gap.bottom, gap.top]);
    }
    const fills = (gap: StructureEvent) => xauEvents.filter((e) => e.refs.includes(gap.id)).map(brief);
    // Server 09:00 H 4089.11 >= 4076.82: fully filled by the next candle. Server 11:00 L 4072.11 stays above 4072.04; 12:00 L 4068.4 <= 4071.99.
    expect(fills(gaps[0] as StructureEvent)).toEqual([
      { kind: 'fvg_filled', dir: 'bearish', level: 4076.82, top: 4076.82, bottom: 4071.99, formed: '2025-11-17T07:00:00.000Z', confirmed: '2025-11-17T07:59:59.999Z' },
    ]);
    expect(fills(gaps[1] as StructureEvent)).toEqual([
      { kind: 'fvg_filled', dir: 'bullish', level: 4071.99, top: 4072.04, bottom: 4071.99, formed: '2025-11-17T10:00:00.000Z', confirmed: '2025-11-17T10:59:59.999Z' },
    ]);
    // A partial fill: the bearish gap [4043.93, 4062.19] (server 20:00-22:00) entered by server 23:00 (H 4046.21), deeper at 2025-11-18 01:00 (H 4055.35).
    const partial = xauEvents.filter((e) => e.kind === 'fvg_partial_fill').slice(0, 2).map(brief);
    expect(partial).toEqual([
      { kind: 'fvg_partial_fill', dir: 'bearish', level: 4046.21, top: 4062.19, bottom: 4043.93, formed: '2025-11-17T21:00:00.000Z', confirmed: '2025-11-17T21:59:59.999Z' },
      { kind: 'fvg_partial_fill', dir: 'bearish', level: 4055.35, top: 4062.19, bottom: 4043.93, formed: '2025-11-17T23:00:00.000Z', confirmed: '2025-11-17T23:59:59.999Z' },
    ]);
  });

  it('first XAUUSD H1 break, its order block, its mitigation, and the first sweep', () => {
    const brk = xauEvents.find((e) => e.kind === 'bos' || e.kind === 'choch') as StructureEvent;
    const swingLow = xauEvents.find((e) => e.id === brk.refs[0]);
    // Server 21:00 closes 4011.25 < swing low 4052.23 (server 18:00): the first break, so a BOS.
    expect(brief(brk)).toEqual({ kind: 'bos', dir: 'bearish', level: 4052.23, top: null, bottom: null, formed: '2025-11-17T19:00:00.000Z', confirmed: '2025-11-17T19:59:59.999Z' });
    expect(brief(swingLow)?.formed).toBe('2025-11-17T16:00:00.000Z');
    // Highest high of server 18:00..21:00 is 19:00 (H 4080.83), which is bullish (4070.00 -> 4073.36): the order block.
    const ob = xauEvents.find((e) => e.kind === 'order_block') as StructureEvent;
    expect(brief(ob)).toEqual({ kind: 'order_block', dir: 'bearish', level: null, top: 4080.83, bottom: 4069.71, formed: '2025-11-17T17:00:00.000Z', confirmed: '2025-11-17T19:59:59.999Z' });
    expect(ob.refs).toEqual([brk.id, swingLow?.id]);
    const mitigation = xauEvents.find((e) => e.kind === 'order_block_mitigated' && e.refs[0] === ob.id);
    expect(brief(mitigation)).toEqual({
      kind: 'order_block_mitigated', dir: 'bearish', level: 4070.24, top: 4080.83, bottom: 4069.71, formed: '2025-11-18T13:00:00.000Z', confirmed: '2025-11-18T13:59:59.999Z',
    });
    // No candle between the break and the mitigation reached the block's bottom.
    const from = xau.findIndex((c) => closeOf(c) === brk.confirmedAt);
    const to = xau.findIndex((c) => c.openTime === mitigation?.formedAt);
    expect(xau.slice(from + 1, to).every((c) => c.high < 4069.71)).toBe(true);
    expect(xau[to]?.high).toBe(4070.24);
    // Server 16:00: L 4060.73 below the swing low 4061.0 (server 13:00), close 4076.05 back above: bullish sweep.
    const sweep = xauEvents.find((e) => e.kind === 'liquidity_sweep') as StructureEvent;
    expect(brief(sweep)).toEqual({
      kind: 'liquidity_sweep', dir: 'bullish', level: 4061, top: 4061, bottom: 4060.73, formed: '2025-11-17T14:00:00.000Z', confirmed: '2025-11-17T14:59:59.999Z',
    });
    expect(sweep.id).toBe(`XAUUSD:H1:liquidity_sweep:bullish:${ms('2025-11-17T14:00:00.000Z')}:${ms('2025-11-17T14:59:59.999Z')}:${ms('2025-11-17T11:00:00.000Z')}`);
  });

  it('agrees event for event (ids, prices, times, refs, order) with an independent naive oracle', () => {
    expect(plain(detectStructure(xau, 'XAUUSD', 'H1', UNBOUNDED))).toEqual(referenceStructure(xau, 'XAUUSD', 'H1'));
    expect(plain(detectStructure(btc, 'BTCUSD', 'M1', UNBOUNDED))).toEqual(referenceStructure(btc, 'BTCUSD', 'M1'));
    // Other fractal widths follow the same definitions.
    const opts = { ...UNBOUNDED, leftBars: 3, rightBars: 1 };
    expect(plain(detectStructure(xau, 'XAUUSD', 'H1', opts))).toEqual(referenceStructure(xau, 'XAUUSD', 'H1', 3, 1));
    expect(plain(detectStructure(btc.slice(0, 3000), 'BTCUSD', 'M1', { ...UNBOUNDED, leftBars: 5, rightBars: 5 }))).toEqual(
      referenceStructure(btc.slice(0, 3000), 'BTCUSD', 'M1', 5, 5),
    );
  });

  it('counts per kind on the full series (default limits)', () => {
    expect(countKinds(xauEvents)).toEqual({
      swing_high: 388, swing_low: 408, bos: 138, choch: 124, order_block: 213, order_block_mitigated: 202,
      fvg: 574, fvg_partial_fill: 459, fvg_filled: 544, liquidity_sweep: 382,
    });
    expect(countKinds(btcEvents)).toEqual({
      swing_high: 1438, swing_low: 1480, bos: 639, choch: 576, order_block: 1002, order_block_mitigated: 974,
      fvg: 3901, fvg_partial_fill: 2897, fvg_filled: 3823, liquidity_sweep: 953,
    });
    // The limits only drop updates of old targets: XAUUSD loses nothing; BTCUSD loses 2 sweeps of levels beyond the 50 newest.
    expect(plain(xauEvents)).toEqual(referenceStructure(xau, 'XAUUSD', 'H1'));
    const all = referenceStructure(btc, 'BTCUSD', 'M1');
    const kept = new Set(btcEvents.map((e) => e.id));
    const allIds = new Set(all.map((e) => e.id));
    expect(btcEvents.every((e) => allIds.has(e.id))).toBe(true);
    expect(all.filter((e) => !kept.has(e.id)).map((e) => e.kind)).toEqual(['liquidity_sweep', 'liquidity_sweep']);
  });

  it('invariants: unique ids, oldest first, refs point back, confirmed no earlier than formed', () => {
    for (const events of [xauEvents, btcEvents]) {
      const index = new Map(events.map((e, i) => [e.id, i]));
      expect(index.size).toBe(events.length);
      events.forEach((e, i) => {
        if (i > 0) expect(e.confirmedAt).toBeGreaterThanOrEqual((events[i - 1] as StructureEvent).confirmedAt);
        expect(e.confirmedAt).toBeGreaterThan(e.formedAt);
        for (const ref of e.refs) expect(index.get(ref)).toBeLessThan(i);
        if (e.top !== null && e.bottom !== null) expect(e.top).toBeGreaterThanOrEqual(e.bottom);
      });
    }
  });
});
