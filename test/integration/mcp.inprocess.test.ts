/**
 * The MCP surface in process: the official v2 client over an in-memory
 * transport pair against the server UTP builds from its tool definitions,
 * backed by a composed app that replayed the whole recording. Every answer is
 * checked against values computed independently from the recording.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClock } from '../../src/core/clock/TestClock.js';
import { DATABASE_FILE, type App } from '../../src/server/compose.js';
import { buildMcpServer } from '../../src/server/mcp/buildMcpServer.js';
import {
  CLOCK_START,
  RECORDING,
  REPO_ROOT,
  expectedCandles,
  readAggTrades,
  startReplayApp,
  tempDir,
  waitForAccepted,
  type ExpectedCandle,
} from './replayFixture.js';

const rows = readAggTrades();
const M1 = expectedCandles(rows, 60_000);
const M5 = expectedCandles(rows, 300_000);
const LAST = rows[rows.length - 1]!;
const LAST_ISO = '2026-01-01T00:12:19.347Z';
const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The TestClock is advanced once by this much (so the recorder flushes); every age is then exactly this. */
const AGE = 250;

/** The tool shape of an expected candle; the last one of the recording is still forming. */
function toolCandle(c: ExpectedCandle, closed: boolean) {
  return {
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quoteVolume: c.quoteVolume,
    trades: c.trades,
    closed,
  };
}
const M1_TOOL = M1.map((c, i) => toolCandle(c, i < M1.length - 1));
const M5_TOOL = M5.map((c, i) => toolCandle(c, i < M5.length - 1));

const SOURCES = [{ source: 'binance', feed: 'binance-spot', state: 'connected', lastMessageAgeMs: AGE, droppedFrames: 0, reconnects: 0, active: true }];
const NO_GAPS = { open: [], filled: 0 };

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, any> };

