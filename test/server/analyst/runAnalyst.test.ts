/**
 * `utp analyst` end to end: a real UTP (composed app replaying the recorded
 * Binance trades, its HTTP front door with a bearer token on a real socket),
 * the analyst connecting as an MCP client over Streamable HTTP, and a local
 * OpenAI-compatible model server that scripts the tool calls and records what
 * the loop sends back. Expectations come from the recording itself
 * (replayFixture) and from an independent MCP client of the same server.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { TestClock } from '../../../src/core/clock/TestClock.js';
import { ANALYST_SYSTEM_PROMPT, AnalystError, analystUserPrompt, runAnalyst, type AnalystRunResult } from '../../../src/server/analyst/index.js';
import type { App } from '../../../src/server/compose.js';
import { startHttpApp, type HttpApp } from '../../../src/server/http/app.js';
import { defineTool } from '../../../src/tools/defineTool.js';
import { expectedCandles, readAggTrades, startReplayApp, tempDir, waitForAccepted } from '../../integration/replayFixture.js';
import { startFakeModel, twoStepScript, type FakeModel } from './fakeModel.js';

const rows = readAggTrades();
const LAST = rows[rows.length - 1]!;
const LAST_ISO = '2026-01-01T00:12:19.347Z';
const AGE = 250;
/** get_multi_timeframe ages its answer by venue time: the test clock's distance to the last trade. */
const MTF_AGE = 2_860_903;
const TOKEN = 'analyst-test-token-0123456789';
const FINAL = 'Data: asOf 2026-01-01T00:12:19.347Z, ageMs 250, binance-spot connected, no open gaps, trades only (no quote).\n' +
  'M1 and M5 print higher closes into 87,759.\nBias: bullish';
const toolCandle = (c: ReturnType<typeof expectedCandles>[number], closed: boolean) => ({
  openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, quoteVolume: c.quoteVolume, trades: c.trades, closed,
});
const M1 = expectedCandles(rows, 60_000);
const M5 = expectedCandles(rows, 300_000);

