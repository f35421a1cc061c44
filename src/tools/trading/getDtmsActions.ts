import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { READ_ONLY_TRADING } from './shared.js';
import { isoOrNull, TRADING_NOT_WIRED } from './view.js';

/** Most journal rows one answer holds. */
export const MAX_DTMS_ACTIONS = 500;

/** The trade-management journal: actions taken, declined, denied, deferred or shadowed. */
export const getDtmsActions = defineTool({
  name: 'get_dtms_actions',
  title: 'DTMS action journal',
  description:
    'The trade-management journal (dtms_actions), oldest first: every DTMS and coordinator decision with its outcome (sent, shadow, declined, denied by risk, ' +
    'rejected by the venue, deferred, recorded), reason, phase before and after, and the data that triggered it. Optionally of one ticket and the last hoursBack hours (by market time).',
  input: z.object({
    ticket: z.string().min(1).max(80).optional().describe('Position ticket (or entry:<key> for entry requests); omit for every position'),
    hoursBack: z.number().positive().max(24 * 365).optional().describe('Only decisions of the last hours before now; omit for all'),
    limit: z.number().int().min(1).max(MAX_DTMS_ACTIONS).default(100).describe(`Most rows, the latest ones (1-${MAX_DTMS_ACTIONS}, default 100)`),
  }),
  output: z.object({
    available: z.boolean().describe('False when trading is not wired in this server'),
    reason: z.string().nullable().describe('Why nothing is available, null when it is'),
    actions: z
      .array(
        z.object({
          ticket: z.string().describe('Position ticket'),
          symbol: z.string().describe('Canonical symbol'),
          action: z.string().describe('modify_sl, partial_close, close, hedge, open, enroll or closed_at_venue'),
          outcome: z.string().describe('sent, shadow, declined, denied, rejected, deferred or recorded'),
          reason: z.string().describe('Why, in words'),
          stateFrom: z.string().nullable().describe('DTMS phase before the decision'),
          stateTo: z.string().nullable().describe('DTMS phase after the decision'),
          data: z.record(z.string(), z.unknown()).describe('Data behind the decision (rule, value, price, ATR, R progress, retcode...)'),
          at: z.string().describe('Market time of the decision, ISO 8601 UTC'),
        }),
      )
      .describe('Journal rows, oldest first'),
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (args, ctx) => {
    const t = ctx.trading;
    if (!t) return { available: false, reason: TRADING_NOT_WIRED, actions: [] };
    const from = args.hoursBack === undefined ? undefined : ctx.clock.now() - args.hoursBack * 3_600_000;
    const rows = t.dtmsActions({ ...(args.ticket === undefined ? {} : { ticket: args.ticket }), ...(from === undefined ? {} : { from }), limit: args.limit });
    const actions = rows.map((r) => ({ ticket: r.ticket, symbol: r.symbol, action: r.action, outcome: r.outcome, reason: r.reason, stateFrom: r.stateFrom, stateTo: r.stateTo, data: { ...r.data }, at: isoOrNull(r.tsEvent) ?? '' }));
    return { available: true, reason: null, actions };
  },
});
