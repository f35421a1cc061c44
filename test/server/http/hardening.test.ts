/**
 * HTTP hardening over real sockets: the bind check, bearer tokens compared in
 * constant time (401), foreign Origin and Host (403), body limits on /mcp and
 * /api, declared and streamed (413), and the per-client token bucket (429 with
 * Retry-After) on a TestClock.
 */
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { ConfigError } from '../../../src/core/index.js';
import { startHttpApp, type HttpApp, type HttpAppOptions } from '../../../src/server/http/app.js';
import { assertSafeBind, isLoopback, tokenMatches } from '../../../src/server/http/guards.js';
import { DEFAULT_HTTP_HARDENING, httpHardeningFields, httpHardeningSchema, RateLimiter } from '../../../src/server/http/limits.js';
import { defineTool, type ToolContext } from '../../../src/tools/index.js';
import { facts, feed } from './fakeFacts.js';
import { rawRequest, type Reply } from './rawRequest.js';

const TOKEN = 'hardening-token-0123456789';
const LIMIT = 2048;


/** One raw request; `chunks` sends the body with chunked transfer encoding (no Content-Length). */
function request(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string; chunks?: string[] }): Promise<Reply> {
  return rawRequest(port, { ...o, headers: { host: 'localhost', ...o.headers } });
}

const initialize = (pad = 0) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }) + ' '.repeat(pad);
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

