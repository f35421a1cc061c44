import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Clock } from '../../core/index.js';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import type { ResourceNotifier } from '../mcp/resources.js';
import { buildMcpServer, type ServerInfo } from '../mcp/buildMcpServer.js';
import { createUtpMetrics, metricsSourceFromContext, PROMETHEUS_CONTENT_TYPE, type UtpMetrics } from '../metrics/index.js';
import { assertSafeBind, checkBearer, checkHostAndOrigin, deny, hostnameOf, LOOPBACK_HOSTS, presentedToken, tokenMatches } from './guards.js';
import { computeHealth, type HealthOptions } from './health.js';
import { BodyTooLargeError, declaredTooLarge, DEFAULT_HTTP_HARDENING, RateLimiter, readBody, type HttpHardening } from './limits.js';
import { buildOpenApiDocument } from './openapi.js';
import { handleEnhanced, handleToolRequest, sendJson, type RestOptions } from './rest.js';

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
  /** Body limit and per-client rate limit (the config's `httpHardeningSchema`); defaults: 1 MiB, 50/s burst 100. */
  hardening?: HttpHardening;
  /** Metrics served at `/metrics` (pass the same object given to `instrumentTools`); default: built from `ctx`. */
  metrics?: UtpMetrics;
  /** Thresholds and extra components of `/health`. */
  health?: HealthOptions;
  /** Clock of the rate limiter's buckets (monotonic); default `ctx.clock`. */
  clock?: Clock;
  /** Resource change notifications: served to 2026-era clients' `subscriptions/listen` streams through its bus. */
  notifier?: ResourceNotifier;
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

/** True when a peer address is this machine (IPv4 127/8, ::1, or IPv4-mapped 127/8). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Bounded label for the request counter. */
function routeClass(path: string, extra: boolean): string {
  if (extra) return 'extra';
  if (path === '/mcp') return 'mcp';
  if (path === '/health' || path === '/metrics' || path === '/openapi.json') return path.slice(1).replace('.', '_');
  if (path.startsWith('/api/enhanced/')) return 'api_enhanced';
  if (path.startsWith('/api/tools')) return 'api_tools';
  return 'other';
}

/**
 * The HTTP front door: MCP Streamable HTTP at `/mcp` (2026-07-28 and 2025-era
 * clients), the same tools as plain JSON at `/api/tools/<name>` and the plan's
 * `/api/enhanced/...` endpoints, `/health` (200 or 503 per component),
 * `/metrics` (Prometheus) and `/openapi.json`. Refuses to start off loopback
 * without a token. Every request passes, in order: the Host/Origin guard
 * (403), the per-client rate limit (429; loopback `/health` exempt), the
 * bearer check when a token is configured (401; routes with `ownAuth` do their
 * own), and the body limit (413, declared or streamed, `/mcp` included).
 */
