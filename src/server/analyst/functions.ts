import type { ChatCompletionFunctionTool } from 'openai/resources/chat/completions';

/** The part of an MCP `tools/list` entry the analyst uses. */
export type McpToolInfo = Readonly<{
  name: string;
  title?: string;
  description?: string;
  inputSchema: Readonly<Record<string, unknown>>;
  annotations?: Readonly<{ readOnlyHint?: boolean; destructiveHint?: boolean }>;
}>;

/** The part of an MCP `tools/call` result the analyst reads. */
export type McpToolResult = Readonly<{
  content?: readonly Readonly<{ type: string; text?: string }>[];
  structuredContent?: Readonly<Record<string, unknown>>;
  isError?: boolean;
}>;

/** The functions one analyst run offers the model, split by kind. */
export type OfferedTools = Readonly<{
  /** OpenAI function tools, one per offered MCP tool, in the server's order. */
  functions: ChatCompletionFunctionTool[];
  /** Offered tools the server marks read-only (`readOnlyHint: true`). */
  readOnly: readonly string[];
  /** Offered write tools (only with `allowWrites`; the server serves them only when its writes are enabled). */
  write: readonly string[];
  /** Listed write tools not offered because the analyst runs without `allowWrites`. */
  withheld: readonly string[];
}>;

/**
 * Turns the server's tool list into OpenAI function definitions: function
 * name = tool name (UTP names are snake_case, OpenAI-safe), parameters = the
 * tool's input JSON Schema (without the `$schema` dialect key, which some
 * OpenAI-compatible servers reject), description = title and description.
 * Read-only tools (MCP `readOnlyHint: true`; a missing hint means "may write",
 * as the MCP spec defines) are always offered; write tools only when
 * `allowWrites` is set, and the server then still answers them with a
 * pending approval rather than acting.
 */
export function offerTools(tools: readonly McpToolInfo[], options: Readonly<{ allowWrites: boolean }>): OfferedTools {
  const functions: ChatCompletionFunctionTool[] = [];
  const readOnly: string[] = [];
  const write: string[] = [];
  const withheld: string[] = [];
  for (const tool of tools) {
    const isReadOnly = tool.annotations?.readOnlyHint === true;
    if (!isReadOnly && !options.allowWrites) {
      withheld.push(tool.name);
      continue;
    }
    (isReadOnly ? readOnly : write).push(tool.name);
    functions.push({
      type: 'function',
      function: {
        name: tool.name,
        description: describe(tool, isReadOnly),
        parameters: functionParameters(tool.inputSchema),
      },
    });
  }
  return { functions, readOnly, write, withheld };
}

/** A tool's input JSON Schema as OpenAI function parameters: the same schema without its `$schema` key. */
export function functionParameters(inputSchema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = inputSchema;
  return rest;
}

function describe(tool: McpToolInfo, isReadOnly: boolean): string {
  const text = [tool.title, tool.description].filter((s): s is string => typeof s === 'string' && s !== '').join(': ');
  return isReadOnly ? text : `${text} (WRITE: files a request a human must approve; the answer is the pending request, not an execution)`;
}

/**
 * The `tool` message content for one MCP result: the structured output as
 * JSON when the server gave one, else the text blocks; a failed call
 * (`isError`) becomes `{"error": "<what the server said>"}` so the model can
 * tell a failure from data.
 */
export function toolMessageContent(result: McpToolResult): string {
  const text = (result.content ?? [])
    .filter((c) => c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text as string)
    .join('\n');
  if (result.isError) return JSON.stringify({ error: text || 'the tool call failed without a message' });
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return text;
}

/** The `tool` message content for a call the analyst refused before reaching the server. */
export function toolErrorContent(message: string): string {
  return JSON.stringify({ error: message });
}
