import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import { buildMcpServer, describeError, type ServerInfo } from '../mcp/buildMcpServer.js';
import { checkBearer, checkHostAndOrigin, hostnameOf, LOOPBACK_HOSTS } from './guards.js';

/** Options of the HTTP front door. */
export type HttpAppOptions = Readonly<{
  host: string;
  port: number;
  token: string | null;
  allowedHosts: readonly string[];
  /** Extra browser origins (hostnames) allowed besides loopback, e.g. an MCP App host. */
  allowedOrigins?: readonly string[];
  tools: readonly ToolDefinition[];
  ctx: ToolContext;
  info: ServerInfo;
  onError: (error: Error) => void;
  /** Extra routes (admin endpoint, chart page, API extensions), tried in order after the guards and before the 404. */
  routes?: readonly HttpRoute[];
}>;

/**
 * An extra route. `match` sees the path without the query string; `handle`
 * answers the request. Routes that need their own auth (the admin endpoint)
 * set `ownAuth: true` and are exempt from the MCP bearer check (never from
 * the Host/Origin guard).
 */
export type HttpRoute = Readonly<{
  match: (path: string, method: string) => boolean;
  handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  ownAuth?: boolean;
}>;

/** A running HTTP server. */
export type HttpApp = Readonly<{ url: string; port: number; close(): Promise<void> }>;

const MAX_BODY = 1 << 20;

/**
 * The HTTP front door: MCP Streamable HTTP at `/mcp` (2026-07-28 and 2025-era
 * clients), the same tools as plain JSON at `/api/tools/<name>`, and `/health`.
 * Every request passes the Host/Origin guard, then the bearer check when a
 * token is configured.
 */
export async function startHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const mcp = createMcpHandler(() => buildMcpServer(options.tools, options.ctx, options.info), { onerror: options.onError });
  const mcpNode = toNodeHandler(mcp);
  const allowed = [...LOOPBACK_HOSTS, ...options.allowedHosts.map((h) => h.toLowerCase())];
  const origins = [...allowed, ...(options.allowedOrigins ?? []).map((o) => hostnameOf(o) ?? o.toLowerCase())];
  const server = http.createServer((req, res) => {
    if (!checkHostAndOrigin(req, res, allowed, origins)) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = options.routes?.find((r) => r.match(path, req.method ?? 'GET'));
    if (!route?.ownAuth && !checkBearer(req, res, options.token)) return;
    if (route) {
      void Promise.resolve(route.handle(req, res)).catch((error: Error) => {
        options.onError(error);
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      });
      return;
    }
    if (path === '/mcp') {
      void Promise.resolve(mcpNode(req, res)).catch((error: Error) => {
        options.onError(error);
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      });
      return;
    }
    if (path === '/health') return json(res, 200, { ok: true, name: options.info.name, version: options.info.version });
    if (path.startsWith('/api/tools/')) return void handleRest(req, res, decodeURIComponent(path.slice('/api/tools/'.length)), options);
    if (path === '/api/tools') return json(res, 200, { tools: options.tools.map((t) => ({ name: t.name, title: t.title, description: t.description })) });
    json(res, 404, { error: `no route ${path}; MCP is at /mcp` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close: async () => {
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleRest(req: IncomingMessage, res: ServerResponse, name: string, options: HttpAppOptions): Promise<void> {
  const tool = options.tools.find((t) => t.name === name);
  if (!tool) return json(res, 404, { error: `unknown tool "${name}"; tools: ${options.tools.map((t) => t.name).join(', ')}` });
  if (req.method !== 'POST' && req.method !== 'GET') return json(res, 405, { error: 'use GET with query parameters or POST with a JSON body' });
  let args: unknown = {};
  try {
    args = req.method === 'POST' ? await readJson(req) : queryArgs(req.url ?? '');
  } catch (error) {
    return json(res, 400, { error: (error as Error).message });
  }
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    return json(res, 400, { error: 'invalid arguments', issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) });
  }
  try {
    json(res, 200, await tool.handler(parsed.data as never, options.ctx));
  } catch (error) {
    json(res, 400, { error: describeError(error) });
  }
}

function queryArgs(url: string): Record<string, unknown> {
  const params = new URL(url, 'http://x').searchParams;
  const out: Record<string, unknown> = {};
  for (const [key, value] of params) out[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  return out;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
