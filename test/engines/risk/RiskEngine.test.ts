import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/index.js';
import { parseForexFactoryEvents, RiskEngine, type RiskAction } from '../../../src/engines/risk/index.js';
import { fixturePath } from '../../fixtures/load.js';

const calendar = parseForexFactoryEvents(readFileSync(fixturePath('calendar/forexfactory_2022_economic_calendar.csv'), 'utf8'));
const open: RiskAction = { kind: 'open', symbol: 'BTCUSD', side: 'buy', increasesExposure: true, m1Logic: true };
const tighten: RiskAction = { kind: 'modify_sl', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, currentSl: 40000, newSl: 41000 };

describe('RiskEngine shell', () => {
  it('reads the clock, reports transitions and denials, and answers status', () => {
    const clock = new TestClock(Date.UTC(2022, 2, 4, 9));
    const transitions: string[] = [];
    const denials: string[] = [];
    const engine = new RiskEngine(clock, calendar, {}, {
      onTransition: (t) => transitions.push(`${t.from}->${t.to}`),
      onDenial: (a, d, at) => denials.push(`${a.kind}:${d.rule}@${new Date(at).toISOString()}`),
    });
    expect(engine.onEquity(10_000)).toBeNull();
    expect(engine.check(open)).toEqual({ allowed: true });
    expect(engine.status().nextBlackout?.event.title).toBe('Non-Farm Employment Change');

    clock.advance(4 * 3_600_000 + 15 * 60_000); // 13:15 UTC, NFP at 13:30 UTC
    expect(engine.check(open).allowed).toBe(false);
    expect(engine.check(tighten)).toEqual({ allowed: true });

    clock.advance(30 * 60_000); // 13:45: window over
    engine.setVolatility('BTCUSD', 'calm');
    expect(engine.check(open)).toMatchObject({ allowed: false, rule: 'volatility_gating' });
    engine.setVolatility('BTCUSD', 'expanding');
    expect(engine.check(open)).toEqual({ allowed: true });

    expect(engine.onEquity(9_700)).toMatchObject({ from: 'active', to: 'reducing', at: Date.UTC(2022, 2, 4, 13, 45) });
    expect(engine.check(open)).toMatchObject({ allowed: false, rule: 'trading_state' });
    expect(engine.check(tighten)).toEqual({ allowed: true });
    const status = engine.status();
    expect([status.tradingState, status.drawdown, status.peak]).toEqual(['reducing', 0.03, 10_000]);
    // ForexFactory lists the 2022-03-10 "CPI y/y" at 7:30am ET (12:30 UTC), an hour before the headline m/m.
    expect(status.nextBlackout && [status.nextBlackout.event.title, new Date(status.nextBlackout.event.ts).toISOString()]).toEqual([
      'CPI y/y',
      '2022-03-10T12:30:00.000Z',
    ]);

    expect(transitions).toEqual(['active->reducing']);
    expect(denials).toEqual([
      'open:news_blackout@2022-03-04T13:15:00.000Z',
      'open:volatility_gating@2022-03-04T13:45:00.000Z',
      'open:trading_state@2022-03-04T13:45:00.000Z',
    ]);
  });
});
