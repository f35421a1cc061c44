import { describe, expect, it } from 'vitest';
import { selectAction, type ExitProposal } from '../../../src/engines/coordinator/index.js';
import type { DtmsAction } from '../../../src/engines/dtms/index.js';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { at, rig } from './harness.js';
import { BARS } from './harness.js';

const dtms = (kind: DtmsAction['kind'], value: number, rule: DtmsAction['rule'] = 'trail'): DtmsAction => ({ kind, ticket: 'T', rule, at: 0, value, reason: `dtms ${rule}`, data: {} });
const exit = (kind: ExitProposal['kind'], value: number): ExitProposal => ({ kind, value, reason: `exits ${kind}`, data: {} });

describe('selectAction', () => {
  it('the most protective stop wins between DTMS and exits (long: the higher)', () => {
    const s = selectAction('buy', 100, 90, [dtms('modify_sl', 95)], [exit('modify_sl', 97)]);
    expect(s.chosen).toMatchObject({ source: 'exits', kind: 'modify_sl', value: 97 });
    expect(s.declined).toEqual([expect.objectContaining({ source: 'dtms', value: 95, why: 'a more protective exits stop (97) was chosen' })]);
  });

  it('short: the lower stop wins; an exits stop beyond the price is declined', () => {
    const s = selectAction('sell', 100, 110, [dtms('modify_sl', 105)], [exit('modify_sl', 103), exit('modify_sl', 100.5 - 1)]);
    expect(s.chosen).toMatchObject({ source: 'exits', value: 103 });
    expect(s.declined.map((d) => d.why)).toEqual(['exits stop is at or beyond the price', 'a more protective exits stop (103) was chosen']);
  });

  it('one action per decision: DTMS close beats everything, the rest is deferred', () => {
    const s = selectAction('buy', 100, 90, [dtms('partial_close', 0.5, 'partial'), dtms('close', 1, 'invalidation')], [exit('close', 1)]);
    expect(s.chosen).toMatchObject({ source: 'dtms', kind: 'close' });
    expect(s.deferred.map((d) => [d.source, d.kind])).toEqual([['dtms', 'partial_close'], ['exits', 'close']]);
  });

  it('DTMS actions come before exits actions; a stop that does not tighten is declined', () => {
    expect(selectAction('buy', 100, 90, [dtms('hedge', 1, 'hedge')], [exit('partial_close', 0.5)]).chosen).toMatchObject({ source: 'dtms', kind: 'hedge' });
    const s = selectAction('buy', 100, 96, [], [exit('modify_sl', 95)]);
    expect(s.chosen).toBeNull();
    expect(s.declined[0]?.why).toBe('would not tighten the stop (a stop never loosens)');
    expect(selectAction('buy', 100, 90, [], [exit('modify_sl', 95), exit('partial_close', 0.3)]).chosen).toMatchObject({ kind: 'partial_close' });
  });
});

describe('shadow mode', () => {
  it('decisions are journalled as shadow and nothing reaches the venue', async () => {
    const r = rig(dtmsConfig({ atrTrailK: 3 }), 'shadow');
    // In shadow the coordinator does not send the entry either: open it at the venue directly (as MT5 would hold it).
    for (const b of BARS) {
      await r.feed(b);
      if (b.closeTime === at(1, 4)) {
        const res = await r.venue.placeOrder({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'S1' });
        expect(res.ok).toBe(true);
      }
      if (b.closeTime >= at(2, 24)) break;
    }
    await r.coordinator.idle();
    const rows = r.repo.query({ ticket: 'P1', limit: 100 });
    expect(rows.map((x) => [x.action, x.outcome, x.data.rule ?? null, x.tsEvent])).toEqual([
      ['enroll', 'recorded', null, at(1, 9)],
      ['modify_sl', 'shadow', 'breakeven', at(1, 54)],
      ['modify_sl', 'shadow', 'trail', at(2, 24)],
    ]);
    expect(r.venue.positions()[0]?.sl).toBe(72416.58);
    expect(r.coordinator.status(['BTCUSD']).modes).toEqual({ BTCUSD: 'shadow' });
    r.store.close();
  });
});