/** A write tool standing in for the approval-gated ones: it only files a pending request. */
const fakeWrite = defineTool({
  name: 'place_order',
  title: 'Place order',
  description: 'Files an order request that a human must approve (test stand-in).',
  input: z.object({ symbol: z.string().describe('Symbol'), side: z.enum(['buy', 'sell']).describe('Side'), volume: z.number().describe('Lots') }),
  output: z.object({ status: z.string().describe('pending'), requestId: z.number().int().describe('Pending request id') }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  scope: 'write',
  handler: () => ({ status: 'pending_approval', requestId: 41 }),
});

describe('utp analyst against a real UTP and a scripted OpenAI-compatible model', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let clock: TestClock;
  let front: HttpApp;
  let withWrites: HttpApp;
  let probe: Client;
  const models: FakeModel[] = [];
  const model = async (...args: Parameters<typeof startFakeModel>) => {
    const m = await startFakeModel(...args);
    models.push(m);
    return m;
  };
  const base = () => ({ dataDir: dir.dir, clock, token: TOKEN, model: 'test-model-1', url: `${front.url}/mcp` });
  const endpoint = (m: FakeModel) => ({ apiKey: 'sk-test-key', baseURL: m.baseURL, maxRetries: 0 });

  beforeAll(async () => {
    dir = tempDir('utp-analyst-');
    ({ app, clock } = await startReplayApp(dir.dir));
    await waitForAccepted(app, 5000);
    clock.advance(AGE);
    const common = { host: '127.0.0.1', port: 0, token: TOKEN, allowedHosts: [], ctx: app.ctx, info: { name: 'utp', version: 'test' }, onError: () => {} };
    front = await startHttpApp({ ...common, tools: app.tools });
    withWrites = await startHttpApp({ ...common, tools: [...app.tools, fakeWrite as never] });
    probe = new Client({ name: 'probe', version: '1' }, { versionNegotiation: { mode: 'auto' } });
    await probe.connect(new StreamableHTTPClientTransport(new URL(`${front.url}/mcp`), { authProvider: { token: async () => TOKEN } }));
  });

  afterAll(async () => {
    await probe?.close();
    for (const m of models) await m.close();
    await front?.close();
    await withWrites?.close();
    await app?.stop();
    dir?.remove();
  });

  it('offers exactly the read-only tools, feeds back the real structured outputs, and stores the answer where get_analysis_history finds it', async () => {
    const fake = await model(twoStepScript('BTCUSD', FINAL));
    const summary = await runAnalyst({ ...base(), symbol: 'btcusd', endpoint: endpoint(fake) });
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests as [(typeof fake.requests)[number], (typeof fake.requests)[number]];
    expect(first.authorization).toBe('Bearer sk-test-key');
    expect(first.body.model).toBe('test-model-1');
    expect(first.body.messages).toEqual([
      { role: 'system', content: ANALYST_SYSTEM_PROMPT },
      { role: 'user', content: analystUserPrompt('BTCUSD') },
    ]);

    // The functions: every tool the server lists with readOnlyHint, named as the tool, its input JSON Schema as parameters.
    const listed = (await probe.listTools()).tools;
    const readOnly = listed.filter((t) => t.annotations?.readOnlyHint === true);
    expect(readOnly.map((t) => t.name)).toEqual(app.tools.filter((t) => t.scope === 'read').map((t) => t.name));
    expect(first.body.tools?.map((t) => t.function.name)).toEqual(readOnly.map((t) => t.name));
    for (const tool of first.body.tools ?? []) {
      const { $schema, ...schema } = listed.find((t) => t.name === tool.function.name)!.inputSchema as Record<string, unknown>;
      expect($schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(tool.type).toBe('function');
      expect(tool.function.parameters).toEqual(schema);
    }
    expect(first.body.tools?.find((t) => t.function.name === 'get_market_state')?.function.parameters).toEqual({
      type: 'object',
      properties: {
        symbol: { type: 'string', minLength: 1, maxLength: 20, description: 'Canonical broker symbol, e.g. BTCUSD, XAUUSD or GBPJPY (get_system_status lists the configured ones)' },
      },
      required: ['symbol'],
    });
    expect(first.body.tool_choice).toBe('auto');

    // Round two: the assistant's calls, then one tool message per call with the server's real structured output.
    const msgs = second.body.messages;
    expect(msgs.slice(0, 2)).toEqual(first.body.messages);
    expect(msgs[2]).toMatchObject({ role: 'assistant', tool_calls: [
      { id: 'call_1', type: 'function', function: { name: 'get_market_state', arguments: '{"symbol":"BTCUSD"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_multi_timeframe', arguments: '{"symbol":"BTCUSD","bars":3}' } },
    ] });
    expect(msgs.slice(3).map((m) => [m.role, m.tool_call_id])).toEqual([['tool', 'call_1'], ['tool', 'call_2']]);
    const state = JSON.parse(msgs[3]!.content as string);
    const mtf = JSON.parse(msgs[4]!.content as string);
    expect(state).toEqual((await probe.callTool({ name: 'get_market_state', arguments: { symbol: 'BTCUSD' } })).structuredContent);
    expect(mtf).toEqual((await probe.callTool({ name: 'get_multi_timeframe', arguments: { symbol: 'BTCUSD', bars: 3 } })).structuredContent);
    expect(state).toMatchObject({ symbol: 'BTCUSD', bid: null, last: { price: LAST.price, size: LAST.qty, time: LAST_ISO, source: 'binance' }, asOf: LAST_ISO, ageMs: AGE, gaps: { open: [] } });
    expect(mtf.timeframes.M1).toEqual({ candles: M1.slice(-3).map((c, i) => toolCandle(c, i < 2)), lastIsOpen: true, hasMore: true, asOf: LAST_ISO, ageMs: MTF_AGE });
    expect(mtf.timeframes.M5).toEqual({ candles: M5.map((c, i) => toolCandle(c, i < M5.length - 1)), lastIsOpen: true, hasMore: false, asOf: LAST_ISO, ageMs: MTF_AGE });
    expect(mtf.asOf).toBe(LAST_ISO);

    // What runAnalyst reports and what it stored.
    const result = summary.last as AnalystRunResult;
    expect(summary).toMatchObject({ runs: 1, failed: 0, skipped: 0 });
    expect(result).toMatchObject({ symbol: 'BTCUSD', text: FINAL, bias: 'bullish', at: clock.now(), model: 'test-model-1', responseModel: 'fake-model-2026', rounds: 2 });
    expect(result.server).toEqual({ url: `${front.url}/mcp`, inProcess: false });
    expect(result.toolCalls.map((c) => [c.name, c.round, c.isError])).toEqual([['get_market_state', 1, false], ['get_multi_timeframe', 1, false]]);
    const history = (await probe.callTool({ name: 'get_analysis_history', arguments: { symbol: 'BTCUSD', limit: 1 } })).structuredContent as any;
    expect(history.analyses).toHaveLength(1);
    const entry = history.analyses[0];
    expect(entry).toMatchObject({
      id: result.recordId,
      symbol: 'BTCUSD',
      at: new Date(clock.now()).toISOString(),
      question: analystUserPrompt('BTCUSD'),
      model: 'test-model-1',
      timeframes: ['M1', 'M5', 'M15', 'H1', 'H4'],
      asOf: LAST_ISO,
      bias: 'bullish',
      score: null,
      summary: FINAL,
    });
    expect(entry.answer).toMatchObject({
      source: 'analyst',
      text: FINAL,
      responseModel: 'fake-model-2026',
      rounds: 2,
      usage: { promptTokens: 201, completionTokens: 21 },
      toolCalls: [
        { name: 'get_market_state', arguments: { symbol: 'BTCUSD' }, round: 1, isError: false, error: null },
        { name: 'get_multi_timeframe', arguments: { symbol: 'BTCUSD', bars: 3 }, round: 1, isError: false, error: null },
      ],
      dataChecks: [
        { tool: 'get_market_state', asOf: LAST_ISO, ageMs: AGE, openGaps: 0, inactiveSources: [] },
        // get_multi_timeframe carries asOf, sources and gaps but no ageMs (its output schema has none)
        { tool: 'get_multi_timeframe', asOf: LAST_ISO, ageMs: MTF_AGE, openGaps: 0, inactiveSources: [] },
      ],
    });
    expect(entry.answer.offered).toEqual(readOnly.map((t) => t.name));
  });

  it('passes failed calls back as errors: the server isError text, an unknown function, arguments that are not JSON', async () => {
    const fake = await model((body) =>
      body.messages.some((m) => m.role === 'tool')
        ? { text: 'No usable data for NOPE.\nBias: neutral' }
        : {
            toolCalls: [
              { name: 'get_market_state', arguments: '{"symbol":"NOPE"}' },
              { name: 'place_order', arguments: '{"symbol":"BTCUSD","side":"buy","volume":1}' },
              { name: 'get_candles', arguments: '{"symbol": "BTCUSD", timeframe' },
            ],
          },
    );
    const summary = await runAnalyst({ ...base(), symbol: 'BTCUSD', endpoint: endpoint(fake) });
    const tools = fake.requests[1]!.body.messages.filter((m) => m.role === 'tool');
    const errors = tools.map((m) => JSON.parse(m.content as string));
    expect(errors[0]).toEqual({ error: 'invalid_request: unknown symbol "NOPE"; valid symbols: BTCUSD, XAUUSD, GBPJPY' });
    expect(errors[1].error).toMatch(/^no function named place_order is offered; offered: get_market_state, get_candles,/);
    expect(errors[2].error).toMatch(/^arguments are not a JSON object \(.*\): \{"symbol": "BTCUSD", timeframe$/);
    expect(summary.last?.toolCalls.map((c) => c.isError)).toEqual([true, true, true]);
    expect(summary.last?.bias).toBe('neutral');
  });

  it('offers write tools only with allowWrites, marked as needing approval, and hands the model the pending result', async () => {
    const script = (body: { messages: { role: string }[] }) =>
      body.messages.some((m) => m.role === 'tool')
        ? { text: 'Filed request 41 for approval.\nBias: neutral' }
        : { toolCalls: [{ name: 'place_order', arguments: '{"symbol":"BTCUSD","side":"buy","volume":0.01}' }] };
    const without = await model(script);
    await runAnalyst({ ...base(), url: `${withWrites.url}/mcp`, symbol: 'BTCUSD', endpoint: endpoint(without) });
    expect(without.requests[0]!.body.tools?.map((t) => t.function.name)).not.toContain('place_order');

    const fake = await model(script);
    const summary = await runAnalyst({ ...base(), url: `${withWrites.url}/mcp`, symbol: 'BTCUSD', endpoint: endpoint(fake), allowWrites: true });
    const offered = fake.requests[0]!.body.tools!;
    expect(offered.map((t) => t.function.name)).toEqual([...app.tools.map((t) => t.name), 'place_order']);
    expect(offered.at(-1)!.function.description).toMatch(/WRITE: files a request a human must approve/);
    expect(JSON.parse(fake.requests[1]!.body.messages.at(-1)!.content as string)).toEqual({ status: 'pending_approval', requestId: 41 });
    expect(summary.last?.toolCalls[0]).toMatchObject({ name: 'place_order', isError: false, output: { status: 'pending_approval', requestId: 41 } });
  });

  it('fails clearly when the model is still calling tools after maxRounds, and stores nothing', async () => {
    const fake = await model(() => ({ toolCalls: [{ name: 'get_system_status', arguments: '{}' }] }));
    const before = app.ctx.analysisHistory!.list({ limit: 1000 }).length;
    const run = runAnalyst({ ...base(), symbol: 'BTCUSD', endpoint: endpoint(fake), maxRounds: 3 });
    await expect(run).rejects.toBeInstanceOf(AnalystError);
    await expect(run).rejects.toMatchObject({
      code: 'analyst_max_rounds',
      message: expect.stringMatching(/^the model was still calling functions after 3 rounds \(3 calls: get_system_status\); no answer was stored/),
    });
    expect(fake.requests).toHaveLength(3);
    expect(app.ctx.analysisHistory!.list({ limit: 1000 })).toHaveLength(before);
  });

  it('--every: runs at once, then on every period of the injected clock, until stopped', async () => {
    const fake = await model(twoStepScript('BTCUSD', FINAL));
    const results: AnalystRunResult[] = [];
    const stop = new AbortController();
    const start = clock.now();
    const running = runAnalyst({ ...base(), symbol: 'BTCUSD', endpoint: endpoint(fake), everyMs: 15 * 60_000, signal: stop.signal, onResult: (r) => results.push(r) });
    await vi.waitFor(() => expect(results).toHaveLength(1), { timeout: 10_000, interval: 10 });
    clock.advance(14 * 60_000); // not due yet: the counts below prove no run started here
    clock.advance(60_000);
    await vi.waitFor(() => expect(results).toHaveLength(2), { timeout: 10_000, interval: 10 });
    stop.abort();
    const summary = await running;
    expect(summary).toMatchObject({ runs: 2, failed: 0, skipped: 0 });
    expect(results.map((r) => r.at - start)).toEqual([0, 15 * 60_000]);
    expect(fake.requests).toHaveLength(4);
    const stored = app.ctx.analysisHistory!.list({ symbol: 'BTCUSD', limit: 2 });
    expect(stored.map((r) => r.id)).toEqual([results[1]!.recordId, results[0]!.recordId]);
    expect(stored.map((r) => r.ts - start)).toEqual([15 * 60_000, 0]);
  });

  it('--every: a failed run is reported and the schedule goes on', async () => {
    const answer = twoStepScript('BTCUSD', FINAL);
    const fake = await model((body, index) => {
      if (index === 0) throw new Error('model overloaded');
      return answer(body, index);
    });
    const results: AnalystRunResult[] = [];
    const errors: Error[] = [];
    const stop = new AbortController();
    const running = runAnalyst({ ...base(), symbol: 'BTCUSD', endpoint: endpoint(fake), everyMs: 60_000, signal: stop.signal, onResult: (r) => results.push(r), onError: (e) => errors.push(e) });
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 10_000, interval: 10 });
    expect(errors[0]!.message).toBe('500 model overloaded');
    clock.advance(60_000);
    await vi.waitFor(() => expect(results).toHaveLength(1), { timeout: 10_000, interval: 10 });
    stop.abort();
    expect(await running).toMatchObject({ runs: 1, failed: 1, skipped: 0, last: { recordId: results[0]!.recordId, bias: 'bullish' } });
  });
});
