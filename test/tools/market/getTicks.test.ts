import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { TickRing } from '../../../src/pipeline/buffer/index.js';
import { buildMcpServer } from '../../../src/server/mcp/buildMcpServer.js';
import { MarketDataAccess } from '../../../src/store/index.js';
import { toolContract, type ToolContext, type ToolDefinition } from '../../../src/tools/index.js';
import { getTicks } from '../../../src/tools/market/getTicks.js';
import { klines2017, trades2017 } from '../../fixtures/load.js';
import { FakeArchive } from '../../store/access/fakeArchive.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

const trades = trades2017();
const H06 = Date.UTC(2017, 7, 17, 6);
const toolTick = ({ symbol: _s, ...t }: Tick) => t;

type Progress = { progress: number; total?: number; message?: string };
type Result = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, any> };

type Schema = { description?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; type?: string };

/** Properties without a description, at any depth (the contracts test's rule, applied before get_ticks is registered). */
function undescribed(s: Schema | undefined, p = ''): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    const here = p ? `${p}.${k}` : k;
    if (!sub.description?.trim()) out.push(here);
    out.push(...undescribed(sub, here));
  }
  out.push(...undescribed(s.items, `${p}[]`));
  for (const b of s.anyOf ?? []) out.push(...undescribed(b, p));
  return out;
}

describe('get_ticks contract', () => {
  it('is a read-only tool whose input and output describe every field', () => {
    const c = toolContract(getTicks as unknown as ToolDefinition) as { inputSchema: Schema; outputSchema: Schema; annotations: unknown; scope: string };
    expect(c.scope).toBe('read');
    expect(c.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
    expect(c.inputSchema.type).toBe('object');
    expect(undescribed(c.inputSchema)).toEqual([]);
    expect(undescribed(c.outputSchema)).toEqual([]);
  });
});

describe('get_ticks over a real in-process MCP client: SQLite (recorded by the pipeline) and the RAM buffer', () => {
  let parts: RealParts;
  let ctx: ToolContext;
  let server: McpServer;
  let client: Client;

  beforeAll(async () => {
    parts = await realParts(trades, { settleMs: 1_000 });
    expect(parts.store.ticks.countTicks('BTCUSD')).toBe(334);
    const ring = new TickRing();
    ring.refill('BTCUSD', [trades.filter((t) => t.tsEvent >= H06)], H06);
    ctx = { ...parts.ctx, access: new MarketDataAccess(parts.store.candles, parts.pipeline, 1_000, { window: ring, history: parts.store.ticks, archive: new FakeArchive() }) };
    server = buildMcpServer([getTicks] as never, ctx, { name: 'utp', version: 'test' });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    client = new Client({ name: 'utp-test', version: '1.0.0' });
    await client.connect(clientTransport);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await parts?.close();
  });

  it('returns every recorded tick of the range, says which layer answered, and sends progress notifications', async () => {
    const seen: Progress[] = [];
    const result = (await client.callTool(
      { name: 'get_ticks', arguments: { symbol: 'BTCUSD', from: '2017-08-17T04:00:00Z', to: '2017-08-17T08:00:00Z', limit: 5000 } },
      { onprogress: (p: Progress) => seen.push(p) },
    )) as unknown as Result;
    expect(result.isError).toBeUndefined();
    const out = result.structuredContent as Record<string, any>;
    expect(out.ticks).toEqual(trades.map(toolTick));
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      resolution: 'raw',
      from: '2017-08-17T04:00:00.000Z',
      to: '2017-08-17T08:00:00.000Z',
      count: 334,
      hasMore: false,
      nextCursor: null,
      layers: { ram: trades.filter((t) => t.tsEvent >= H06).length, sqlite: trades.filter((t) => t.tsEvent < H06).length, archive: 0 },
      asOf: '2017-08-17T07:59:42.846Z',
      sources: [{ source: 'binance', feed: 'binance-spot' }],
    });
    expect(seen).toEqual([
      { progress: 0, total: 2, message: 'reading sqlite 2017-08-17T04:00:00.000Z to 2017-08-17T06:00:00.000Z' },
      { progress: 1, total: 2, message: 'reading ram 2017-08-17T06:00:00.000Z to 2017-08-17T08:00:00.000Z' },
      { progress: 2, total: 2, message: 'done' },
    ]);
  });

  it('without a progress token the call answers the same and sends none', async () => {
    const result = (await client.callTool({ name: 'get_ticks', arguments: { symbol: 'btcusd', from: H06, to: H06 + 60_000 } })) as unknown as Result;
    expect(result.structuredContent?.ticks).toEqual(trades.filter((t) => t.tsEvent >= H06 && t.tsEvent < H06 + 60_000).map(toolTick));
  });

  it('pages of 100 with nextCursor cover the range exactly; to defaults to now', async () => {
    const got: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const out = await callTool(getTicks, { symbol: 'BTCUSD', from: '2017-08-17T04:00:00Z', limit: 100, ...(cursor ? { cursor } : {}) }, ctx);
      pages++;
      got.push(...out.ticks);
      expect(out.count).toBe(out.ticks.length);
      if (!out.hasMore) break;
      expect(out.count).toBe(100);
      cursor = out.nextCursor as string;
    }
    expect(pages).toBe(4);
    expect(got).toEqual(trades.map(toolTick));
  });

  it('1m resolution: bars equal the official klines of the minutes that had trades', async () => {
    const out = await callTool(getTicks, { symbol: 'BTCUSD', from: '2017-08-17T04:00:00Z', to: '2017-08-17T08:00:00Z', resolution: '1m', limit: 5000 }, ctx);
    const official = klines2017().filter((k) => k.trades > 0 && k.openTime < Date.UTC(2017, 7, 17, 8));
    expect(out.bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.trades])).toEqual(official.map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.trades]));
    expect(out).toMatchObject({ count: official.length, ticks: [], hasMore: false });
  });

  it('a backwards range is an error the model can act on', async () => {
    const result = (await client.callTool({ name: 'get_ticks', arguments: { symbol: 'BTCUSD', from: H06, to: H06 - 1 } })) as unknown as Result;
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe('invalid_request: to (2017-08-17T05:59:59.999Z) must be later than from (2017-08-17T06:00:00.000Z)');
  });
});
