import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to put an open position (with a stop) under DTMS and the exits engine; executes only after approval. */
export const enrollPosition = defineTool({
  name: 'enroll_position',
  title: 'Put a position under DTMS (needs human approval)',
  description: 'Requests that DTMS and the exits engine manage an open position; it needs a stop loss (it defines R).' + WRITE_NOTE,
  input: z.object({ ticket: z.string().min(1).max(40).describe('Position ticket (see get_positions)') }),
  output: writeOutput,
  annotations: writeAnnotations(false, true),
  scope: 'write',
  handler: (a, ctx, call) => submitWrite('enroll_position', { kind: 'enroll_position', ticket: a.ticket }, `enroll ${a.ticket}`, ctx, call),
});
