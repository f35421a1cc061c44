import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  activeBlackout,
  checkAction,
  DEFAULT_BLACKOUT,
  DEFAULT_GATING,
  nextBlackout,
  parseQuantlabEvents,
  selectEvents,
  type RiskAction,
  type RiskContext,
} from '../../../src/engines/risk/index.js';
import { fixturePath } from '../../fixtures/load.js';

const events = selectEvents(parseQuantlabEvents(readFileSync(fixturePath('calendar/quantlab_usd_important_events.csv'), 'utf8')));
const ctx: RiskContext = { events, blackout: DEFAULT_BLACKOUT, gating: DEFAULT_GATING, volatility: {} };
const active = { tradingState: 'active' as const };

const open: RiskAction = { kind: 'open', symbol: 'XAUUSD', side: 'buy', increasesExposure: true, volume: 0.1 };
const tighten: RiskAction = { kind: 'modify_sl', symbol: 'XAUUSD', side: 'sell', increasesExposure: false, currentSl: 1950, newSl: 1940 };
const close: RiskAction = { kind: 'close', symbol: 'XAUUSD', increasesExposure: false, ticket: '7' };

const NFP_MAR = Date.UTC(2022, 2, 4, 13, 30); // 08:30 EST
const NFP_APR = Date.UTC(2022, 3, 1, 12, 30); // 08:30 EDT

describe('news blackout around real NFP releases (quantlab calendar)', () => {
  it('2022-03-04 NFP (13:30 UTC): 13:00 to 13:45 blocks entries, allows a stop tightening and a close', () => {
    const at = Date.UTC(2022, 2, 4, 13, 10);
    expect(checkAction(active, open, ctx, at)).toEqual({
      allowed: false,
      rule: 'news_blackout',
      reason:
        'news blackout NFP (Employment Situation (NFP)) at 2022-03-04T13:30:00.000Z: window 2022-03-04T13:00:00.000Z to 2022-03-04T13:45:00.000Z',
    });
    expect(checkAction(active, tighten, ctx, at)).toEqual({ allowed: true });
    expect(checkAction(active, close, ctx, at)).toEqual({ allowed: true });
    // Window edges: start inclusive, end exclusive.
    expect(checkAction(active, open, ctx, NFP_MAR - 30 * 60_000 - 1)).toEqual({ allowed: true });
    expect(checkAction(active, open, ctx, NFP_MAR - 30 * 60_000).allowed).toBe(false);
    expect(checkAction(active, open, ctx, NFP_MAR + 15 * 60_000 - 1).allowed).toBe(false);
    expect(checkAction(active, open, ctx, NFP_MAR + 15 * 60_000)).toEqual({ allowed: true });
    // 12:30 UTC that day is outside (a naive fixed -4h offset would block it).
    expect(checkAction(active, open, ctx, Date.UTC(2022, 2, 4, 12, 30))).toEqual({ allowed: true });
  });

  it('2022-04-01 NFP (12:30 UTC, after the DST change)', () => {
    expect(activeBlackout(events, Date.UTC(2022, 3, 1, 12, 20))?.event.ts).toBe(NFP_APR);
    expect(activeBlackout(events, Date.UTC(2022, 3, 1, 13, 30))).toBeNull();
    expect(checkAction(active, open, ctx, Date.UTC(2022, 3, 1, 12, 44)).allowed).toBe(false);
    expect(checkAction(active, tighten, ctx, Date.UTC(2022, 3, 1, 12, 44))).toEqual({ allowed: true });
  });

  it('a stop widening is an entry of risk and is blocked; GBPJPY is not affected by USD events', () => {
    const widen: RiskAction = { ...tighten, increasesExposure: true, newSl: 1960 };
    expect(checkAction(active, widen, ctx, NFP_MAR).allowed).toBe(false);
    expect(checkAction(active, { ...open, symbol: 'GBPJPY' }, ctx, NFP_MAR)).toEqual({ allowed: true });
    const all: RiskContext = { ...ctx, blackout: { ...DEFAULT_BLACKOUT, allSymbols: true } };
    expect(checkAction(active, { ...open, symbol: 'GBPJPY' }, all, NFP_MAR).allowed).toBe(false);
  });

  it('the window is configurable', () => {
    const wide: RiskContext = { ...ctx, blackout: { minutesBefore: 60, minutesAfter: 60, allSymbols: false } };
    const at = Date.UTC(2022, 2, 4, 12, 45);
    expect(checkAction(active, open, ctx, at)).toEqual({ allowed: true });
    expect(checkAction(active, open, wide, at).allowed).toBe(false);
  });

  it('nextBlackout gives the window in force, else the next one', () => {
    const inForce = nextBlackout(events, Date.UTC(2022, 2, 4, 13, 40));
    expect(inForce && [inForce.event.kind, inForce.start, inForce.end]).toEqual(['NFP', NFP_MAR - 1_800_000, NFP_MAR + 900_000]);
    const next = nextBlackout(events, Date.UTC(2022, 2, 4, 13, 45));
    expect(next && [next.event.kind, new Date(next.event.ts).toISOString()]).toEqual(['CPI', '2022-03-10T13:30:00.000Z']);
    const fomc = nextBlackout(events, Date.UTC(2022, 2, 11));
    expect(fomc && [fomc.event.kind, new Date(fomc.start).toISOString()]).toEqual(['FOMC', '2022-03-16T17:30:00.000Z']);
    expect(nextBlackout(events, Date.UTC(2027, 0, 1))).toBeNull();
  });
});

describe('volatility gating', () => {
  const m1Entry: RiskAction = { ...open, symbol: 'BTCUSD', m1Logic: true };
  const at = Date.UTC(2022, 2, 5);

  it('pauses M1-based entries while the state is calm', () => {
    const calm: RiskContext = { ...ctx, volatility: { BTCUSD: 'calm' } };
    expect(checkAction(active, m1Entry, calm, at)).toEqual({
      allowed: false,
      rule: 'volatility_gating',
      reason: 'M1 entry logic paused: BTCUSD volatility calm',
    });
    // Not M1 logic, or not an entry: passes.
    expect(checkAction(active, { ...m1Entry, m1Logic: false }, calm, at)).toEqual({ allowed: true });
    expect(checkAction(active, { ...close, symbol: 'BTCUSD', m1Logic: true }, calm, at)).toEqual({ allowed: true });
  });

  it('passes in other states, when unknown, and when disabled or reconfigured', () => {
    expect(checkAction(active, m1Entry, { ...ctx, volatility: { BTCUSD: 'normal' } }, at)).toEqual({ allowed: true });
    expect(checkAction(active, m1Entry, ctx, at)).toEqual({ allowed: true });
    const off: RiskContext = { ...ctx, volatility: { BTCUSD: 'calm' }, gating: { enabled: false, pausedStates: ['calm'] } };
    expect(checkAction(active, m1Entry, off, at)).toEqual({ allowed: true });
    const extreme: RiskContext = { ...ctx, volatility: { BTCUSD: 'extreme' }, gating: { enabled: true, pausedStates: ['calm', 'extreme'] } };
    expect(checkAction(active, m1Entry, extreme, at).allowed).toBe(false);
  });
});
