/**
 * The REST API against a composed app that replayed the real recording: the
 * plan's enhanced endpoints answer exactly what the MCP tool call answers,
 * arguments are typed and validated by the tools' zod schemas, write tools are
 * never served over GET, /health reports per component (503 with a feed
 * down), /metrics counts tool calls on both transports, and /openapi.json
 * describes every read tool.
 */
import * as z from 'zod';
import Ajv2020Module from 'ajv/dist/2020.js';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server/compose.js';
import { startHttpApp, type HttpApp } from '../../../src/server/http/app.js';
import { createUtpMetrics, instrumentTools, metricsSourceFromContext } from '../../../src/server/metrics/index.js';
import { defineTool, type ToolDefinition } from '../../../src/tools/index.js';
import { readAggTrades, startReplayApp, tempDir, waitForAccepted } from '../../integration/replayFixture.js';
import { parsePromText } from '../metrics/promText.js';
import { feed } from './fakeFacts.js';
import { rawRequest, type Reply } from './rawRequest.js';

const INFO = { name: 'utp', version: '0.1.0-test' };
const rows = readAggTrades();
const LAST = rows[rows.length - 1]!;

function request(port: number, path: string, o: { method?: string; body?: string } = {}): Promise<Reply> {
  return rawRequest(port, { ...o, path, headers: { host: 'localhost' } });
}

