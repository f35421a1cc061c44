import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to change the stop loss and/or take profit of an open position; executes only after approval (a tighter stop may be pre-approved by config). */
export const modifyPosition = defineTool({
  name: 'modify_position',
  title: 'Modify SL/TP of a position (needs human approval)',
  description: 'Requests new stop loss and/or take profit levels for an open position (omitted = unchanged, null = remove).' + WRITE_NOTE,
  input: z.object({
    ticket: z.string().min(1).max(40).describe('Position ticket (see get_positions)'),
    sl: z.number().positive().nullable().optional().describe('New stop loss; null removes it; omit to keep it'),
    tp: z.number().positive().nullable().optional().describe('New take profit; null removes it; omit to keep it'),
  }),
  output: writeOutput,
  annotations: writeAnnotations(true, true),
  scope: 'write',
  handler: (a, ctx, call) =>
    submitWrite(
      'modify_position',
      { kind: 'modify_position', ticket: a.ticket, ...(a.sl === undefined ? {} : { sl: a.sl }), ...(a.tp === undefined ? {} : { tp: a.tp }) },
      `modify ${a.ticket}`,
      ctx,
      call,
    ),
});
