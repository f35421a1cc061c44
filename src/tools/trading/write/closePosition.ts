import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to close an open position in full or in part; executes only after approval (may be pre-approved by config: it reduces exposure). */
export const closePosition = defineTool({
  name: 'close_position',
  title: 'Close a position (needs human approval)',
  description: 'Requests closing an open position, fully or partially (volume).' + WRITE_NOTE,
  input: z.object({
    ticket: z.string().min(1).max(40).describe('Position ticket (see get_positions)'),
    volume: z.number().positive().optional().describe('Volume to close in lots; omit to close all of it'),
  }),
  output: writeOutput,
  annotations: writeAnnotations(true, true),
  scope: 'write',
  handler: (a, ctx, call) => submitWrite('close_position', { kind: 'close_position', ticket: a.ticket, volume: a.volume ?? null }, `close ${a.ticket}`, ctx, call),
});
