/**
 * News blackout through the coordinator: the real QuantLab USD calendar has
 * US Retail Sales on 2024-03-14 (08:30 New York = 12:30 UTC); with the
 * default window (30 min before, 15 after) an entry at the close of the 12:05
 * M5 bar is denied with the event in the reason, while a stop tightening at
 * the same instant passes; after the window the entry goes through.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { parseQuantlabEvents } from '../../../src/engines/risk/index.js';
import { fixturePath } from '../../fixtures/load.js';
import { BARS, at, rig } from './harness.js';

const calendar = parseQuantlabEvents(readFileSync(fixturePath('calendar/quantlab_usd_important_events.csv'), 'utf8'));
const filter = { currencies: ['USD'], kinds: ['RetailSales' as const], impacts: ['high' as const] };

describe('news blackout through the coordinator', () => {
  it('denies an entry inside the window, allows a stop tightening, and allows the entry after it', async () => {
    const r = rig(dtmsConfig(), 'replay', null, calendar, { eventFilter: filter });
    const entry = (key: string, price: number) => r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((price - 300).toFixed(2)), tp: null, idempotencyKey: key });
    let inside: Awaited<ReturnType<typeof entry>> | null = null;
    let after: Awaited<ReturnType<typeof entry>> | null = null;
    for (const b of BARS) {
      await r.feed(b);
      if (b.closeTime === at(12, 9)) {
        inside = await entry('N1', b.candle.close);
        const tighten = r.risk.check({ kind: 'modify_sl', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, ticket: 'P0', currentSl: 70000, newSl: 70100 });
        expect(tighten).toEqual({ allowed: true });
        expect(r.risk.nextBlackout('BTCUSD')).toMatchObject({ start: Date.UTC(2024, 2, 14, 12, 0), end: Date.UTC(2024, 2, 14, 12, 45) });
      }
      if (b.closeTime === at(12, 49)) {
        after = await entry('N2', b.candle.close);
        break;
      }
    }
    expect(inside).toMatchObject({ sent: false, decision: { allowed: false, rule: 'news_blackout' } });
    expect(inside?.message).toContain('news blackout RetailSales');
    expect(after).toMatchObject({ sent: true, retcode: 10009, ticket: 'P1' });
    const rows = r.repo.query({ limit: 10 });
    expect(rows.map((x) => [x.ticket, x.action, x.outcome])).toEqual([
      ['entry:N1', 'open', 'denied'],
      ['P1', 'open', 'sent'],
      ['P1', 'enroll', 'recorded'],
    ]);
    r.store.close();
  });
});