export async function startHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  assertSafeBind(options.host, options.token);
  const hardening = options.hardening ?? DEFAULT_HTTP_HARDENING;
  const limit = hardening.bodyLimitBytes;
  const metrics = options.metrics ?? createUtpMetrics(metricsSourceFromContext(options.ctx));
  const limiter = hardening.rateLimit ? new RateLimiter(options.clock ?? options.ctx.clock, hardening.rateLimit.perSecond, hardening.rateLimit.burst) : null;
  const notifier = options.notifier;
  const mcp = createMcpHandler(() => buildMcpServer(options.tools, options.ctx, options.info, notifier ? { notifier } : {}), {
    onerror: options.onError,
    maxRequestBodySize: limit,
    ...(notifier ? { bus: notifier.bus } : {}),
  });
  const mcpNode = toNodeHandler(mcp, { onerror: options.onError, maxRequestBodySize: limit });
  const allowed = [...LOOPBACK_HOSTS, ...options.allowedHosts.map((h) => h.toLowerCase())];
  const origins = [...allowed, ...(options.allowedOrigins ?? []).map((o) => hostnameOf(o) ?? o.toLowerCase())];
  const rest: RestOptions = { tools: options.tools, ctx: options.ctx, bodyLimitBytes: limit, onError: options.onError };
  let openapi: string | null = null;
  const fail = (res: ServerResponse) => (error: unknown) => {
    options.onError(error instanceof Error ? error : new Error(String(error)));
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const route = options.routes?.find((r) => r.match(path, method));
    res.once('finish', () => metrics.httpRequests.inc({ route: routeClass(path, route !== undefined), status: String(res.statusCode) }));
    if (!checkHostAndOrigin(req, res, allowed, origins)) return void metrics.httpRejected.inc({ reason: 'host_origin' });
    if (limiter && !(path === '/health' && isLoopbackAddress(req.socket.remoteAddress))) {
      const verified = options.token !== null && tokenMatches(presentedToken(req), options.token);
      const decision = limiter.take(`${req.socket.remoteAddress ?? '?'}|${verified ? 'token' : '-'}`);
      if (!decision.allowed) {
        metrics.httpRejected.inc({ reason: 'rate_limit' });
        res.setHeader('Retry-After', String(decision.retryAfterSeconds));
        return deny(res, 429, `Too many requests: retry after ${decision.retryAfterSeconds} s`);
      }
    }
    if (!route?.ownAuth && !checkBearer(req, res, options.token)) return void metrics.httpRejected.inc({ reason: 'auth' });
    if (declaredTooLarge(req, limit)) return tooLarge(res, path, limit, metrics);
    if (route) return route.handle(req, res);
    if (path === '/mcp') {
      let forward: IncomingMessage | BufferedRequest = req;
      if (method === 'POST') {
        try {
          forward = buffered(req, await readBody(req, limit));
        } catch (error) {
          if (error instanceof BodyTooLargeError) return tooLarge(res, path, limit, metrics);
          throw error;
        }
      }
      return mcpNode(forward as never, res);
    }
    if (path === '/health') {
      const report = computeHealth(options.ctx, options.info, options.health);
      return sendJson(res, report.ok ? 200 : 503, report, { 'cache-control': 'no-store' });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
      return void res.end(metrics.render());
    }
    if (path === '/openapi.json') {
      openapi ??= JSON.stringify(buildOpenApiDocument(options.tools, { version: options.info.version }));
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(openapi);
    }
    if (path.startsWith('/api/enhanced/')) return handleEnhanced(req, res, path.slice('/api/enhanced/'.length), rest);
    if (path.startsWith('/api/tools/')) {
      let name: string;
      try {
        name = decodeURIComponent(path.slice('/api/tools/'.length));
      } catch {
        return sendJson(res, 400, { error: 'tool name is not valid percent-encoding' });
      }
      return handleToolRequest(req, res, name, rest);
    }
    if (path === '/api/tools') return sendJson(res, 200, { tools: options.tools.map((t) => ({ name: t.name, title: t.title, description: t.description, scope: t.scope })) });
    sendJson(res, 404, { error: `no route ${path}; MCP is at /mcp, the REST API is described at /openapi.json` });
  };

  const server = http.createServer((req, res) => void handle(req, res).catch(fail(res)));
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

/** A request whose body was already read (and size-checked), replayed to the MCP adapter. */
type BufferedRequest = Readonly<{ method?: string; url?: string; headers: IncomingMessage['headers']; [Symbol.asyncIterator](): AsyncIterator<Buffer> }>;

function buffered(req: IncomingMessage, body: Buffer): BufferedRequest {
  return {
    method: req.method,
    url: req.url,
    headers: req.headers,
    async *[Symbol.asyncIterator]() {
      if (body.length > 0) yield body;
    },
  };
}

function tooLarge(res: ServerResponse, path: string, limit: number, metrics: UtpMetrics): void {
  metrics.httpRejected.inc({ reason: 'body_too_large' });
  res.setHeader('connection', 'close');
  const message = `Request body larger than ${limit} bytes`;
  if (path === '/mcp') return deny(res, 413, message);
  sendJson(res, 413, { error: message });
}
