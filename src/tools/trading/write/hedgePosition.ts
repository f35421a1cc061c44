import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to open an opposite position against an open one (a hedge); executes only after approval. */
export const hedgePosition = defineTool({
  name: 'hedge_position',
  title: 'Hedge a position (needs human approval)',
  description: 'Requests an opposite market position against an open position (full volume by default), kept as a separate ticket.' + WRITE_NOTE,
  input: z.object({
    ticket: z.string().min(1).max(40).describe('Position ticket to hedge (see get_positions)'),
    volume: z.number().positive().optional().describe('Hedge volume in lots; omit for the position volume'),
  }),
  output: writeOutput,
  annotations: writeAnnotations(true, false),
  scope: 'write',
  handler: (a, ctx, call) => submitWrite('hedge_position', { kind: 'hedge_position', ticket: a.ticket, volume: a.volume ?? null }, `hedge ${a.ticket}`, ctx, call),
});