const pendingCalls: unknown[] = [];
/** A stand-in write tool: records the call and answers a pending request, as the approval flow does. */
const fakeWrite = defineTool({
  name: 'fake_place_order',
  title: 'Place order (test)',
  description: 'Creates a pending order request',
  input: z.object({ symbol: z.string().describe('Symbol'), volume: z.number().positive().describe('Lots') }),
  output: z.object({ requestId: z.string().describe('Pending request id'), status: z.literal('pending').describe('Always pending') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  scope: 'write',
  handler: (args) => {
    pendingCalls.push(args);
    return { requestId: `req-${pendingCalls.length}`, status: 'pending' as const };
  },
});

describe('REST API, health, metrics and OpenAPI', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let api: HttpApp;
  let degraded: HttpApp;
  let client: Client;
  const errors: Error[] = [];

  beforeAll(async () => {
    dir = tempDir('utp-http-api-');
    const started = await startReplayApp(dir.dir);
    app = started.app;
    await waitForAccepted(app, 5000);
    started.clock.advance(250);
    const metrics = createUtpMetrics(metricsSourceFromContext(app.ctx, { pendingApprovals: () => pendingCalls.length }));
    const tools = instrumentTools([...app.tools, fakeWrite as unknown as ToolDefinition], metrics);
    const base = { host: '127.0.0.1', port: 0, token: null, allowedHosts: [], info: INFO, onError: (e: Error) => errors.push(e) };
    api = await startHttpApp({ ...base, tools, ctx: app.ctx, metrics });
    const down = feed('mt5-bridge', 'mt5', 'disconnected', { detail: 'terminal silent for 5 s', reconnects: 2 });
    degraded = await startHttpApp({ ...base, tools: app.tools, ctx: { ...app.ctx, facts: () => ({ ...app.ctx.facts(), feeds: [...app.ctx.facts().feeds, down] }) } });
    client = new Client({ name: 'api-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`)));
  });

  afterAll(async () => {
    await client?.close();
    await api?.close();
    await degraded?.close();
    await app?.stop();
    dir?.remove();
  });

  const callMcp = async (name: string, args: Record<string, unknown>) => {
    const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: unknown };
    expect(result.isError ?? false).toBe(false);
    return result.structuredContent;
  };

  describe('enhanced endpoints (the plan API, served by the MCP tools)', () => {
    it('GET /api/enhanced/market-state/{symbol} equals the get_market_state MCP call', async () => {
      const rest = await request(api.port, '/api/enhanced/market-state/BTCUSD');
      expect(rest.status).toBe(200);
      expect(rest.json).toEqual(await callMcp('get_market_state', { symbol: 'BTCUSD' }));
      expect(rest.json).toMatchObject({ symbol: 'BTCUSD', last: { price: LAST.price, size: LAST.qty, source: 'binance' }, ageMs: 250 });
      expect((await request(api.port, '/api/enhanced/market-state/btcusd')).json).toEqual(rest.json);
    });

    it('GET /api/enhanced/multi-timeframe/{symbol}?bars=3 equals the get_multi_timeframe MCP call', async () => {
      const rest = await request(api.port, '/api/enhanced/multi-timeframe/BTCUSD?bars=3');
      expect(rest.status).toBe(200);
      expect(rest.json).toEqual(await callMcp('get_multi_timeframe', { symbol: 'BTCUSD', bars: 3 }));
      expect(rest.json.timeframes.M1.candles.map((c: { openTime: number }) => c.openTime)).toEqual([Date.UTC(2026, 0, 1, 0, 10), Date.UTC(2026, 0, 1, 0, 11), Date.UTC(2026, 0, 1, 0, 12)]);
      const defaults = await request(api.port, '/api/enhanced/multi-timeframe/BTCUSD');
      expect(defaults.json).toEqual(await callMcp('get_multi_timeframe', { symbol: 'BTCUSD' }));
    });

    it('answers 404 for an unknown symbol or endpoint, 400 with the zod issues for bad arguments, 405 for other methods', async () => {
      const unknown = await request(api.port, '/api/enhanced/market-state/EURUSD');
      expect(unknown).toMatchObject({ status: 404, json: { error: 'unknown symbol "EURUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY' } });
      expect((await request(api.port, '/api/enhanced/order-book/BTCUSD')).status).toBe(404);
      expect((await request(api.port, '/api/enhanced/market-state/')).status).toBe(404);
      const bad = await request(api.port, '/api/enhanced/multi-timeframe/BTCUSD?bars=0');
      expect(bad.status).toBe(400);
      expect(bad.json.issues).toEqual([expect.stringMatching(/^bars: /)]);
      expect(bad.json.zodIssues).toEqual([expect.objectContaining({ code: 'too_small', path: ['bars'] })]);
      const post = await request(api.port, '/api/enhanced/market-state/BTCUSD', { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET');
    });
  });

  describe('/api/tools', () => {
    it('types query values by the input schema: a numeric ticket stays a string, epoch ms becomes a number', async () => {
      const dtms = await request(api.port, '/api/tools/get_dtms_status?ticket=12345');
      expect(dtms.status).toBe(200);
      expect(dtms.json).toEqual(await callMcp('get_dtms_status', { ticket: '12345' }));
      const from = Date.UTC(2026, 0, 1, 0, 5);
      const candles = await request(api.port, `/api/tools/get_candles?symbol=BTCUSD&timeframe=M5&from=${from}&limit=2`);
      expect(candles.status).toBe(200);
      expect(candles.json.candles.map((c: { openTime: number }) => c.openTime)).toEqual([from, from + 300_000]);
      expect(candles.json).toEqual(await callMcp('get_candles', { symbol: 'BTCUSD', timeframe: 'M5', from, limit: 2 }));
    });

    it('never serves a write tool over GET; POST runs it, which only creates a pending request', async () => {
      const get = await request(api.port, '/api/tools/fake_place_order?symbol=BTCUSD&volume=1');
      expect(get.status).toBe(405);
      expect(get.headers.allow).toBe('POST');
      expect(pendingCalls).toEqual([]);
      const post = await request(api.port, '/api/tools/fake_place_order', { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSD', volume: 0.1 }) });
      expect(post).toMatchObject({ status: 200, json: { requestId: 'req-1', status: 'pending' } });
      expect(pendingCalls).toEqual([{ symbol: 'BTCUSD', volume: 0.1 }]);
      expect((await request(api.port, '/api/tools/fake_place_order', { method: 'POST', body: '{"volume":-1}' })).status).toBe(400);
      expect((await request(api.port, '/api/tools/get_market_state', { method: 'DELETE' })).headers.allow).toBe('GET, POST');
      expect((await request(api.port, '/api/tools/nope')).status).toBe(404);
    });
  });

  describe('/health', () => {
    it('answers 200 with every component ok on the replaying app', async () => {
      const reply = await request(api.port, '/health');
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.json).toMatchObject({ status: 'ok', ok: true, ...INFO, checkedAt: new Date(app.ctx.clock.now()).toISOString() });
      const names = reply.json.components.map((c: { name: string }) => c.name);
      expect(names).toEqual([...app.ctx.facts().feeds.map((f) => `feed:${f.id}`), 'store', 'pipeline', 'coordinator', 'approvals']);
      expect(reply.json.components.find((c: { name: string }) => c.name === 'approvals').reason).toBe('read-only (writes disabled)');
      expect(reply.json.components.find((c: { name: string }) => c.name === 'pipeline').reason).toBe('5000 ticks accepted, 0 rejected, 753 candles closed');
    });

    it('answers 503 naming the feed that is down', async () => {
      const reply = await request(degraded.port, '/health');
      expect(reply.status).toBe(503);
      expect(reply.json).toMatchObject({ status: 'degraded', ok: false });
      expect(reply.json.components.filter((c: { status: string }) => c.status !== 'ok')).toEqual([
        { name: 'feed:mt5-bridge', status: 'down', reason: 'disconnected: terminal silent for 5 s (no frame yet, 2 reconnects, 0 dropped frames)' },
      ]);
    });
  });

  describe('/metrics', () => {
    it('is valid Prometheus text with ticks per source, feeds, gaps, approvals and tool latency per transport', async () => {
      await request(api.port, '/api/tools/get_market_state?symbol=BTCUSD');
      await callMcp('get_market_state', { symbol: 'BTCUSD' });
      const reply = await request(api.port, '/metrics');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const families = parsePromText(reply.body);
      const value = (name: string, labels: Record<string, string> = {}) =>
        families.flatMap((f) => f.samples).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      expect(value('utp_ticks_total', { source: 'binance' })).toBe(5000);
      expect(value('utp_pipeline_accepted_ticks_total')).toBe(5000);
      expect(value('utp_feed_dropped_frames_total', { source: 'binance' })).toBe(0);
      expect(value('utp_gaps_open', { symbol: 'BTCUSD' })).toBe(0);
      expect(value('utp_pending_approvals')).toBe(pendingCalls.length);
      expect(value('utp_tool_duration_seconds_count', { tool: 'get_market_state', transport: 'rest', outcome: 'ok' })).toBe(3); // 2 enhanced + 1 /api/tools
      expect(value('utp_tool_duration_seconds_count', { tool: 'get_market_state', transport: 'mcp', outcome: 'ok' })).toBe(2);
      expect(value('utp_http_requests_total', { route: 'api_enhanced', status: '200' })).toBe(4);
      expect(value('utp_http_requests_total', { route: 'api_enhanced', status: '404' })).toBe(3);
      expect(families.find((f) => f.name === 'utp_event_loop_delay_seconds')?.type).toBe('gauge');
    });
  });

  describe('/openapi.json', () => {
    it('is an OpenAPI 3.1 document describing every read tool, the enhanced endpoints and the write tool as POST only', async () => {
      const reply = await request(api.port, '/openapi.json');
      expect(reply.status).toBe(200);
      const doc = JSON.parse(reply.body);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info).toMatchObject({ title: 'UTP HTTP API', version: INFO.version });
      const schemas = doc.components.schemas;
      for (const tool of app.tools) {
        const item = doc.paths[`/api/tools/${tool.name}`];
        expect(item?.get, tool.name).toBeDefined();
        expect(item.get.operationId).toBe(tool.name);
        const input = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12' }) as { properties?: Record<string, unknown>; required?: string[] };
        expect(item.get.parameters.map((p: { name: string }) => p.name)).toEqual(Object.keys(input.properties ?? {}));
        for (const p of item.get.parameters) expect(p.required, `${tool.name}.${p.name}`).toBe((input.required ?? []).includes(p.name));
        expect(item.get.responses['200'].content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${tool.name}_output` });
        expect(schemas[`${tool.name}_output`].type).toBe('object');
        expect(schemas[`${tool.name}_output`].$schema).toBeUndefined();
      }
      expect(doc.paths['/api/tools/fake_place_order'].get).toBeUndefined();
      expect(doc.paths['/api/tools/fake_place_order'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/fake_place_order_input' });
      const ms = doc.paths['/api/enhanced/market-state/{symbol}'].get;
      expect(ms.parameters).toEqual([expect.objectContaining({ name: 'symbol', in: 'path', required: true })]);
      expect(doc.paths['/api/enhanced/multi-timeframe/{symbol}'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:symbol', 'query:bars']);
      for (const path of ['/health', '/metrics', '/openapi.json']) expect(doc.paths[path]?.get, path).toBeDefined();
      // every $ref resolves inside the document
      const refs: string[] = [];
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(x as string) : walk(x);
      };
      walk(doc);
      expect(refs.length).toBeGreaterThan(app.tools.length);
      for (const ref of refs) {
        expect(ref.startsWith('#/')).toBe(true);
        const target = ref.slice(2).split('/').reduce<any>((node, key) => node?.[key], doc);
        expect(target, ref).toBeDefined();
      }
    });
  });

  it('OpenAPI response schemas accept what the endpoints answer (Ajv, JSON Schema 2020-12)', async () => {
    const doc = (await request(api.port, '/openapi.json')).json;
    const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as new (o: object) => {
      addSchema(s: object, key: string): void;
      getSchema(ref: string): ((data: unknown) => boolean) & { errors?: unknown };
    };
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'utp-openapi', components: doc.components }, 'utp-openapi');
    const cases: [string, string][] = [
      ['/api/enhanced/market-state/BTCUSD', 'get_market_state_output'],
      ['/api/enhanced/multi-timeframe/BTCUSD?bars=2', 'get_multi_timeframe_output'],
      ['/api/tools/get_candles?symbol=BTCUSD&timeframe=M1&limit=3', 'get_candles_output'],
      ['/api/tools/get_system_status', 'get_system_status_output'],
      ['/api/tools/get_risk_status', 'get_risk_status_output'],
    ];
    for (const [path, schema] of cases) {
      const reply = await request(api.port, path);
      expect(reply.status, path).toBe(200);
      const validate = ajv.getSchema(`utp-openapi#/components/schemas/${schema}`);
      expect(validate(reply.json), `${path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate({}), `${path}: an empty answer must not validate`).toBe(false);
    }
  });

  it('reported no server-side errors', () => {
    expect(errors).toEqual([]);
  });
});
