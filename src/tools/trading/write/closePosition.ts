import { defineTool } from '../../defineTool.js';
import { positionVolumeInput, submitPositionVolume, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks to close an open position in full or in part; executes only after approval (may be pre-approved by config: it reduces exposure). */
export const closePosition = defineTool({
  name: 'close_position',
  title: 'Close a position (needs human approval)',
  description: 'Requests closing an open position, fully or partially (volume).' + WRITE_NOTE,
  input: positionVolumeInput('Position ticket (see get_positions)', 'Volume to close in lots; omit to close all of it'),
  output: writeOutput,
  annotations: writeAnnotations(true, true),
  scope: 'write',
  handler: submitPositionVolume('close_position', 'close'),
});
