import { defineTool } from '../../defineTool.js';
import { positionVolumeInput, submitPositionVolume, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to open an opposite position against an open one (a hedge); executes only after approval. */
export const hedgePosition = defineTool({
  name: 'hedge_position',
  title: 'Hedge a position (needs human approval)',
  description: 'Requests an opposite market position against an open position (full volume by default), kept as a separate ticket.' + WRITE_NOTE,
  input: positionVolumeInput('Position ticket to hedge (see get_positions)', 'Hedge volume in lots; omit for the position volume'),
  output: writeOutput,
  annotations: writeAnnotations(true, false),
  scope: 'write',
  handler: submitPositionVolume('hedge_position', 'hedge'),
});
