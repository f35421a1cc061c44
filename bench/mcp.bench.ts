import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { EventBus, TestClock, type Candle, type Timeframe } from '../src/core/index.js';
import { aggregateCandles, importFile, Pipeline } from '../src/pipeline/index.js';
import { MarketDataAccess, openStore, type Store } from '../src/store/index.js';
import { ALL_TOOLS, type SystemFacts, type ToolContext } from '../src/tools/index.js';
import { DEFAULT_SYMBOLS } from '../src/server/config.js';
import { buildMcpServer } from '../src/server/mcp/buildMcpServer.js';

const KLINES_DIR = new URL('../test/fixtures/binance/', import.meta.url).pathname;
const MT5_DIR = new URL('../test/fixtures/mt5/', import.meta.url).pathname;

/** Percentile of a sorted sample. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function loadCandles(file: string, source: 'binance' | 'mt5', extra: Record<string, unknown> = {}): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const batch of importFile(file, { source, symbol: 'BTCUSD', onError: 'stop', ...extra })) out.push(...batch.candles);
  return out;
}

/**
 * A store holding at least 500 closed candles per analysis timeframe for BTCUSD:
 * M1/M5/M15 from 8 days of official Binance 1m klines, H1/H4 from the real MT5
 * BTCUSD bar exports (relabelled as the binance stream: this measures query
 * and serialisation cost, not prices).
 */
export async function benchContext(dir: string): Promise<{ ctx: ToolContext; store: Store }> {
  const store = openStore({ path: path.join(dir, 'bench.sqlite') });
  const m1: Candle[] = [];
  for (const f of readdirSync(KLINES_DIR).filter((n) => /^BTCUSDT-1m-2024-03-1\d\.csv$/.test(n)).sort()) m1.push(...(await loadCandles(path.join(KLINES_DIR, f), 'binance')));
  const rows: Candle[] = [...m1, ...aggregateCandles(m1, 'M5'), ...aggregateCandles(m1, 'M15')];
  for (const tf of ['H1', 'H4'] as Timeframe[]) {
    const file = readdirSync(MT5_DIR).find((n) => n.startsWith(`BTCUSD_${tf}_`) && n.endsWith('.csv') && n.includes('from'));
    if (file) rows.push(...(await loadCandles(path.join(MT5_DIR, file), 'mt5', { serverOffset: 'eet' })).map((c) => ({ ...c, sources: ['binance' as const] })));
  }
  store.candles.upsertCandles(rows);
  const clock = new TestClock(Date.UTC(2024, 2, 19));
  const bus = new EventBus();
  const pipeline = new Pipeline({ bus, clock, symbols: DEFAULT_SYMBOLS });
  const facts = (): SystemFacts => ({
    mode: 'replay',
    startedAt: clock.now(),
    version: 'bench',
    feeds: [],
    pipeline: pipeline.stats(),
    store: { path: 'bench', sizeBytes: 0, ticks: 0, candles: rows.length, pendingWrites: 0, writeErrors: 0 },
    replay: null,
  });
  const ctx: ToolContext = { clock, symbols: DEFAULT_SYMBOLS, live: pipeline, access: new MarketDataAccess(store.candles, pipeline), facts };
  return { ctx, store };
}

async function connect(server: McpServer): Promise<Client> {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(b);
  return client;
}

async function timeCalls(client: Client, name: string, args: Record<string, unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const result = await client.callTool({ name, arguments: args });
    out.push(performance.now() - t0);
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  }
  return out.sort((x, y) => x - y);
}

/**
 * get_market_state over MCP (in-memory transport, v2 client) against the SDK's
 * own minimal echo tool over the same transport; and the 5 x 500-bar
 * multi-timeframe answer. Returns p50s in ms.
 */
export async function mcpBench(n = 2000): Promise<{ echoP50: number; stateP50: number; mtfP50: number; mtfP99: number; mtfBars: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-mcp-bench-'));
  try {
    const { ctx, store } = await benchContext(dir);
    const echo = new McpServer({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
    echo.registerTool('echo', { description: 'echo', inputSchema: z.object({ text: z.string() }), outputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
      content: [{ type: 'text', text }],
      structuredContent: { text },
    }));
    const echoClient = await connect(echo);
    const utpClient = await connect(buildMcpServer(ALL_TOOLS, ctx, { name: 'utp', version: 'bench' }));
    await timeCalls(echoClient, 'echo', { text: 'BTCUSD' }, 200);
    await timeCalls(utpClient, 'get_market_state', { symbol: 'BTCUSD' }, 200);
    const echoT = await timeCalls(echoClient, 'echo', { text: 'BTCUSD' }, n);
    const stateT = await timeCalls(utpClient, 'get_market_state', { symbol: 'BTCUSD' }, n);
    const mtfT = await timeCalls(utpClient, 'get_multi_timeframe', { symbol: 'BTCUSD', bars: 500 }, 200);
    const probe = await utpClient.callTool({ name: 'get_multi_timeframe', arguments: { symbol: 'BTCUSD', bars: 500 } });
    const frames = (probe.structuredContent as { timeframes: Record<string, { candles: unknown[] }> }).timeframes;
    const mtfBars = Object.values(frames).reduce((sum, f) => sum + f.candles.length, 0);
    await echoClient.close();
    await utpClient.close();
    store.close();
    return { echoP50: percentile(echoT, 50), stateP50: percentile(stateT, 50), mtfP50: percentile(mtfT, 50), mtfP99: percentile(mtfT, 99), mtfBars };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
