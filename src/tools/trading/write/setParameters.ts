import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks for a change of the DTMS, exits or risk parameters; validated first, applied as a new version only after approval. */
export const setParameters = defineTool({
  name: 'set_parameters',
  title: 'Change trading parameters (needs human approval)',
  description:
    'Requests a change of the DTMS, exits or risk parameters (a partial object with sections dtms, exits, risk; see get_parameters). ' +
    'It is validated first (schema, then a dry run over recent recorded data); once approved it becomes a new parameter version, rolled back automatically if its health check fails.' +
    WRITE_NOTE,
  input: z.object({
    changes: z.record(z.string(), z.unknown()).describe('Partial parameter set, e.g. {"dtms":{"atrTrailK":3}}'),
    reason: z.string().min(1).max(500).describe('Why the change is wanted (kept with the version)'),
  }),
  output: writeOutput,
  annotations: writeAnnotations(true, false),
  scope: 'write',
  handler: (a, ctx, call) => submitWrite('set_parameters', { kind: 'set_parameters', changes: a.changes, reason: a.reason }, `change parameters: ${a.reason}`, ctx, call),
});
