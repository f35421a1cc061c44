import { serveStdio, type StdioServerHandle } from '@modelcontextprotocol/server/stdio';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import { buildMcpServer, type ServerInfo } from './buildMcpServer.js';

/** Serves the tools over MCP stdio (both protocol eras), as Claude Desktop and local agents launch it. */
export function serveMcpStdio(tools: readonly ToolDefinition[], ctx: ToolContext, info: ServerInfo, onError: (e: Error) => void): StdioServerHandle {
  return serveStdio(() => buildMcpServer(tools, ctx, info), { onerror: onError });
}
