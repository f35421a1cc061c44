import * as z from 'zod';
import type { ToolDefinition } from './defineTool.js';

/** The public contract of one tool as JSON: what `schemas/tools/<name>.json` holds. */
export function toolContract(tool: ToolDefinition): Record<string, unknown> {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    scope: tool.scope,
    annotations: tool.annotations,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12' }),
    outputSchema: z.toJSONSchema(tool.output, { io: 'output', target: 'draft-2020-12' }),
  };
}

/** Serialises a contract the way the generated files are written (stable, newline-terminated). */
export function contractText(tool: ToolDefinition): string {
  return `${JSON.stringify(toolContract(tool), null, 2)}\n`;
}
