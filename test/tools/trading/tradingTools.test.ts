/**
 * The read-only trading tools over the real stack: scenario A of the
 * coordinator tests (recorded BTCUSDT M5 of 2024-03-14, paper venue, journal
 * in SQLite) stopped at 02:40, read through each tool; and the answers when
 * trading is not wired.
 */
import { describe, expect, it } from 'vitest';
import { getAccount, getDtmsActions, getDtmsStatus, getExitPlans, getPositions, getRiskStatus, TRADING_NOT_WIRED, type ToolContext, type ToolDefinition } from '../../../src/tools/index.js';
import { tradingView } from '../../../src/server/compose.js';
import { createTradingDesk } from '../../../src/engines/coordinator/index.js';
import { BARS, at } from '../../engines/coordinator/harness.js';
import { scenarioATrading } from './scenarioA.js';

async function call(t: unknown, args: unknown, ctx: Partial<ToolContext>): Promise<Record<string, any>> {
  const tool = t as ToolDefinition;
  const out = await tool.handler(tool.input.parse(args) as never, ctx as ToolContext);
  return tool.output.parse(out) as Record<string, any>;
}

async function wired(): Promise<{ ctx: Partial<ToolContext>; close: () => void }> {
  const { view, clock, close } = await scenarioATrading();
  return { ctx: { clock, trading: view }, close };
}

describe('trading tools on the scenario A position at 02:39:59.999', () => {
  it('get_positions and get_account: half closed at the partial, stop at the last trail, profit at the 02:35 close', async () => {
    const { ctx, close } = await wired();
    const close235 = BARS.find((b) => b.closeTime === at(2, 39))!.candle.close;
    const pos = await call(getPositions, {}, ctx);
    expect(pos.positions).toEqual([
      { ticket: 'P1', symbol: 'BTCUSD', side: 'buy', volume: 0.5, openPrice: 72632, openTime: '2024-03-14T01:04:59.999Z', sl: 72806.98, tp: null, profit: Number((0.5 * (close235 - 72632)).toFixed(2)), dtmsState: 'partial_taken' },
    ]);
    const acc = await call(getAccount, {}, ctx);
    expect(acc).toMatchObject({ available: true, venue: 'paper', currency: 'USD', balance: 10240.86, modes: { BTCUSD: 'replay' } });
    close();
  });

  it('get_dtms_status, get_dtms_actions, get_exit_plans and get_risk_status', async () => {
    const { ctx, close } = await wired();
    const st = await call(getDtmsStatus, { ticket: 'P1' }, ctx);
    expect(st.positions[0]).toMatchObject({ ticket: 'P1', phase: 'partial_taken', sl: 72806.98, volume: 0.5, targetsTaken: 1, initialSl: 72416.58 });
    expect((await call(getDtmsStatus, { ticket: 'X' }, ctx)).reason).toBe('ticket X is not managed by DTMS');
    const acts = await call(getDtmsActions, { ticket: 'P1', hoursBack: 0.25 }, ctx);
    // The last 15 minutes (from 02:24:59.999 inclusive): a trail, the partial, the deferred trail and its reconciliation.
    expect(acts.actions.map((a: any) => [a.action, a.outcome, a.at])).toEqual([
      ['modify_sl', 'sent', '2024-03-14T02:24:59.999Z'],
      ['modify_sl', 'deferred', '2024-03-14T02:29:59.999Z'],
      ['partial_close', 'sent', '2024-03-14T02:29:59.999Z'],
      ['modify_sl', 'sent', '2024-03-14T02:34:59.999Z'],
    ]);
    expect(await call(getExitPlans, {}, ctx)).toEqual({ available: false, reason: 'the intelligent-exits engine is not wired in this server: DTMS alone manages positions', plans: [] });
    const risk = await call(getRiskStatus, {}, ctx);
    // Session peak and drawdown as fed by the coordinator's equity readings (balance + floating at each decision).
    expect(risk.peakEquity).toBeGreaterThan(10240.86);
    expect(risk.drawdown).toBeCloseTo((risk.peakEquity - (await call(getAccount, {}, ctx)).equity) / risk.peakEquity, 12);
    expect(risk).toMatchObject({ available: true, tradingState: 'active', nextBlackout: null, gating: { enabled: true, pausedStates: ['calm'] }, modes: { BTCUSD: 'replay' } });
    close();
  });

  it('every trading tool says so when trading is not wired', async () => {
    for (const tool of [getAccount, getPositions, getDtmsStatus, getDtmsActions, getExitPlans, getRiskStatus] as unknown[]) {
      const out = await call(tool, {}, { clock: { now: () => 0 } as never });
      expect(out).toMatchObject({ available: false, reason: TRADING_NOT_WIRED });
    }
  });

  it('the server view reads the desk (modes as configured)', () => {
    const desk = createTradingDesk({ clock: { now: () => 0 } as never, bus: { subscribe: () => () => {}, publish: () => {} } as never, symbols: [], modeOf: () => 'paper', calendar: [], balance: 500, currency: 'EUR' });
    const view = tradingView(desk, { query: () => [] } as never, ['BTCUSD', 'XAUUSD'], (s) => (s === 'XAUUSD' ? 'shadow' : 'paper'));
    expect(view.modes()).toEqual({ BTCUSD: 'paper', XAUUSD: 'shadow' });
    expect(view.account()).toMatchObject({ balance: 500, equity: 500, currency: 'EUR' });
    // The desk wires the intelligent-exits engine by default (no managed position yet: no plans); exits: null leaves DTMS alone.
    expect(view.exitPlans()).toEqual([]);
    const alone = createTradingDesk({ clock: { now: () => 0 } as never, bus: { subscribe: () => () => {}, publish: () => {} } as never, symbols: [], modeOf: () => 'paper', calendar: [], balance: 500, currency: 'EUR', exits: null });
    expect(tradingView(alone, { query: () => [] } as never, [], () => 'paper').exitPlans()).toBeNull();
  });
});
