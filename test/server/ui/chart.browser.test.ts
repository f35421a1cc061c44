/**
 * The browser chart in headless Chromium (Debian's package at /usr/bin/chromium):
 * startHttpApp with the chart routes, a bearer token and a context holding the
 * recorded 2017 BTCUSDT trades and a wired trading desk; the page fetches the
 * read-only tools through /api/tools with the token from its URL fragment,
 * and a screenshot must show candles in both candle colours. Skips, saying
 * why, only when Chromium is absent.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpApp, type HttpApp } from '../../../src/server/http/app.js';
import { chartRoutes } from '../../../src/server/ui/chartRoutes.js';
import { showChart } from '../../../src/tools/charts/showChart.js';
import { getCandles, getOffsets, getPositions, getStructure, type ToolContext } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../../tools/realContext.js';
import { scenarioATrading } from '../../tools/trading/scenarioA.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'chart-test-token-0123456789';
const UP = [38, 166, 154]; // #26a69a
const DOWN = [239, 83, 80]; // #ef5350

type ChartInfo = { mode: string; ready: boolean; candles: number; markers: number; priceLines: number; refreshes: number; error: string | null };

describe.skipIf(!existsSync(CHROMIUM))(`browser chart (headless Chromium${existsSync(CHROMIUM) ? '' : `: skipped, ${CHROMIUM} is absent; CI installs Debian's chromium`})`, () => {
  let parts: RealParts;
  let desk: Awaited<ReturnType<typeof scenarioATrading>>;
  let ctx: ToolContext;
  let app: HttpApp;
  let browser: Browser;
  const errors: Error[] = [];

  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
    desk = await scenarioATrading();
    ctx = { ...parts.ctx, trading: desk.view };
    app = await startHttpApp({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      allowedHosts: [],
      tools: [getCandles, getStructure, getPositions, getOffsets] as never,
      ctx,
      info: { name: 'utp', version: '0.1.0-test' },
      onError: (e) => errors.push(e),
      routes: chartRoutes(),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    desk?.close();
    await parts?.close();
  });

  it('serves the page without the token, but its data only with it', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('window.__UTP_CHART={"mode":"browser","symbol":"BTCUSD","timeframe":"M1","bars":200}');
    expect(html).not.toContain('window.McpExtApps={'); // the App bridge is only in the MCP App page
    expect((await fetch(`${app.url}/api/tools/get_candles?symbol=BTCUSD&timeframe=M5`)).status).toBe(401);
    expect((await fetch(`${app.url}/favicon.ico`)).status).toBe(204);
  });

  it('draws the M5 candles, BOS/CHOCH markers, zone and position lines; the screenshot shows both candle colours', async () => {
    const expected = await callTool(showChart, { symbol: 'BTCUSD', timeframe: 'M5', bars: 50 }, ctx);
    const breaks = expected.structure.filter((e) => ['bos', 'choch', 'liquidity_sweep'].includes(e.kind)).length;
    const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${app.url}/?symbol=BTCUSD&timeframe=M5&bars=50#token=${TOKEN}`);
    await page.waitForFunction(() => (globalThis as unknown as { __utpChart?: ChartInfo }).__utpChart?.ready === true, null, { timeout: 15_000 });
    await page.waitForTimeout(300); // one animation frame or two for the canvas paint
    const info = await page.evaluate(() => (globalThis as unknown as { __utpChart: ChartInfo }).__utpChart);
    expect(consoleErrors).toEqual([]);
    expect(info).toMatchObject({ mode: 'browser', ready: true, candles: 48, markers: breaks, error: null });
    expect(breaks).toBe(5);
    // zones: up to 6 active order blocks / gaps, two lines each; the position: entry and stop (no take profit)
    expect(info.priceLines).toBeGreaterThanOrEqual(2 + 2);
    expect(info.priceLines % 2).toBe(0);
    expect(await page.textContent('#title')).toBe('BTCUSD M5 | trend bearish');
    const meta = await page.textContent('#meta');
    expect(meta).toContain('asOf 2017-08-17T07:59:42.846Z');
    expect(meta).toContain('binance-spot:replaying');

    const shot = await page.locator('#chart').screenshot();
    const dir = path.join(os.tmpdir(), 'utp-chart-test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'chart-M5.png'), shot);
    const counts = await page.evaluate(
      async ({ b64, up, down }) => {
        // runs in the page (this project's lib has no DOM types)
        const dom = globalThis as any;
        const img = new dom.Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = dom.document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        const data = g.getImageData(0, 0, img.width, img.height).data as Uint8ClampedArray;
        const near = (i: number, c: number[]) => Math.abs(data[i]! - c[0]!) <= 8 && Math.abs(data[i + 1]! - c[1]!) <= 8 && Math.abs(data[i + 2]! - c[2]!) <= 8;
        let upPx = 0;
        let downPx = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (near(i, up)) upPx++;
          else if (near(i, down)) downPx++;
        }
        return { upPx, downPx, width: img.width as number, height: img.height as number };
      },
      { b64: shot.toString('base64'), up: UP, down: DOWN },
    );
    expect(counts.width).toBeGreaterThan(900);
    // 48 candles over ~900 px: each body is several pixels wide; both colours are present in quantity
    expect(counts.upPx).toBeGreaterThan(500);
    expect(counts.downPx).toBeGreaterThan(200);
    await page.close();
    expect(errors).toEqual([]);
  });

  it('falls back to the defaults for a bad query and shows why a timeframe has no structure', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
    await page.goto(`${app.url}/?symbol=BTCUSD&timeframe=D1&bars=5#token=${TOKEN}`); // bars below 10: default 200
    await page.waitForFunction(() => (globalThis as unknown as { __utpChart?: ChartInfo }).__utpChart?.ready === true, null, { timeout: 15_000 });
    const info = await page.evaluate(() => (globalThis as unknown as { __utpChart: ChartInfo }).__utpChart);
    expect(info).toMatchObject({ candles: 1, markers: 0 });
    expect(await page.textContent('#notes')).toContain('no structure on D1');
    await page.close();
  });
});
