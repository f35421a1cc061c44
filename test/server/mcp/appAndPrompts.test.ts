/**
 * The show_chart MCP App and the prompts through a real in-process v2 client:
 * the tool carries `_meta.ui.resourceUri`, the `ui://` resource reads back as
 * the MCP App HTML (self-contained: lightweight-charts and the App bridge
 * inline, no external script), the call answers with structured content, and
 * the prompts render their arguments.
 */
import { Client } from '@modelcontextprotocol/client';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMcpServer } from '../../../src/server/mcp/buildMcpServer.js';
import { showChart } from '../../../src/tools/charts/showChart.js';
import { getCandles, getPositions, getStructure } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../../tools/realContext.js';

describe('show_chart MCP App and prompts (in-process client)', () => {
  let parts: RealParts;
  let server: McpServer;
  let client: Client;

  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
    server = buildMcpServer([getCandles, getStructure, getPositions, showChart] as never, parts.ctx, { name: 'utp', version: '0.1.0-test' });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await server.connect(s);
    client = new Client({ name: 'utp-test', version: '1.0.0' });
    await client.connect(c);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await parts?.close();
  });

  it('show_chart is listed with its UI resource in _meta (both the ui object and the legacy flat key)', async () => {
    const { tools } = await client.listTools();
    const chart = tools.find((t) => t.name === 'show_chart')!;
    expect(chart._meta).toEqual({ ui: { resourceUri: 'ui://utp/chart.html' }, 'ui/resourceUri': 'ui://utp/chart.html' });
    expect(chart.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(Object.keys(chart.inputSchema.properties ?? {})).toEqual(['symbol', 'timeframe', 'bars']);
    expect(tools.find((t) => t.name === 'get_candles')!._meta).toBeUndefined();
  });

  it('the ui:// resource is listed and reads back as one self-contained MCP App page', async () => {
    const { resources } = await client.listResources();
    expect(resources.find((r) => r.uri === 'ui://utp/chart.html')).toMatchObject({ name: 'chart', mimeType: RESOURCE_MIME_TYPE });
    expect(RESOURCE_MIME_TYPE).toBe('text/html;profile=mcp-app');
    const read = await client.readResource({ uri: 'ui://utp/chart.html' });
    expect(read.contents).toHaveLength(1);
    const page = read.contents[0] as { uri: string; mimeType: string; text: string };
    expect(page.mimeType).toBe(RESOURCE_MIME_TYPE);
    expect(page.text.startsWith('<!doctype html>')).toBe(true);
    expect(page.text).toContain('window.__UTP_CHART={"mode":"app"');
    expect(page.text).toContain('LightweightCharts'); // the standalone build, inline
    expect(page.text).toContain('createSeriesMarkers');
    expect(page.text).toContain('window.McpExtApps={'); // the App bridge, inline
    expect(page.text).toContain('"App":');
    expect(page.text).toContain('app.callServerTool');
    expect(page.text).not.toMatch(/<script[^>]+src=/i); // nothing fetched from a CDN
    expect(page.text).not.toMatch(/\bexport\s*\{[^}]*\}\s*;?\s*<\/script>/); // the ESM export list was rewritten
    expect(page.text.length).toBeGreaterThan(500_000);
  });

  it('calling show_chart answers structured content and the same JSON as text', async () => {
    const result = (await client.callTool({ name: 'show_chart', arguments: { symbol: 'BTCUSD', timeframe: 'M5', bars: 50 } })) as {
      isError?: boolean;
      content: { type: string; text: string }[];
      structuredContent: Record<string, unknown>;
    };
    expect(result.isError ?? false).toBe(false);
    expect(JSON.parse(result.content[0]!.text)).toEqual(result.structuredContent);
    expect(result.structuredContent).toEqual(await callTool(showChart, { symbol: 'BTCUSD', timeframe: 'M5', bars: 50 }, parts.ctx));
  });

  it('lists the three prompts with described arguments', async () => {
    const { prompts } = await client.listPrompts();
    const byName = Object.fromEntries(prompts.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['analyze_symbol', 'pre_trade_checklist', 'review_open_positions']);
    expect(byName.analyze_symbol!.arguments).toEqual([{ name: 'symbol', description: expect.stringMatching(/Canonical symbol/), required: true }]);
    expect(byName.pre_trade_checklist!.arguments).toEqual([
      { name: 'symbol', description: expect.stringMatching(/Canonical symbol/), required: true },
      { name: 'side', description: expect.stringMatching(/buy \(long\) or sell \(short\)/), required: true },
    ]);
    expect(byName.review_open_positions!.arguments ?? []).toEqual([]);
  });

  it('analyze_symbol names the symbol, the tools to call and the freshness checks', async () => {
    const got = await client.getPrompt({ name: 'analyze_symbol', arguments: { symbol: 'xauusd' } });
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]!.role).toBe('user');
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Analyse XAUUSD');
    for (const tool of ['get_market_state', 'get_multi_timeframe', 'get_structure', 'get_volatility_bridge', 'get_offsets', 'get_macro_context']) expect(text).toContain(tool);
    for (const field of ['asOf', 'ageMs', 'sources', 'gaps']) expect(text).toContain(field);
    expect(text).toContain('{symbol: "XAUUSD"}');
  });

  it('pre_trade_checklist takes the side and checks risk status; review_open_positions walks the positions', async () => {
    const got = await client.getPrompt({ name: 'pre_trade_checklist', arguments: { symbol: 'GBPJPY', side: 'sell' } });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('SELL on GBPJPY');
    expect(text).toContain('get_risk_status');
    expect(text).toContain('no fresh bullish CHOCH');
    expect(text).toMatch(/GO or NO-GO/);
    await expect(client.getPrompt({ name: 'pre_trade_checklist', arguments: { symbol: 'GBPJPY', side: 'short' } })).rejects.toThrow();
    const review = await client.getPrompt({ name: 'review_open_positions' });
    const r = (review.messages[0]!.content as { text: string }).text;
    for (const tool of ['get_positions', 'get_risk_status', 'get_dtms_status', 'get_exit_plans', 'get_structure']) expect(r).toContain(tool);
    expect(r).toContain('ageMs');
  });
});
