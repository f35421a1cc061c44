/**
 * The coordinator on recorded data (BTCUSDT M5 of 2024-03-13/14) with the
 * paper venue: scenario A of the DTMS tests (a long opened at 01:04:59.999
 * rides the run-up and is stopped by the reversal) through the real
 * coordinator, venue and journal; a 3% drawdown flips risk to reducing and an
 * entry is denied; the same session twice gives byte-identical journal rows.
 */
import { describe, expect, it } from 'vitest';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { BARS, at, rig } from './harness.js';

const round2 = (x: number): number => Number(x.toFixed(2));

async function scenarioA() {
  const r = rig(dtmsConfig({ atrTrailK: 3 }));
  let entered = false;
  for (const b of BARS) {
    await r.feed(b);
    if (b.closeTime === at(1, 4) && !entered) {
      entered = true;
      const res = await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: round2(b.candle.close - 2 * b.atr!), tp: null, idempotencyKey: 'A1' });
      expect(res).toMatchObject({ sent: true, retcode: 10009, ticket: 'P1' });
    }
    if (b.closeTime >= at(4, 39)) break;
  }
  await r.coordinator.idle();
  return r;
}

describe('scenario A through the coordinator and the paper venue', () => {
  it('the position moves to breakeven, trails and takes the partial exactly as DTMS says, one command per decision', async () => {
    const r = await scenarioA();
    const rows = r.repo.query({ ticket: 'P1', limit: 1000 });
    const brief = (x: (typeof rows)[number]) => [x.action, x.outcome, x.data.rule ?? null, x.tsEvent, x.data.value ?? null];
    expect(rows.filter((x) => x.data.source === 'dtms' || x.action === 'enroll' || x.action === 'open').map(brief)).toEqual([
      ['open', 'sent', null, at(1, 4), null],
      ['enroll', 'recorded', null, at(1, 4), null],
      ['modify_sl', 'sent', 'breakeven', at(1, 54), 72653.54],
      ['modify_sl', 'sent', 'trail', at(2, 24), 72726.51],
      // DTMS asked for the partial and a trail at 02:29: the partial goes first, the stop is deferred...
      ['modify_sl', 'deferred', 'trail', at(2, 29), 72806.98],
      ['partial_close', 'sent', 'partial', at(2, 29), 0.5],
      // ...and reconciled at the next decision.
      ['modify_sl', 'sent', 'reconcile', at(2, 34), 72806.98],
      ['modify_sl', 'sent', 'trail', at(3, 4), 72920.92],
      ['modify_sl', 'sent', 'trail', at(3, 24), 72959.03],
      ['modify_sl', 'sent', 'trail', at(3, 39), 72996.7],
      ['modify_sl', 'sent', 'trail', at(3, 59), 73154.42],
      ['modify_sl', 'sent', 'trail', at(4, 14), 73243.68],
      ['close', 'declined', 'stop_hit', at(4, 34), 0.5],
    ]);
    const enroll = rows.find((x) => x.action === 'enroll');
    expect(enroll?.data).toMatchObject({ openPrice: 72632, sl: 72416.58, volume: 1 });
    expect(rows.find((x) => x.data.rule === 'breakeven')).toMatchObject({ stateFrom: 'monitoring', stateTo: 'breakeven' });
    expect(rows.find((x) => x.action === 'partial_close')).toMatchObject({ stateFrom: 'trailing', stateTo: 'partial_taken' });
    // The venue holds what was sent: half the volume, the last trail stop.
    const pos = r.venue.positions().find((p) => p.ticket === 'P1');
    expect(pos).toMatchObject({ volume: 0.5, sl: 73243.68 });
    // The partial filled at the close of the 02:25 bar (bid = close): 73113.71, profit 0.5 x (73113.71 - 72632).
    expect(BARS.find((b) => b.closeTime === at(2, 29))?.candle.close).toBe(73113.71);
    expect(r.venue.deals()).toEqual([expect.objectContaining({ ticket: 'P1', volume: 0.5, closePrice: 73113.71, profit: 240.86, reason: 'close', tsEvent: at(2, 29) })]);
    expect(r.coordinator.dtmsStates('P1')[0]?.phase).toBe('closed');
    r.store.close();
  });

  it('deterministic replay: the same session twice gives byte-identical dtms_actions rows', async () => {
    const a = await scenarioA();
    const b = await scenarioA();
    const rowsA = JSON.stringify(a.repo.rawRows());
    expect(a.repo.rawRows().length).toBeGreaterThan(10);
    expect(JSON.stringify(b.repo.rawRows())).toBe(rowsA);
    a.store.close();
    b.store.close();
  });
});

describe('risk through the coordinator', () => {
  it('a 3% session drawdown on floating equity flips to reducing and an entry is denied with its reason', async () => {
    // DTMS rules that never act on their own: the drawdown is the only thing happening.
    const r = rig(dtmsConfig({ breakevenR: 1000, partialTargetsR: [], chochTightenAtrK: 1000 }));
    const entryBar = BARS.find((b) => b.closeTime === at(4, 14))!;
    let entryPrice = 0;
    let flippedAt: number | null = null;
    let expected: number | null = null;
    let peak = 10000;
    for (const b of BARS) {
      await r.feed(b);
      if (b.closeTime === entryBar.closeTime) {
        entryPrice = b.candle.close;
        const res = await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 5, sl: round2(entryPrice - 3000), tp: null, idempotencyKey: 'D1' });
        expect(res.sent).toBe(true);
        continue;
      }
      if (entryPrice === 0) continue;
      // Independent recomputation: equity = 10000 + 5 x (close - entry), drawdown from the session peak.
      const equity = round2(10000 + 5 * (b.candle.close - entryPrice));
      peak = Math.max(peak, equity);
      if (expected === null && (peak - equity) / peak >= 0.03) expected = b.closeTime;
      if (flippedAt === null && r.risk.status().tradingState === 'reducing') flippedAt = b.closeTime;
      if (flippedAt !== null) break;
    }
    expect(expected).not.toBeNull();
    expect(flippedAt).toBe(expected);
    expect(r.risk.status().drawdown).toBeGreaterThanOrEqual(0.03);
    const res = await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: null, tp: null, idempotencyKey: 'D2' });
    expect(res.sent).toBe(false);
    expect(res.decision).toMatchObject({ allowed: false, rule: 'trading_state' });
    const denied = r.repo.query({ ticket: 'entry:D2', limit: 10 });
    expect(denied).toEqual([expect.objectContaining({ action: 'open', outcome: 'denied', tsEvent: flippedAt })]);
    expect(denied[0]?.reason).toMatch(/^trading state reducing: only close, partial close and stop tightening pass/);
    expect(r.venue.positions()).toHaveLength(1);
    r.store.close();
  });
});
