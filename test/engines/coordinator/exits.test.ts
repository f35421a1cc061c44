/**
 * DTMS and the intelligent-exits engine together through the coordinator on
 * scenario A (recorded BTCUSDT M5 of 2024-03-14): every stop sent is the
 * most protective of the two engines' stops at that decision, stops only
 * tighten, at most one command per position per decision, and the exit plan
 * is readable.
 */
import { describe, expect, it } from 'vitest';
import { createExitsAdviser } from '../../../src/engines/coordinator/index.js';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { BARS, at, rig } from './harness.js';

describe('coordinator with DTMS and exits on scenario A', () => {
  it('the most protective stop wins, stops never loosen, one command per decision', async () => {
    const r = rig(dtmsConfig({ atrTrailK: 3 }), 'replay', createExitsAdviser());
    for (const b of BARS) {
      await r.feed(b);
      if (b.closeTime === at(1, 4)) await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'A1' });
      if (b.closeTime >= at(4, 39)) break;
    }
    await r.coordinator.idle();
    const rows = r.repo.query({ ticket: 'P1', limit: 1000 });
    const sent = rows.filter((x) => x.outcome === 'sent');
    // One command per decision.
    const times = sent.map((x) => x.tsEvent);
    expect(new Set(times).size).toBe(times.length);
    // Stops only tighten.
    const stops = sent.filter((x) => x.action === 'modify_sl').map((x) => x.data.value as number);
    expect(stops.length).toBeGreaterThan(3);
    for (let i = 1; i < stops.length; i++) expect(stops[i]!).toBeGreaterThan(stops[i - 1]!);
    // Every stop that lost to a more protective one says which one won, and the winner is higher.
    for (const d of rows.filter((x) => x.outcome === 'declined' && x.reason.includes('a more protective'))) {
      const won = Number(/\(([\d.]+)\) was chosen/.exec(d.reason)?.[1]);
      expect(won).toBeGreaterThan(d.data.value as number);
      expect(sent.some((s) => s.tsEvent === d.tsEvent && s.data.value === won) || rows.some((s) => s.tsEvent === d.tsEvent && s.outcome === 'deferred' && s.data.value === won)).toBe(true);
    }
    expect(rows.some((x) => x.data.source === 'exits')).toBe(true);
    expect(r.coordinator.exitPlans('P1')?.[0]?.plan).toMatchObject({ ticket: 'P1', symbol: 'BTCUSD', side: 'buy' });
    r.store.close();
  });
});
