import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { READ_ONLY_TRADING } from './shared.js';
import { TRADING_NOT_WIRED } from './view.js';

/** Exit plans of the intelligent-exits engine, when it is wired. */
export const getExitPlans = defineTool({
  name: 'get_exit_plans',
  title: 'Exit plans',
  description:
    'Exit plans of the intelligent-exits engine per managed position (ATR trailing distance scaled by volatility, partial plan, time stop). ' +
    'Answers an empty list with a reason when the exits engine is not wired in this server.',
  input: z.object({ ticket: z.string().min(1).max(64).optional().describe('Position ticket; omit for every managed position') }),
  output: z.object({
    available: z.boolean().describe('False when trading or the exits engine is not wired'),
    reason: z.string().nullable().describe('Why there are no plans, null when there are'),
    plans: z
      .array(z.object({ ticket: z.string().describe('Position ticket'), plan: z.record(z.string(), z.unknown()).nullable().describe('The plan, null when the engine has none for it') }))
      .describe('Exit plans'),
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (args, ctx) => {
    const t = ctx.trading;
    if (!t) return { available: false, reason: TRADING_NOT_WIRED, plans: [] };
    const plans = t.exitPlans(args.ticket);
    if (plans === null) return { available: false, reason: 'the intelligent-exits engine is not wired in this server: DTMS alone manages positions', plans: [] };
    return { available: true, reason: null, plans: plans.map((p) => ({ ticket: p.ticket, plan: p.plan === null ? null : { ...p.plan } })) };
  },
});
