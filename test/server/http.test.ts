/**
 * The HTTP front door over real sockets: Host/Origin guard (DNS rebinding),
 * bearer token, the REST adapter, and both SDK generations' Streamable HTTP
 * clients calling a tool, against a composed app that replayed the recording.
 */
import { Client } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/server/compose.js';
import { startHttpApp, type HttpApp } from '../../src/server/http/app.js';
import { readAggTrades, startReplayApp, tempDir, waitForAccepted } from '../integration/replayFixture.js';
import { rawRequest, type Reply } from './http/rawRequest.js';

const rows = readAggTrades();
const LAST = rows[rows.length - 1]!;
const LAST_TRADE = { price: LAST.price, size: LAST.qty, time: '2026-01-01T00:12:19.347Z', source: 'binance' };
const TOKEN = 'test-token-0123456789abcdef';
const INFO = { name: 'utp', version: '0.1.0-test' };


/** One raw HTTP request with full control of Host, Origin and Authorization. */
function request(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return rawRequest(port, options);
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

/** POST of an MCP initialize request to /mcp. */
function postMcp(port: number, headers: Record<string, string>): Promise<Reply> {
  return request(port, {
    method: 'POST',
    path: '/mcp',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: `127.0.0.1:${port}`, ...headers },
    body: INITIALIZE,
  });
}

/** The initialize result out of a JSON or SSE answer. */
function initializeResult(reply: Reply): any {
  if (reply.json) return reply.json.result;
  const data = reply.body.split('\n').find((l) => l.startsWith('data: '));
  return data ? JSON.parse(data.slice(6)).result : undefined;
}

