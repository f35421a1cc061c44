/**
 * The show_chart MCP App in headless Chromium, inside a minimal host: the
 * page read from `ui://utp/chart.html` through a real MCP client runs in an
 * iframe; the host answers the App bridge's `ui/initialize`, sends the tool
 * input and the real show_chart result, and proxies the App's `tools/call`
 * requests to UTP (as ChatGPT or Claude proxy them to the MCP server).
 * Skips, saying why, only when Chromium is absent.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type McpServer } from '@modelcontextprotocol/server';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApp, type HttpApp, type HttpRoute } from '../../../src/server/http/app.js';
import { buildMcpServer } from '../../../src/server/mcp/buildMcpServer.js';
import { showChart } from '../../../src/tools/charts/showChart.js';
import { getCandles, getOffsets, getPositions, getStructure, type ToolDefinition } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { realParts, type RealParts } from '../../tools/realContext.js';

const CHROMIUM = '/usr/bin/chromium';
const TOOLS = [getCandles, getStructure, getPositions, getOffsets, showChart] as unknown as ToolDefinition[];

/** The host page: embeds the App and plays the host side of the MCP Apps postMessage protocol. */
function hostPage(appHtml: string, toolResult: unknown): string {
  const script = `
    var log = window.hostLog = [];
    var iframe = document.createElement('iframe');
    iframe.style.width = '900px'; iframe.style.height = '520px';
    iframe.srcdoc = ${JSON.stringify(appHtml).replace(/</g, '\\u003c')};
    var post = function (m) { iframe.contentWindow.postMessage(Object.assign({ jsonrpc: '2.0' }, m), '*'); };
    window.addEventListener('message', function (ev) {
      if (ev.source !== iframe.contentWindow) return;
      var m = ev.data || {};
      log.push(m.method ? m.method + (m.params && m.params.name ? ':' + m.params.name : '') : 'response');
      if (m.method === 'ui/initialize') {
        post({ id: m.id, result: { protocolVersion: m.params.protocolVersion, hostInfo: { name: 'fake-host', version: '1' }, hostCapabilities: { serverTools: {} }, hostContext: {} } });
      } else if (m.method === 'ui/notifications/initialized') {
        post({ method: 'ui/notifications/tool-input', params: { arguments: { symbol: 'BTCUSD', timeframe: 'M5', bars: 50 } } });
        post({ method: 'ui/notifications/tool-result', params: ${JSON.stringify(toolResult).replace(/</g, '\\u003c')} });
      } else if (m.method === 'tools/call') {
        var args = m.params.arguments || {};
        var q = Object.keys(args).map(function (k) { return k + '=' + encodeURIComponent(args[k]); }).join('&');
        fetch('/api/tools/' + m.params.name + '?' + q).then(function (r) { return r.json(); }).then(function (body) {
          post({ id: m.id, result: { content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body } });
        });
      } else if (m.id !== undefined && m.method) {
        post({ id: m.id, result: {} });
      }
    });
    document.body.appendChild(iframe);`;
  return `<!doctype html><html><body style="margin:0;background:#fff"><script>${script}</script></body></html>`;
}

describe.skipIf(!existsSync(CHROMIUM))(`show_chart MCP App in a host iframe (headless Chromium${existsSync(CHROMIUM) ? '' : `: skipped, ${CHROMIUM} is absent`})`, () => {
  let parts: RealParts;
  let server: McpServer;
  let client: Client;
  let app: HttpApp;
  let browser: Browser;
  let page = '';

  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
    server = buildMcpServer(TOOLS, parts.ctx, { name: 'utp', version: '0.1.0-test' });
    const [c, s] = InMemoryTransport.createLinkedPair();
    await server.connect(s);
    client = new Client({ name: 'fake-host', version: '1' });
    await client.connect(c);
    const html = ((await client.readResource({ uri: 'ui://utp/chart.html' })).contents[0] as { text: string }).text;
    const result = await client.callTool({ name: 'show_chart', arguments: { symbol: 'BTCUSD', timeframe: 'M5', bars: 50 } });
    page = hostPage(html, result);
    const hostRoute: HttpRoute = {
      match: (path) => path === '/host',
      handle: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(page);
      },
    };
    app = await startHttpApp({
      host: '127.0.0.1',
      port: 0,
      token: null,
      allowedHosts: [],
      tools: TOOLS,
      ctx: parts.ctx,
      info: { name: 'utp', version: '0.1.0-test' },
      onError: () => {},
      routes: [hostRoute],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await client?.close();
    await server?.close();
    await parts?.close();
  });

  it('connects over the App bridge, draws the tool result, and refreshes through tools/call', async () => {
    const tab = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    const pageErrors: string[] = [];
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    await tab.goto(`${app.url}/host`);
    const frame = tab.frames().find((f) => f !== tab.mainFrame())!;
    expect(frame).toBeDefined();
    type Info = { mode: string; ready: boolean; candles: number; markers: number; refreshes: number; error: string | null };
    await frame.waitForFunction(() => (globalThis as unknown as { __utpChart?: Info }).__utpChart?.ready === true, null, { timeout: 15_000 });
    const first = await frame.evaluate(() => (globalThis as unknown as { __utpChart: Info }).__utpChart);
    expect(first).toMatchObject({ mode: 'app', ready: true, candles: 48, markers: 5, refreshes: 0, error: null });
    expect(await frame.textContent('#title')).toBe('BTCUSD M5 | trend bearish');

    await frame.evaluate(() => (globalThis as unknown as { __utpChart: { refresh(): Promise<void> } }).__utpChart.refresh());
    const after = await frame.evaluate(() => (globalThis as unknown as { __utpChart: Info }).__utpChart);
    expect(after).toMatchObject({ refreshes: 1, candles: 48, markers: 5, error: null });
    const log = await tab.evaluate(() => (globalThis as unknown as { hostLog: string[] }).hostLog);
    expect(log[0]).toBe('ui/initialize');
    expect(log).toContain('ui/notifications/initialized');
    for (const name of ['get_candles', 'get_structure', 'get_positions', 'get_offsets']) expect(log).toContain(`tools/call:${name}`);
    expect(pageErrors).toEqual([]);
    mkdirSync(path.join(os.tmpdir(), 'utp-chart-test'), { recursive: true });
    await tab.screenshot({ path: path.join(os.tmpdir(), 'utp-chart-test', 'chart-app.png') });
    await tab.close();
  });
});