let echoCalls = 0;
const echo = defineTool({
  name: 'echo_text',
  title: 'Echo',
  description: 'Answers its text',
  input: z.object({ text: z.string().max(100_000).describe('Text to echo') }),
  output: z.object({ text: z.string().describe('The text') }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  scope: 'read',
  handler: ({ text }) => {
    echoCalls += 1;
    return { text };
  },
});

describe('HTTP hardening', () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1, 1));
  const ctx = { clock, symbols: [], live: { gaps: () => ({ open: [], filled: 0, unfillable: [] }) }, facts: () => facts([feed('binance-spot', 'binance', 'connected')]) } as unknown as ToolContext;
  const errors: Error[] = [];
  const base: HttpAppOptions = { host: '127.0.0.1', port: 0, token: null, allowedHosts: [], tools: [echo as never], ctx, info: { name: 'utp', version: 't' }, onError: (e) => errors.push(e) };
  let open: HttpApp;
  let locked: HttpApp;
  let limited: HttpApp;
  let lockedLimited: HttpApp;

  beforeAll(async () => {
    const hardening = httpHardeningSchema.parse({ bodyLimitBytes: LIMIT, rateLimit: null });
    open = await startHttpApp({ ...base, hardening });
    locked = await startHttpApp({ ...base, token: TOKEN, hardening });
    lockedLimited = await startHttpApp({ ...base, token: TOKEN, hardening: httpHardeningSchema.parse({ rateLimit: { perSecond: 1, burst: 4 } }) });
    limited = await startHttpApp({ ...base, hardening: httpHardeningSchema.parse({ rateLimit: { perSecond: 2, burst: 3 } }) });
  });

  afterAll(async () => {
    await open?.close();
    await locked?.close();
    await limited?.close();
    await lockedLimited?.close();
  });

  describe('bind address', () => {
    it('refuses a non-loopback bind without a token, before listening', async () => {
      for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.com', '128.0.0.1']) {
        expect(() => assertSafeBind(host, null), host).toThrow(ConfigError);
        expect(() => assertSafeBind(host, TOKEN), host).not.toThrow();
      }
      for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(() => assertSafeBind(host, null), host).not.toThrow();
      expect(isLoopback('127.evil.com')).toBe(false);
      await expect(startHttpApp({ ...base, host: '0.0.0.0' })).rejects.toThrow('http.host 0.0.0.0 is not loopback: set http.token (or UTP_HTTP_TOKEN) to require a bearer token');
    });
  });

  describe('bearer token (what a non-loopback bind requires)', () => {
    it('compares tokens exactly, whatever their length', () => {
      expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
      expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
      expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
      expect(tokenMatches('', TOKEN)).toBe(false);
      expect(tokenMatches(null, TOKEN)).toBe(false);
    });

    it('answers 401 without the token on every route, 200 with it', async () => {
      for (const path of ['/api/tools/echo_text?text=hi', '/api/tools', '/metrics', '/openapi.json', '/health']) {
        const reply = await request(locked.port, { path });
        expect(reply.status, path).toBe(401);
        expect(reply.headers['www-authenticate']).toBe('Bearer realm="utp"');
      }
      expect((await request(locked.port, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: initialize() })).status).toBe(401);
      expect((await request(locked.port, { path: '/api/tools/echo_text?text=hi', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await request(locked.port, { path: '/api/tools/echo_text?text=hi', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok).toMatchObject({ status: 200, json: { text: 'hi' } });
    });
  });

  describe('Origin and Host', () => {
    it('answers 403 to a foreign Origin or Host on /mcp, /api and /metrics', async () => {
      for (const path of ['/api/tools/echo_text?text=hi', '/metrics', '/health', '/openapi.json']) {
        expect((await request(open.port, { path, headers: { origin: 'https://evil.example' } })).status, path).toBe(403);
        expect((await request(open.port, { path, headers: { host: 'evil.example' } })).status, path).toBe(403);
      }
      const mcp = await request(open.port, { method: 'POST', path: '/mcp', headers: { ...MCP_HEADERS, origin: 'https://evil.example' }, body: initialize() });
      expect(mcp.status).toBe(403);
      expect(mcp.json.error.message).toBe('Invalid Origin: https://evil.example');
      expect((await request(open.port, { path: '/api/tools/echo_text?text=hi', headers: { origin: `http://localhost:${open.port}` } })).status).toBe(200);
    });
  });

  describe('body limit', () => {
    it('answers 413 on /mcp for a declared and for a streamed oversized body, and serves one under the limit', async () => {
      const declared = await request(open.port, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: initialize(LIMIT) });
      expect(declared.status).toBe(413);
      expect(declared.json).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: `Request body larger than ${LIMIT} bytes` }, id: null });
      const body = initialize(LIMIT);
      const streamed = await request(open.port, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, chunks: [body.slice(0, 1000), body.slice(1000)] });
      expect(streamed.status).toBe(413);
      const fits = await request(open.port, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, chunks: [initialize(LIMIT - initialize().length - 10)] });
      expect(fits.status).toBe(200);
      expect(fits.body).toContain('"serverInfo"');
    });

    it('answers 413 on /api (declared and streamed) without running the tool, 200 under the limit', async () => {
      const before = echoCalls;
      const big = JSON.stringify({ text: 'x'.repeat(LIMIT) });
      const declared = await request(open.port, { method: 'POST', path: '/api/tools/echo_text', headers: { 'content-type': 'application/json' }, body: big });
      expect(declared).toMatchObject({ status: 413, json: { error: `Request body larger than ${LIMIT} bytes` } });
      const streamed = await request(open.port, { method: 'POST', path: '/api/tools/echo_text', chunks: [big.slice(0, 100), big.slice(100)] });
      expect(streamed.status).toBe(413);
      expect(streamed.json.error).toBe(`Request body larger than ${LIMIT} bytes`);
      expect(echoCalls).toBe(before);
      const small = await request(open.port, { method: 'POST', path: '/api/tools/echo_text', body: JSON.stringify({ text: 'y'.repeat(1000) }) });
      expect(small.status).toBe(200);
      expect(small.json.text).toHaveLength(1000);
    });
  });

  describe('rate limit', () => {
    it('answers 429 with Retry-After once the burst is spent, and refills on the clock', async () => {
      const get = () => request(limited.port, { path: '/api/tools/echo_text?text=a' });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const refused = await get();
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json.error.message).toBe('Too many requests: retry after 1 s');
      expect((await request(limited.port, { method: 'POST', path: '/mcp', headers: MCP_HEADERS, body: initialize() })).status).toBe(429);
      clock.advance(499);
      expect((await get()).status).toBe(429);
      clock.advance(1);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(429);
    });

    it('never limits loopback health checks', async () => {
      for (let i = 0; i < 10; i++) expect((await request(limited.port, { path: '/health' })).status).toBe(200);
      expect((await request(limited.port, { path: '/api/tools/echo_text?text=a' })).status).toBe(429);
      clock.advance(10_000);
      const metrics = await request(limited.port, { path: '/metrics' });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^utp_http_rejected_total\{reason="rate_limit"\} [1-9]\d*$/m);
    });

    it('counts failed token guesses against the address, and gives the verified token its own bucket', async () => {
      for (let i = 0; i < 4; i++) expect((await request(lockedLimited.port, { path: '/api/tools/echo_text?text=a', headers: { authorization: `Bearer guess${i}` } })).status).toBe(401);
      expect((await request(lockedLimited.port, { path: '/api/tools/echo_text?text=a', headers: { authorization: 'Bearer guess5' } })).status).toBe(429);
      const authed = await request(lockedLimited.port, { path: '/api/tools/echo_text?text=a', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(authed.status).toBe(200);
    });

    it('RateLimiter: exact refill arithmetic and bounded memory', () => {
      const c = new TestClock();
      const limiter = new RateLimiter(c, 0.5, 2, 3);
      expect(limiter.take('a')).toEqual({ allowed: true });
      expect(limiter.take('a')).toEqual({ allowed: true });
      expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
      c.advance(1000);
      expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
      c.advance(1000);
      expect(limiter.take('a')).toEqual({ allowed: true });
      for (const k of ['b', 'c', 'd', 'e']) limiter.take(k);
      expect(limiter.size).toBe(3);
    });
  });

  it('config section defaults and validation', () => {
    expect(DEFAULT_HTTP_HARDENING).toEqual({ bodyLimitBytes: 1048576, rateLimit: { perSecond: 50, burst: 100 } });
    expect(httpHardeningSchema.parse({ rateLimit: { burst: 5 } })).toEqual({ bodyLimitBytes: 1048576, rateLimit: { perSecond: 50, burst: 5 } });
    expect(httpHardeningSchema.parse({ rateLimit: null }).rateLimit).toBeNull();
    expect(httpHardeningSchema.safeParse({ bodyLimitBytes: 10 }).success).toBe(false);
    expect(httpHardeningSchema.safeParse({ rateLimit: { perSecond: 0 } }).success).toBe(false);
    expect(httpHardeningSchema.safeParse({ extra: 1 }).success).toBe(false);
    const http = z.object({ host: z.string().default('127.0.0.1'), ...httpHardeningFields }).strict();
    expect(http.parse({})).toEqual({ host: '127.0.0.1', bodyLimitBytes: 1048576, rateLimit: { perSecond: 50, burst: 100 } });
  });

  it('reported no server-side errors', () => {
    expect(errors).toEqual([]);
  });
});