describe('MCP in process (v2 client, in-memory transport)', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let clock: TestClock;
  let server: McpServer;
  let client: Client;

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> =>
    (await client.callTool({ name, arguments: args })) as unknown as ToolResult;
  const ok = async (name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const result = await call(name, args);
    expect(result.isError ?? false).toBe(false);
    // the same JSON as text for clients that ignore structuredContent
    expect(result.content).toHaveLength(1);
    expect(JSON.parse(result.content[0]!.text as string)).toEqual(result.structuredContent);
    return result.structuredContent as Record<string, any>;
  };

  beforeAll(async () => {
    dir = tempDir('utp-mcp-inproc-');
    ({ app, clock } = await startReplayApp(dir.dir));
    await waitForAccepted(app, 5000);
    clock.advance(AGE); // one recorder flush: the closed candles reach SQLite
    await app.flush(); // the store writer thread acknowledged it
    server = buildMcpServer(app.tools, app.ctx, { name: 'utp', version: VERSION });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    client = new Client({ name: 'utp-test', version: '1.0.0' });
    await client.connect(clientTransport);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await app?.stop();
    dir?.remove();
  });

  it('announces the server and lists exactly the read-only tools (writes disabled) with output schemas and described inputs', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'utp', version: VERSION });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['get_market_state', 'get_candles', 'get_multi_timeframe', 'get_system_status', 'get_volatility_bridge', 'get_structure', 'get_offsets', 'get_macro_context', 'analyze_market', 'get_analysis_history', 'get_account', 'get_positions', 'get_dtms_status', 'get_dtms_actions', 'get_exit_plans', 'get_risk_status', 'get_ticks', 'get_audit_log', 'get_parameters', 'get_approval', 'show_chart']);
    for (const tool of tools) {
      // get_approval may record an expiry it notices (an audit row), so it is not idempotent
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: tool.name !== 'get_approval' });
      expect(tool.description?.length).toBeGreaterThan(40);
      expect(tool.outputSchema).toMatchObject({ type: 'object' });
      expect(Object.keys(tool.outputSchema?.properties ?? {}).length).toBeGreaterThan(0);
      expect(tool.inputSchema.type).toBe('object');
      for (const [name, prop] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((prop as { description?: string }).description, `${tool.name}.${name}`).toMatch(/\w{3,}/);
      }
    }
    const candles = tools.find((t) => t.name === 'get_candles')!;
    expect(Object.keys(candles.inputSchema.properties ?? {})).toEqual(['symbol', 'timeframe', 'from', 'to', 'limit', 'cursor']);
    expect(candles.inputSchema.required).toEqual(['symbol', 'timeframe']);
  });

  it('get_market_state: the last trade is the last recorded row; no quote, and it says why', async () => {
    const state = await ok('get_market_state', { symbol: 'BTCUSD' });
    expect(state).toMatchObject({
      symbol: 'BTCUSD',
      bid: null,
      ask: null,
      mid: null,
      spread: null,
      quoteNote: expect.stringMatching(/trades only/),
      last: { price: LAST.price, size: LAST.qty, time: LAST_ISO, source: 'binance' },
      asOf: LAST_ISO,
      ageMs: AGE,
      sources: SOURCES,
      gaps: NO_GAPS,
    });
    expect(LAST).toMatchObject({ price: 87759.14, qty: 0.01614 });
    // symbols are case-insensitive
    expect((await ok('get_market_state', { symbol: 'btcusd' })).last).toEqual(state.last);
  });

  it('get_market_state of a configured symbol without data answers nulls, not an error', async () => {
    expect(await ok('get_market_state', { symbol: 'XAUUSD' })).toMatchObject({
      symbol: 'XAUUSD',
      bid: null,
      ask: null,
      mid: null,
      spread: null,
      quoteNote: 'no data received for this symbol yet',
      last: null,
      asOf: null,
      ageMs: null,
      sources: [],
      gaps: NO_GAPS,
    });
  });

  it('get_candles M1 limit 5: the five latest minutes, the last one still forming', async () => {
    const page = await ok('get_candles', { symbol: 'BTCUSD', timeframe: 'M1', limit: 5 });
    expect(page).toMatchObject({
      symbol: 'BTCUSD',
      timeframe: 'M1',
      source: 'binance',
      candles: M1_TOOL.slice(8),
      count: 5,
      lastIsOpen: true,
      hasMore: true,
      nextCursor: expect.any(String),
      asOf: LAST_ISO,
      sources: SOURCES,
      gaps: NO_GAPS,
    });
  });

  it('get_candles pages forward from a time through the whole range: no overlap, no gap', async () => {
    const seen: number[][] = [];
    let args: Record<string, unknown> = { symbol: 'BTCUSD', timeframe: 'M1', from: '2026-01-01T00:00:00Z', limit: 3 };
    const all: unknown[] = [];
    for (let guard = 0; guard < 10; guard++) {
      const page = await ok('get_candles', args);
      seen.push(page.candles.map((c: { openTime: number }) => c.openTime));
      all.push(...page.candles);
      expect(page.count).toBe(page.candles.length);
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        expect(page.lastIsOpen).toBe(true);
        break;
      }
      expect(page.lastIsOpen).toBe(false);
      args = { symbol: 'BTCUSD', timeframe: 'M1', cursor: page.nextCursor, limit: 3 };
    }
    expect(seen.map((p) => p.length)).toEqual([3, 3, 3, 3, 1]);
    expect(all).toEqual(M1_TOOL);
  });

  it('get_candles pages backward from the latest through the whole range', async () => {
    const pages: unknown[][] = [];
    let args: Record<string, unknown> = { symbol: 'BTCUSD', timeframe: 'M1', limit: 5 };
    for (let guard = 0; guard < 10; guard++) {
      const page = await ok('get_candles', args);
      pages.push(page.candles);
      if (!page.hasMore) {
        expect(page.nextCursor).toBeNull();
        break;
      }
      args = { symbol: 'BTCUSD', timeframe: 'M1', cursor: page.nextCursor, limit: 5 };
    }
    expect(pages.map((p) => p.length)).toEqual([5, 5, 3]);
    expect(pages.reverse().flat()).toEqual(M1_TOOL);
  });

  it('get_candles with from and to (epoch ms) answers that closed window only', async () => {
    const page = await ok('get_candles', { symbol: 'BTCUSD', timeframe: 'M5', from: M5[0]!.openTime, to: M5[1]!.openTime });
    expect(page).toMatchObject({ candles: M5_TOOL.slice(0, 2), count: 2, lastIsOpen: false, hasMore: false, nextCursor: null });
  });

  it('get_multi_timeframe: M1..H4 in one answer, each with its forming candle', async () => {
    const all = await ok('get_multi_timeframe', { symbol: 'BTCUSD' });
    const whole = (size: number) => expectedCandles(rows, size).map((c) => toolCandle(c, false));
    expect(all).toMatchObject({
      symbol: 'BTCUSD',
      source: 'binance',
      timeframes: {
        M1: { candles: M1_TOOL, lastIsOpen: true, hasMore: false },
        M5: { candles: M5_TOOL, lastIsOpen: true, hasMore: false },
        M15: { candles: whole(900_000), lastIsOpen: true, hasMore: false },
        H1: { candles: whole(3_600_000), lastIsOpen: true, hasMore: false },
        H4: { candles: whole(14_400_000), lastIsOpen: true, hasMore: false },
      },
      asOf: LAST_ISO,
      sources: SOURCES,
      gaps: NO_GAPS,
    });
    const two = await ok('get_multi_timeframe', { symbol: 'BTCUSD', bars: 2 });
    // every timeframe ends on the last trade: asOf is its venue time, ageMs the test clock's distance to it
    const fresh = { asOf: LAST_ISO, ageMs: 2_860_903 };
    expect(two.timeframes.M1).toEqual({ candles: M1_TOOL.slice(11), lastIsOpen: true, hasMore: true, ...fresh });
    expect(two.timeframes.M5).toEqual({ candles: M5_TOOL.slice(1), lastIsOpen: true, hasMore: true, ...fresh });
    expect(two.timeframes.H4).toEqual({ candles: whole(14_400_000), lastIsOpen: true, hasMore: false, ...fresh });
  });

  it('get_system_status: 5000 ticks in, none dropped, all stored', async () => {
    const status = await ok('get_system_status');
    expect(status).toMatchObject({
      mode: 'replay',
      version: VERSION,
      startedAt: new Date(CLOCK_START).toISOString(),
      uptimeMs: AGE,
      symbols: [
        { symbol: 'BTCUSD', binance: 'btcusdt (spot)', mt5: 'BTCUSD', primary: 'binance', ticks: 5000 },
        { symbol: 'XAUUSD', binance: 'xauusdt (usdm)', mt5: 'XAUUSD', primary: 'binance', ticks: 0 },
        { symbol: 'GBPJPY', binance: null, mt5: 'GBPJPY', primary: 'mt5', ticks: 0 },
      ],
      feeds: [
        {
          id: 'binance-spot',
          source: 'binance',
          state: 'connected',
          // two redundant connections to the replay server, merged: every trade arrives twice, once delivered
          detail: expect.stringMatching(/^2\/2 connections up; gaps open 0, filled 0, unfillable 0 \(0 trades recovered\); duplicates \d+$/),
          symbols: ['BTCUSD'],
          frames: expect.any(Number),
          ticks: 5000,
          dropped: 0,
          reconnects: 0,
          lastMessageAgeMs: AGE,
        },
      ],
      pipeline: { accepted: 5000, rejected: 0, rejectReasons: {}, unknownSymbol: 0, lateTicks: 0, candlesClosed: 753 },
      replay: { file: RECORDING, speed: 'max', loops: 0, framesSent: expect.any(Number) },
      store: {
        path: path.join(dir.dir, DATABASE_FILE),
        sizeBytes: expect.any(Number),
        ticks: 5000,
        candles: 753,
        pendingWrites: 0,
        writeErrors: 0,
      },
    });
    expect(status.pipeline.rejectReasons).toEqual({});
    expect(status.store.sizeBytes).toBeGreaterThan(100_000);
  });

  it('an unknown symbol is an isError result listing the valid symbols', async () => {
    const result = await call('get_market_state', { symbol: 'EURUSD' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(result.content[0]?.text).toBe('invalid_request: unknown symbol "EURUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY');
    const candles = await call('get_candles', { symbol: 'ETHUSD', timeframe: 'M1' });
    expect(candles.isError).toBe(true);
    expect(candles.content[0]?.text).toContain('valid symbols: BTCUSD, XAUUSD, GBPJPY');
  });

  it('a bad timeframe is an isError result naming the valid timeframes', async () => {
    const result = await call('get_candles', { symbol: 'BTCUSD', timeframe: 'M2' });
    expect(result.isError).toBe(true);
    const text = result.content.map((c) => c.text ?? '').join('\n');
    expect(text).toContain('timeframe');
    for (const tf of ['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1']) expect(text).toContain(`"${tf}"`);
  });

  it('a cursor the server did not issue is an isError result', async () => {
    const result = await call('get_candles', { symbol: 'BTCUSD', timeframe: 'M1', cursor: 'bm90LWEtY3Vyc29y' });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^invalid_request: cursor is not one this server issued/);
  });
});
