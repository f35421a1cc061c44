import { describe, expect, it } from 'vitest';
import {
  checkAction,
  DEFAULT_RISK_CONTEXT,
  initialEquityGuardState,
  nextSessionStart,
  sessionStart,
  updateEquity,
  type EquityGuardState,
  type RiskAction,
  type StateTransition,
} from '../../../src/engines/risk/index.js';
import { klines2017 } from '../../fixtures/load.js';

/**
 * Real equity path: 10,000 USD balance and a 2 BTC long opened at the first
 * 1m close of 2017-08-17 (4261.48), marked at every official 1m close (at the
 * kline's close time, open + 59.999 s).
 */
function equityPath(): { at: number; equity: number }[] {
  const candles = klines2017();
  const entry = candles[0]!.close;
  return candles.map((c) => ({ at: c.openTime + 59_999, equity: 10_000 + 2 * (c.close - entry) }));
}

const open: RiskAction = { kind: 'open', symbol: 'BTCUSD', side: 'buy', increasesExposure: true, volume: 1 };
const close: RiskAction = { kind: 'close', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, ticket: '1' };
const partial: RiskAction = { kind: 'partial_close', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, volume: 1 };
const tighten: RiskAction = { kind: 'modify_sl', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, currentSl: 4200, newSl: 4300 };
const widen: RiskAction = { kind: 'modify_sl', symbol: 'BTCUSD', side: 'buy', increasesExposure: false, currentSl: 4300, newSl: 4200 };
const moveTp: RiskAction = { kind: 'modify_tp', symbol: 'BTCUSD', side: 'buy', increasesExposure: false };

describe('sessions', () => {
  it('UTC day by default, configurable start', () => {
    const t = Date.UTC(2017, 7, 17, 16, 3);
    expect(sessionStart(t)).toBe(Date.UTC(2017, 7, 17));
    expect(nextSessionStart(t)).toBe(Date.UTC(2017, 7, 18));
    expect(sessionStart(t, 22 * 60)).toBe(Date.UTC(2017, 7, 16, 22));
    expect(sessionStart(Date.UTC(2017, 7, 17, 23), 22 * 60)).toBe(Date.UTC(2017, 7, 17, 22));
  });
});

describe('equity guard on a real BTCUSDT equity path (2017-08-17)', () => {
  it('flips to reducing at the first 3% session drawdown, with the transition as a value', () => {
    let state: EquityGuardState = initialEquityGuardState();
    const transitions: StateTransition[] = [];
    let flippedAt = -1;
    equityPath().forEach(({ at, equity }, i) => {
      const r = updateEquity(state, equity, at);
      state = r.state;
      if (r.transition) {
        transitions.push(r.transition);
        if (flippedAt < 0) flippedAt = i;
      }
    });
    // Peak 10447.82 (close 4485.39 at 11:25), first close at or beyond 3% below it: 4320.00, the 16:02 minute.
    expect(flippedAt).toBe(722);
    expect(transitions).toEqual([
      {
        from: 'active',
        to: 'reducing',
        reason: 'session drawdown 3.17% >= 3.00% (peak 10447.82, equity 10117.04)',
        at: Date.UTC(2017, 7, 17, 16, 2, 59, 999),
      },
    ]);
    expect(state.tradingState).toBe('reducing');
    expect(state.peak).toBeCloseTo(10447.82, 8);
    // Trough of the day: close 4200.74 at 19:04.
    expect(state.trough).toBeCloseTo(10000 + 2 * (4200.74 - 4261.48), 8);
    expect(state.maxDrawdown).toBeCloseTo((10447.82 - 9878.52) / 10447.82, 10);

    // In reducing: an entry is denied; close, partial close and a stop tightening pass.
    const ctx = DEFAULT_RISK_CONTEXT;
    const now = Date.UTC(2017, 7, 17, 20);
    expect(checkAction(state, open, ctx, now)).toEqual({
      allowed: false,
      rule: 'trading_state',
      reason: 'trading state reducing: only close, partial close and stop tightening pass (open BTCUSD)',
    });
    expect(checkAction(state, close, ctx, now)).toEqual({ allowed: true });
    expect(checkAction(state, partial, ctx, now)).toEqual({ allowed: true });
    expect(checkAction(state, tighten, ctx, now)).toEqual({ allowed: true });
    expect(checkAction(state, widen, ctx, now).allowed).toBe(false);
    expect(checkAction(state, moveTp, ctx, now).allowed).toBe(false);
    expect(checkAction(state, { ...open, kind: 'hedge', side: 'sell' }, ctx, now).allowed).toBe(false);

    // Next UTC session: back to active, peak reset to the first equity of the day.
    const r = updateEquity(state, 9900, Date.UTC(2017, 7, 18, 0, 1));
    expect(r.transition).toEqual({
      from: 'reducing',
      to: 'active',
      reason: 'new session 2017-08-18T00:00:00.000Z: drawdown reset',
      at: Date.UTC(2017, 7, 18, 0, 1),
    });
    expect(r.state).toMatchObject({ tradingState: 'active', peak: 9900, drawdown: 0, maxDrawdown: 0 });
    expect(checkAction(r.state, open, ctx, Date.UTC(2017, 7, 18, 0, 1))).toEqual({ allowed: true });
  });

  it('the limit is configurable: 6% is never reached on this path (max 5.45%)', () => {
    let state = initialEquityGuardState();
    let flips = 0;
    for (const { at, equity } of equityPath()) {
      const r = updateEquity(state, equity, at, { maxDrawdown: 0.06, sessionStartMinuteUtc: 0 });
      state = r.state;
      if (r.transition) flips++;
    }
    expect(flips).toBe(0);
    expect(state.tradingState).toBe('active');
  });

  it('never lifts halted', () => {
    const halted = { ...initialEquityGuardState('halted') };
    const r = updateEquity(halted, 100, Date.UTC(2017, 7, 17));
    expect(r.state.tradingState).toBe('halted');
    expect(r.transition).toBeNull();
    expect(checkAction(r.state, tighten, DEFAULT_RISK_CONTEXT, 0).allowed).toBe(false);
    expect(checkAction(r.state, close, DEFAULT_RISK_CONTEXT, 0)).toEqual({ allowed: true });
  });
});
