import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { modesOutput, READ_ONLY_TRADING } from './shared.js';
import { isoOrNull, TRADING_NOT_WIRED } from './view.js';

/** Trading state, session drawdown, next news blackout and volatility gating. */
export const getRiskStatus = defineTool({
  name: 'get_risk_status',
  title: 'Risk status',
  description:
    'The risk framework: trading state (active; reducing = only closes, partial closes and stop tightening pass, entered at a 3% session drawdown ' +
    'peak to trough on floating equity; halted), current and max session drawdown, the news blackout in force or next (high-impact events from the calendar), ' +
    'volatility gating (M1 entry logic paused in calm markets) with the latest volatility state per symbol, the last state change, the trading mode per symbol and the event-loop delay.',
  input: z.object({}),
  output: z.object({
    available: z.boolean().describe('False when trading is not wired in this server'),
    reason: z.string().nullable().describe('Why nothing is available, null when it is'),
    tradingState: z.string().nullable().describe('active, reducing or halted'),
    drawdown: z.number().nullable().describe('Session drawdown now, fraction of the session peak equity (0.03 = 3%)'),
    maxDrawdown: z.number().nullable().describe('Deepest session drawdown so far, fraction'),
    peakEquity: z.number().nullable().describe('Session peak equity'),
    nextBlackout: z
      .object({
        start: z.string().describe('Blackout start, ISO 8601 UTC'),
        end: z.string().describe('Blackout end, ISO 8601 UTC'),
        event: z.string().describe('Event title'),
        kind: z.string().describe('NFP, CPI, FOMC...'),
        currency: z.string().describe('Currency of the event'),
      })
      .nullable()
      .describe('Blackout in force or next to come; null when none (or no calendar is configured)'),
    gating: z.object({ enabled: z.boolean().describe('Whether gating is on'), pausedStates: z.array(z.string()).describe('Volatility states that pause M1 entry logic') }).nullable().describe('Volatility gating'),
    volatility: z.record(z.string(), z.string()).describe('Latest M5 volatility state per symbol'),
    lastTransition: z
      .object({ from: z.string().describe('State before'), to: z.string().describe('State after'), reason: z.string().describe('Why it changed'), at: z.string().describe('When, ISO 8601 UTC') }).nullable().describe('Last trading state change'),
    modes: modesOutput,
    eventLoopDelayMs: z
      .object({ p50: z.number().describe('Median delay, ms'), p99: z.number().describe('99th percentile delay, ms'), max: z.number().describe('Largest delay, ms') }).nullable().describe('Event-loop delay since start, ms (null before any sample)'),
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (_args, ctx) => {
    const t = ctx.trading;
    if (!t) {
      return { available: false, reason: TRADING_NOT_WIRED, tradingState: null, drawdown: null, maxDrawdown: null, peakEquity: null, nextBlackout: null, gating: null, volatility: {}, lastTransition: null, modes: {}, eventLoopDelayMs: null };
    }
    const s = t.riskStatus();
    const b = s.nextBlackout;
    const l = t.loop();
    return {
      available: true,
      reason: null,
      tradingState: s.tradingState,
      drawdown: s.drawdown,
      maxDrawdown: s.maxDrawdown,
      peakEquity: s.peak,
      nextBlackout: b ? { start: isoOrNull(b.start) ?? '', end: isoOrNull(b.end) ?? '', event: b.event.title, kind: b.event.kind, currency: b.event.currency } : null,
      gating: { enabled: s.gating.enabled, pausedStates: [...s.gating.pausedStates] },
      volatility: { ...s.volatility },
      lastTransition: s.lastTransition ? { from: s.lastTransition.from, to: s.lastTransition.to, reason: s.lastTransition.reason, at: isoOrNull(s.lastTransition.at) ?? '' } : null,
      modes: { ...t.modes() },
      eventLoopDelayMs: l ? { p50: l.p50Ms, p99: l.p99Ms, max: l.maxMs } : null,
    };
  },
});
