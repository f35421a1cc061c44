/**
 * `utp mcp` as Claude Desktop launches it: the legacy v1 SDK client spawns
 * `node bin/utp.js mcp` over stdio, the child replays the recording at max
 * speed, every tool is called, stdout carries JSON-RPC only, and closing the
 * client's stdin stops the process cleanly (exit 0, store flushed).
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASE_FILE } from '../../src/server/compose.js';
import { RECORDING, UTP_BIN, expectedCandles, readAggTrades, requireBuild, tempDir, type ExpectedCandle } from './replayFixture.js';

const rows = readAggTrades();
const M1 = expectedCandles(rows, 60_000);
const LAST = rows[rows.length - 1]!;
const LAST_ISO = '2026-01-01T00:12:19.347Z';

function toolCandle(c: ExpectedCandle, closed: boolean) {
  const { openTime, open, high, low, close, volume, quoteVolume, trades } = c;
  return { openTime, open, high, low, close, volume, quoteVolume, trades, closed };
}

type ToolResult = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, any> };

describe('utp mcp over stdio (v1 SDK client)', () => {
  let dir: ReturnType<typeof tempDir>;
  let client: Client;
  let transport: StdioClientTransport;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  const clientErrors: Error[] = [];
  const kills: unknown[] = [];
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> =>
    (await client.callTool({ name, arguments: args })) as unknown as ToolResult;
  const ok = async (name: string, args: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const result = await call(name, args);
    expect(result.isError ?? false, result.content[0]?.text).toBe(false);
    expect(JSON.parse(result.content[0]!.text as string)).toEqual(result.structuredContent);
    return result.structuredContent as Record<string, any>;
  };

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('utp-mcp-stdio-');
    writeFileSync(path.join(dir.dir, 'utp.config.json'), JSON.stringify({ replay: { loop: false } }));
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [UTP_BIN, 'mcp', '--data-dir', dir.dir, '--speed', 'max'],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Tap the child's raw stdout and its kill() as the transport spawns it (private field of the v1 transport).
    const start = transport.start.bind(transport);
    transport.start = async () => {
      const started = start();
      child = (transport as unknown as { _process?: ChildProcess })._process;
      if (!child?.stdout) throw new Error('StdioClientTransport internals changed: no _process.stdout');
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const kill = child.kill.bind(child);
      child.kill = (signal?: NodeJS.Signals | number) => (kills.push(signal), kill(signal));
      const proc = child;
      exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
      return started;
    };
    client = new Client({ name: 'utp-legacy-test', version: '1.0.0' });
    client.onerror = (error) => clientErrors.push(error);
    await client.connect(transport);
    // the child replays on its own clock; wait until everything is in and written
    await vi.waitFor(
      async () => {
        const status = await ok('get_system_status');
        expect(status.symbols[0].ticks).toBe(5000);
        expect(status.store).toMatchObject({ ticks: 5000, pendingWrites: 0 });
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  afterAll(async () => {
    await client?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    dir?.remove();
  });

  it('speaks the 2025 protocol to a legacy client and lists the read-only tools with output schemas', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'utp' });
    expect(client.getInstructions()).toMatch(/asOf/);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['get_market_state', 'get_candles', 'get_multi_timeframe', 'get_system_status', 'get_volatility_bridge', 'get_structure', 'get_offsets', 'get_macro_context', 'analyze_market', 'get_analysis_history', 'get_account', 'get_positions', 'get_dtms_status', 'get_dtms_actions', 'get_exit_plans', 'get_risk_status', 'get_ticks', 'get_audit_log', 'get_parameters', 'get_approval', 'show_chart']);
    for (const tool of tools) {
      expect(tool.annotations?.readOnlyHint).toBe(true);
      expect(tool.outputSchema?.type).toBe('object');
    }
  });

  it('get_market_state: the last trade is the last recorded row', async () => {
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
      gaps: { open: [], filled: 0 },
    });
    expect(state.ageMs).toBeGreaterThanOrEqual(0);
    expect(state.sources).toEqual([
      { source: 'binance', feed: 'binance-spot', state: 'connected', lastMessageAgeMs: expect.any(Number), droppedFrames: 0, reconnects: 0, active: true },
    ]);
  });

  it('get_candles: the five latest minutes equal the computation, the last one forming', async () => {
    // The forming minute would close by the clock ~42.6 s after the replay ended; this file takes a few seconds.
    const page = await ok('get_candles', { symbol: 'BTCUSD', timeframe: 'M1', limit: 5 });
    expect(page).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance', count: 5, lastIsOpen: true, hasMore: true, asOf: LAST_ISO });
    expect(page.candles).toEqual(M1.slice(8).map((c, i) => toolCandle(c, i < 4)));
    expect(typeof page.nextCursor).toBe('string');
  });

  it('get_multi_timeframe: every analysis timeframe with its forming candle', async () => {
    const all = await ok('get_multi_timeframe', { symbol: 'BTCUSD', bars: 20 });
    expect(Object.keys(all.timeframes)).toEqual(['M1', 'M5', 'M15', 'H1', 'H4']);
    expect(all.timeframes.M1.candles).toEqual(M1.map((c, i) => toolCandle(c, i < 12)));
    expect(all.timeframes.M5.candles.map((c: { openTime: number }) => c.openTime)).toEqual([0, 5, 10].map((m) => Date.UTC(2026, 0, 1, 0, m)));
    for (const tf of ['M1', 'M5', 'M15', 'H1', 'H4']) expect(all.timeframes[tf]).toMatchObject({ lastIsOpen: true, hasMore: false });
    expect(all.timeframes.H4.candles).toEqual([toolCandle(expectedCandles(rows, 14_400_000)[0]!, false)]);
    expect(all.asOf).toBe(LAST_ISO);
  });

  it('get_system_status: replay done, 5000 ticks, nothing dropped', async () => {
    const status = await ok('get_system_status');
    expect(status).toMatchObject({
      mode: 'replay',
      feeds: [{ id: 'binance-spot', state: 'connected', ticks: 5000, dropped: 0, reconnects: 0 }],
      pipeline: { accepted: 5000, rejected: 0, unknownSymbol: 0, lateTicks: 0 },
      replay: { file: RECORDING, speed: 'max', loops: 0 },
      store: { path: path.join(dir.dir, DATABASE_FILE), ticks: 5000, writeErrors: 0 },
    });
    expect(status.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('domain errors come back as isError results', async () => {
    const result = await call('get_candles', { symbol: 'EURUSD', timeframe: 'M1' });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe('invalid_request: unknown symbol "EURUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY');
  });

  it('writes nothing but JSON-RPC to stdout (logs go to stderr)', () => {
    expect(clientErrors).toEqual([]);
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('"msg":"MCP stdio serving"');
  });

  it('closing the client ends the process with exit code 0 and leaves 5000 ticks in SQLite', async () => {
    await client.close();
    await expect(exited).resolves.toEqual({ code: 0, signal: null });
    expect(kills).toEqual([]); // it stopped on stdin end, not on the transport's SIGTERM fallback
    expect(stderr).toContain('"msg":"stopped"');
    const db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS d, MAX(seq) AS last FROM unified_ticks').get()).toEqual({
        n: 5000,
        d: 5000,
        last: LAST.a,
      });
      expect(db.prepare("SELECT COUNT(*) AS n FROM candles WHERE timeframe = 'M1' AND closed = 1").get()).toEqual({ n: 12 });
    } finally {
      db.close();
    }
  });
});
