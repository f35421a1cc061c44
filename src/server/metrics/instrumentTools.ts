import type { ToolCall, ToolDefinition } from '../../tools/index.js';
import type { UtpMetrics } from './utpMetrics.js';

/**
 * How a transport label is chosen for a call: a fixed string, or (default)
 * inferred from the call: MCP adapters (stdio and HTTP) always pass a
 * `ToolCall`, the REST adapter passes none.
 */
export type TransportLabel = string | ((call: ToolCall | undefined) => string);

/** The default transport inference: `mcp` when the adapter passed a ToolCall, `rest` otherwise. */
export const inferTransport = (call: ToolCall | undefined): string => (call === undefined ? 'rest' : 'mcp');

/**
 * Wraps tool definitions so every call is timed (monotonic clock of the
 * metrics) into `utp_tool_duration_seconds{tool,transport,outcome}`. The
 * wrapped definitions keep name, schemas, annotations and scope, so the same
 * list is handed to every transport (MCP stdio, MCP HTTP, REST). A failed call
 * is recorded with outcome `error` and rethrown unchanged.
 */
export function instrumentTools(tools: readonly ToolDefinition[], metrics: UtpMetrics, transport: TransportLabel = inferTransport): readonly ToolDefinition[] {
  return tools.map((tool) => instrumentTool(tool, metrics, transport));
}

/** One tool of `instrumentTools`. */
export function instrumentTool(tool: ToolDefinition, metrics: UtpMetrics, transport: TransportLabel = inferTransport): ToolDefinition {
  const handler: ToolDefinition['handler'] = async (args, ctx, call) => {
    const label = typeof transport === 'string' ? transport : transport(call);
    const started = metrics.clock.monotonic();
    const done = (outcome: 'ok' | 'error') => metrics.observeTool(tool.name, label, (metrics.clock.monotonic() - started) / 1000, outcome);
    try {
      const output = await tool.handler(args, ctx, call);
      done('ok');
      return output;
    } catch (error) {
      done('error');
      throw error;
    }
  };
  return { ...tool, handler };
}
