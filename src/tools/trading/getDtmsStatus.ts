import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { dtmsStateOf, dtmsStateOutput, READ_ONLY_TRADING } from './shared.js';
import { TRADING_NOT_WIRED } from './view.js';

/** The DTMS state machine of one or every managed position. */
export const getDtmsStatus = defineTool({
  name: 'get_dtms_status',
  title: 'DTMS status',
  description:
    'Dynamic trade management state of every managed position, or of one ticket (also after it closed): phase (monitoring -> breakeven -> trailing -> ' +
    'partial_taken -> hedged -> closed), entry, R, current DTMS stop, invalidation level, volumes, partial targets taken and the structure swings it trails behind.',
  input: z.object({ ticket: z.string().min(1).max(64).optional().describe('Position ticket; omit for every managed position') }),
  output: z.object({
    available: z.boolean().describe('False when trading is not wired in this server'),
    reason: z.string().nullable().describe('Why nothing is available (or the ticket is unknown), null otherwise'),
    positions: z.array(dtmsStateOutput).describe('DTMS states'),
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (args, ctx) => {
    const t = ctx.trading;
    if (!t) return { available: false, reason: TRADING_NOT_WIRED, positions: [] };
    const states = t.dtmsStates(args.ticket);
    const reason = args.ticket !== undefined && states.length === 0 ? `ticket ${args.ticket} is not managed by DTMS` : null;
    return { available: true, reason, positions: states.map(dtmsStateOf) };
  },
});
