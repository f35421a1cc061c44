import { McpServer } from '@modelcontextprotocol/server';
import { registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import { UtpError } from '../../core/index.js';
import { CHART_RESOURCE_URI } from '../../tools/charts/showChart.js';
import type { ToolCall, ToolContext, ToolDefinition } from '../../tools/index.js';
import { registerChartApp } from '../ui/chartPage.js';
import { registerPrompts } from './prompts.js';
import { registerResources, type ResourceOptions } from './resources.js';

/** Name and version the server announces. */
export type ServerInfo = Readonly<{ name: string; version: string }>;

/** Instructions the server hands to the model on connect. */
export const SERVER_INSTRUCTIONS =
  'UTP serves live and recorded market data (Binance and MetaTrader 5) for BTCUSD, XAUUSD and GBPJPY. ' +
  'Every market answer carries asOf (venue time), ageMs (how old the data is), sources and gap flags: check them before reasoning on prices. ' +
  'Tools are read-only unless the operator enabled writes; any write needs a human approval outside this conversation.';

/**
 * Builds an MCP server exposing the given tool definitions. Each call gives
 * both a `structuredContent` object (validated against the output schema) and
 * the same JSON as a text block for clients that ignore structured content.
 * A domain error (unknown symbol, bad cursor) becomes an `isError` result whose
 * text says what was wrong and what is valid. Besides the tools it serves the
 * `utp://` resources (read through the same tool handlers), the prompts, and,
 * when `show_chart` is among the tools, its MCP App view `ui://utp/chart.html`.
 */
export function buildMcpServer(tools: readonly ToolDefinition[], ctx: ToolContext, info: ServerInfo, options: McpSurfaceOptions = {}): McpServer {
  const server = new McpServer(
    { name: info.name, version: info.version },
    { capabilities: { tools: {}, resources: { subscribe: true, listChanged: false }, prompts: { listChanged: false } }, instructions: SERVER_INSTRUCTIONS },
  );
  for (const tool of tools) {
    // A tool with an MCP App view (`_meta.ui.resourceUri`) is registered through the ext-apps helper, which also sets the legacy `ui/resourceUri` key.
    const register = isApp(tool) ? registerAppTool.bind(null, server) : server.registerTool.bind(server);
    (register as (name: string, config: Record<string, unknown>, cb: unknown) => unknown)(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
        ...(tool.meta ? { _meta: { ...tool.meta } } : {}),
      },
      (async (args: unknown, extra: McpCallContext) => {
        try {
          const output = (await tool.handler(args as never, ctx, toolCall(server, extra))) as Record<string, unknown>;
          return { content: [{ type: 'text' as const, text: JSON.stringify(output) }], structuredContent: output };
        } catch (error) {
          return { content: [{ type: 'text' as const, text: describeError(error) }], isError: true };
        }
      }) as never,
    );
  }
  if (tools.some((t) => isApp(t) && (t.meta?.ui as { resourceUri?: string }).resourceUri === CHART_RESOURCE_URI)) registerChartApp(server);
  registerResources(server, ctx, options);
  registerPrompts(server);
  return server;
}

/**
 * What a server instance serves besides the tools. `notifier` is given only
 * for persistent connections (stdio), with the era of the connection, so
 * resource subscriptions get their update notifications.
 */
export type McpSurfaceOptions = ResourceOptions;

function isApp(tool: ToolDefinition): boolean {
  const ui = tool.meta?.ui as { resourceUri?: unknown } | undefined;
  return typeof ui?.resourceUri === 'string';
}

/** The message a caller sees for a failed tool call. */
export function describeError(error: unknown): string {
  if (error instanceof UtpError) return `${error.code}: ${error.message}`;
  return `internal_error: ${(error as Error)?.message ?? String(error)}`;
}

/** The part of the SDK's per-request context a tool call uses. */
type McpCallContext = Readonly<{
  sessionId?: string;
  mcpReq: Readonly<{
    _meta?: Readonly<{ progressToken?: string | number }>;
    signal: AbortSignal;
    notify: (notification: { method: string; params?: Record<string, unknown> }) => Promise<void>;
    elicitInput: (params: { mode?: 'form'; message: string; requestedSchema: Record<string, unknown> }) => Promise<{ action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> }>;
  }>;
}>;

/**
 * Translates the SDK's request context into the transport-neutral `ToolCall`:
 * progress only when the client sent a progress token, confirmation only when
 * the client declared the elicitation capability on this connection.
 */
export function toolCall(server: McpServer, extra: McpCallContext | undefined): ToolCall {
  if (!extra) return {};
  const token = extra.mcpReq._meta?.progressToken;
  const canElicit = server.server.getClientCapabilities()?.elicitation !== undefined;
  return {
    ...(extra.sessionId ? { sessionId: extra.sessionId } : {}),
    signal: extra.mcpReq.signal,
    ...(token !== undefined
      ? {
          progress: (progress: number, total?: number, message?: string) =>
            extra.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken: token, progress, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) },
            }),
        }
      : {}),
    ...(canElicit
      ? {
          confirm: async (message: string, schema: Readonly<Record<string, unknown>>) => {
            const answer = await extra.mcpReq.elicitInput({ mode: 'form', message, requestedSchema: schema as Record<string, unknown> });
            return { action: answer.action, ...(answer.content ? { content: answer.content } : {}) };
          },
        }
      : {}),
  };
}