describe('HTTP front door', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let open: HttpApp;
  let locked: HttpApp;
  const errors: Error[] = [];

  beforeAll(async () => {
    dir = tempDir('utp-http-');
    const started = await startReplayApp(dir.dir);
    app = started.app;
    await waitForAccepted(app, 5000);
    started.clock.advance(250);
    const base = { host: '127.0.0.1', port: 0, allowedHosts: [], tools: app.tools, ctx: app.ctx, info: INFO, onError: (e: Error) => errors.push(e) };
    open = await startHttpApp({ ...base, token: null });
    locked = await startHttpApp({ ...base, token: TOKEN });
  });

  afterAll(async () => {
    await open?.close();
    await locked?.close();
    await app?.stop();
    dir?.remove();
  });

  describe('Host and Origin guard', () => {
    it('refuses a foreign Origin with 403', async () => {
      const reply = await postMcp(open.port, { origin: 'http://evil.example' });
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual({ jsonrpc: '2.0', error: { code: -32000, message: 'Invalid Origin: http://evil.example' }, id: null });
    });

    it('refuses a foreign Host with 403 (DNS rebinding)', async () => {
      const reply = await postMcp(open.port, { host: 'evil.example' });
      expect(reply.status).toBe(403);
      expect(reply.json.error.message).toBe('Invalid Host header: evil.example');
      expect((await postMcp(open.port, { host: `evil.example:${open.port}` })).status).toBe(403);
      expect((await request(open.port, { path: '/health', headers: { host: 'localhost.evil.example' } })).status).toBe(403);
    });

    it('refuses an opaque Origin ("null")', async () => {
      expect((await postMcp(open.port, { origin: 'null' })).status).toBe(403);
    });

    it.each(['localhost', '127.0.0.1', '[::1]'])('accepts Host %s:PORT and the same-host Origin', async (host) => {
      const reply = await postMcp(open.port, { host: `${host}:${open.port}`, origin: `http://${host}:${open.port}` });
      expect(reply.status).toBe(200);
      expect(initializeResult(reply)).toMatchObject({ serverInfo: { name: 'utp', version: INFO.version }, capabilities: { tools: {} } });
    });

    it('accepts a Host without port and a request without Origin (non-browser client)', async () => {
      expect((await postMcp(open.port, { host: '127.0.0.1' })).status).toBe(200);
      const health = await request(open.port, { path: '/health', headers: { host: 'localhost' } });
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ ok: true, status: 'ok', ...INFO });
    });
  });

  describe('bearer token', () => {
    it('answers 401 without a token or with a wrong one, before touching MCP', async () => {
      const missing = await postMcp(locked.port, {});
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="utp"');
      expect(missing.json.error.message).toBe('Missing or invalid bearer token');
      expect((await postMcp(locked.port, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await postMcp(locked.port, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
      expect((await postMcp(locked.port, { authorization: TOKEN })).status).toBe(401);
      expect((await request(locked.port, { path: '/api/tools/get_market_state?symbol=BTCUSD', headers: { host: 'localhost' } })).status).toBe(401);
    });

    it('serves with the right token', async () => {
      const reply = await postMcp(locked.port, { authorization: `Bearer ${TOKEN}` });
      expect(reply.status).toBe(200);
      expect(initializeResult(reply)).toMatchObject({ serverInfo: { name: 'utp' } });
      const rest = await request(locked.port, {
        path: '/api/tools/get_market_state?symbol=BTCUSD',
        headers: { host: 'localhost', authorization: `Bearer ${TOKEN}` },
      });
      expect(rest.status).toBe(200);
      expect(rest.json.last).toEqual(LAST_TRADE);
    });

    it('checks Host before the token: a foreign Host gets 403 even with the right token', async () => {
      expect((await postMcp(locked.port, { host: 'evil.example', authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    });
  });

  describe('REST adapter', () => {
    it('GET /api/tools/get_market_state?symbol=BTCUSD answers the tool output as JSON', async () => {
      const reply = await request(open.port, { path: '/api/tools/get_market_state?symbol=BTCUSD', headers: { host: 'localhost' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.json).toMatchObject({ symbol: 'BTCUSD', bid: null, ask: null, last: LAST_TRADE, asOf: LAST_TRADE.time, ageMs: 250 });
    });

    it('POST with a JSON body, numbers in queries coerced', async () => {
      const post = await request(open.port, {
        method: 'POST',
        path: '/api/tools/get_candles',
        headers: { host: 'localhost', 'content-type': 'application/json' },
        body: JSON.stringify({ symbol: 'BTCUSD', timeframe: 'M1', limit: 2 }),
      });
      expect(post.status).toBe(200);
      expect(post.json).toMatchObject({ count: 2, lastIsOpen: true, hasMore: true });
      expect(post.json.candles.map((c: { openTime: number }) => c.openTime)).toEqual([Date.UTC(2026, 0, 1, 0, 11), Date.UTC(2026, 0, 1, 0, 12)]);
      const get = await request(open.port, { path: '/api/tools/get_candles?symbol=BTCUSD&timeframe=M1&limit=2', headers: { host: 'localhost' } });
      expect(get.json).toEqual(post.json);
    });

    it('bad arguments answer 400 naming the field', async () => {
      const badTf = await request(open.port, { path: '/api/tools/get_candles?symbol=BTCUSD&timeframe=M2', headers: { host: 'localhost' } });
      expect(badTf.status).toBe(400);
      expect(badTf.json.error).toBe('invalid arguments');
      expect(badTf.json.issues).toHaveLength(1);
      expect(badTf.json.issues[0]).toMatch(/^timeframe: /);
      const badLimit = await request(open.port, { path: '/api/tools/get_candles?symbol=BTCUSD&timeframe=M1&limit=5000', headers: { host: 'localhost' } });
      expect(badLimit.status).toBe(400);
      expect(badLimit.json.issues).toEqual([expect.stringMatching(/^limit: /)]);
      const missing = await request(open.port, { path: '/api/tools/get_market_state', headers: { host: 'localhost' } });
      expect(missing.status).toBe(400);
      expect(missing.json.issues).toEqual([expect.stringMatching(/^symbol: /)]);
      const notJson = await request(open.port, { method: 'POST', path: '/api/tools/get_market_state', headers: { host: 'localhost' }, body: '{oops' });
      expect(notJson).toMatchObject({ status: 400, json: { error: 'request body is not valid JSON' } });
    });

    it('a domain error answers 400 with the message; an unknown tool 404 listing the tools', async () => {
      const unknownSymbol = await request(open.port, { path: '/api/tools/get_market_state?symbol=EURUSD', headers: { host: 'localhost' } });
      expect(unknownSymbol).toMatchObject({ status: 400, json: { error: 'invalid_request: unknown symbol "EURUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY' } });
      const unknownTool = await request(open.port, { path: '/api/tools/place_order', headers: { host: 'localhost' } });
      expect(unknownTool.status).toBe(404);
      expect(unknownTool.json.error).toBe('unknown tool "place_order"; tools: get_market_state, get_candles, get_multi_timeframe, get_system_status, get_volatility_bridge, get_structure, get_offsets, get_macro_context, analyze_market, get_analysis_history, get_account, get_positions, get_dtms_status, get_dtms_actions, get_exit_plans, get_risk_status, get_ticks, get_audit_log, get_parameters, get_approval, show_chart');
      const list = await request(open.port, { path: '/api/tools', headers: { host: 'localhost' } });
      expect(list.json.tools.map((t: { name: string }) => t.name)).toEqual(['get_market_state', 'get_candles', 'get_multi_timeframe', 'get_system_status', 'get_volatility_bridge', 'get_structure', 'get_offsets', 'get_macro_context', 'analyze_market', 'get_analysis_history', 'get_account', 'get_positions', 'get_dtms_status', 'get_dtms_actions', 'get_exit_plans', 'get_risk_status', 'get_ticks', 'get_audit_log', 'get_parameters', 'get_approval', 'show_chart']);
    });
  });

  describe('MCP clients over real HTTP', () => {
    it('v2 client (version negotiation auto) calls get_market_state', async () => {
      const client = new Client({ name: 'v2-http', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${open.url}/mcp`)));
      try {
        expect(client.getServerVersion()).toMatchObject(INFO);
        expect(client.getProtocolEra()).toBe('modern');
        expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
        const result = (await client.callTool({ name: 'get_market_state', arguments: { symbol: 'BTCUSD' } })) as any;
        expect(result.isError ?? false).toBe(false);
        expect(result.structuredContent).toMatchObject({ symbol: 'BTCUSD', last: LAST_TRADE, ageMs: 250 });
      } finally {
        await client.close();
      }
    });

    it('v2 client with a bearer token through the auth provider', async () => {
      const client = new Client({ name: 'v2-http-token', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${locked.url}/mcp`), { authProvider: { token: async () => TOKEN } }));
      try {
        const result = (await client.callTool({ name: 'get_market_state', arguments: { symbol: 'BTCUSD' } })) as any;
        expect(result.structuredContent.last).toEqual(LAST_TRADE);
      } finally {
        await client.close();
      }
    });

    it('v1 (legacy) client calls get_market_state', async () => {
      const client = new LegacyClient({ name: 'v1-http', version: '1.0.0' });
      const transport = new LegacyHttpTransport(new URL(`${open.url}/mcp`));
      await client.connect(transport);
      try {
        expect(client.getServerVersion()).toMatchObject(INFO);
        expect(transport.protocolVersion).toBe('2025-11-25'); // the 2025-era handshake, served by the same endpoint
        const result = (await client.callTool({ name: 'get_market_state', arguments: { symbol: 'BTCUSD' } })) as any;
        expect(result.isError ?? false).toBe(false);
        expect(result.structuredContent).toMatchObject({ symbol: 'BTCUSD', last: LAST_TRADE });
        expect(JSON.parse(result.content[0].text)).toEqual(result.structuredContent);
      } finally {
        await client.close();
      }
    });

    it('v1 client with the token in request headers', async () => {
      const client = new LegacyClient({ name: 'v1-http-token', version: '1.0.0' });
      await client.connect(
        new LegacyHttpTransport(new URL(`${locked.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }),
      );
      try {
        const result = (await client.callTool({ name: 'get_system_status', arguments: {} })) as any;
        expect(result.structuredContent).toMatchObject({ mode: 'replay', pipeline: { accepted: 5000 } });
      } finally {
        await client.close();
      }
    });

    it('reported no server-side errors', () => {
      expect(errors).toEqual([]);
    });
  });
});
