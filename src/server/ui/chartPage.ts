import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/server';
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { CHART_RESOURCE_URI } from '../../tools/charts/showChart.js';
import { CHART_SCRIPT } from './chartScript.js';

/** Where the page runs: inside an MCP App host (data through the App bridge) or a plain browser (data from `/api/tools`). */
export type ChartMode = 'app' | 'browser';

/** What the page shows first; the app mode takes it from the tool call instead. */
export type ChartDefaults = Readonly<{ symbol: string; timeframe: string; bars: number }>;

const require = createRequire(import.meta.url);
const assets = new Map<string, string>();

/** The lightweight-charts standalone production build (sets `window.LightweightCharts`), read from node_modules once. */
export function lightweightChartsSource(): string {
  return cached('lwc', () => {
    const pkg = require.resolve('lightweight-charts/package.json');
    return readFileSync(path.join(path.dirname(pkg), 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
  });
}

/**
 * The MCP Apps View SDK (its dependency-free ESM bundle) rewritten to a module
 * script that publishes its exports on `window.McpExtApps` (so a single
 * inline page can use `App`), read from node_modules once.
 */
export function extAppsSource(): string {
  return cached('ext-apps', () => {
    const server = require.resolve('@modelcontextprotocol/ext-apps/server');
    const file = path.join(path.dirname(server), '..', 'app-with-deps.js');
    const source = readFileSync(file, 'utf8').trimEnd();
    const at = source.lastIndexOf('export{');
    if (at < 0 || !source.endsWith('};')) throw new Error(`unexpected bundle layout in ${file}: no trailing export list`);
    const names = source
      .slice(at + 'export{'.length, -2)
      .split(',')
      .map((pair) => {
        const [local, exported] = pair.split(' as ').map((s) => s.trim());
        return `${JSON.stringify(exported ?? local)}:${local}`;
      });
    return `${source.slice(0, at)}window.McpExtApps={${names.join(',')}};`;
  });
}

/** Keeps inline scripts from closing their own `<script>` element. */
function inline(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/**
 * The chart as one self-contained HTML page: no CDN, nothing fetched but
 * UTP's own tools. In `app` mode it also carries the MCP Apps View SDK.
 */
export function chartHtml(mode: ChartMode, defaults: ChartDefaults = { symbol: 'BTCUSD', timeframe: 'M1', bars: 200 }): string {
  const cfg = JSON.stringify({ mode, ...defaults }).replace(/</g, '\\u003c');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    '<title>UTP chart</title>',
    '<style>',
    'html,body{margin:0;height:100%;background:#0f1116;color:#c9d1d9;font:13px system-ui,sans-serif}',
    '#wrap{display:flex;flex-direction:column;height:100%;min-height:420px}',
    'header{padding:6px 10px;border-bottom:1px solid #1c2230}#title{font-weight:600;font-size:15px}',
    '#meta,#notes{color:#8b949e;font-size:12px;margin-top:2px}#notes{color:#d29922}',
    '#chart{flex:1;min-height:360px}',
    // Inline in a host the page reports its size (App autoResize), so it needs a height of its own.
    'body.app,html.app{height:auto}body.app #wrap{height:480px;min-height:0}',
    `</style></head><body class="${mode}"><div id="wrap">`,
    '<header><div id="title">UTP chart</div><div id="meta">loading...</div><div id="notes"></div></header>',
    '<div id="chart"></div></div>',
    `<script>window.__UTP_CHART=${cfg};</script>`,
    `<script>${inline(lightweightChartsSource())}</script>`,
    mode === 'app' ? `<script type="module">${inline(extAppsSource())}</script>` : '',
    // A module runs after the (module) bridge above; in browser mode it runs once the page is parsed.
    `<script type="module">${inline(CHART_SCRIPT)}</script>`,
    '</body></html>',
  ].join('\n');
}

/**
 * Registers the `ui://utp/chart.html` MCP App resource (MIME type
 * `text/html;profile=mcp-app`) that `show_chart`'s `_meta.ui.resourceUri`
 * points at.
 */
export function registerChartApp(server: McpServer): void {
  registerAppResource(
    server,
    'chart',
    CHART_RESOURCE_URI,
    { title: 'UTP chart', description: 'Interactive candle chart with structure marks, offset and positions (the show_chart view).', mimeType: RESOURCE_MIME_TYPE },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: cached('app-html', () => chartHtml('app')) }] }),
  );
}

function cached(key: string, build: () => string): string {
  let value = assets.get(key);
  if (value === undefined) {
    value = build();
    assets.set(key, value);
  }
  return value;
}
