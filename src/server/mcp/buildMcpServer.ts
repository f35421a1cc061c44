import { McpServer } from '@modelcontextprotocol/server';
import { UtpError } from '../../core/index.js';
import type { ToolCall, ToolContext, ToolDefinition } from '../../tools/index.js';

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
 * text says what was wrong and what is valid.
 */
export function buildMcpServer(tools: readonly ToolDefinition[], ctx: ToolContext, info: ServerInfo): McpServer {
  const server = new McpServer(
    { name: info.name, version: info.version },
    { capabilities: { tools: {} }, instructions: SERVER_INSTRUCTIONS },
  );
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
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
  return server;
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
