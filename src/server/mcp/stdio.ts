import type { Transport } from '@modelcontextprotocol/server';
import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import { buildMcpServer, type ServerInfo } from './buildMcpServer.js';
import type { ResourceNotifier } from './resources.js';

/**
 * Serves the tools, resources and prompts over MCP stdio (both protocol eras),
 * as Claude Desktop and local agents launch it. With a `notifier`, resource
 * subscriptions of the connection get coalesced update notifications;
 * `transport` replaces the process's stdio (tests, sockets).
 */
export function serveMcpStdio(
  tools: readonly ToolDefinition[],
  ctx: ToolContext,
  info: ServerInfo,
  onError: (e: Error) => void,
  options: Readonly<{ notifier?: ResourceNotifier; transport?: Transport }> = {},
): StdioServerHandle {
  const notifier = options.notifier;
  return serveStdio((request) => buildMcpServer(tools, ctx, info, notifier ? { notifier, era: request.era } : {}), {
    onerror: onError,
    ...(options.transport ? { transport: options.transport } : {}),
  });
}
