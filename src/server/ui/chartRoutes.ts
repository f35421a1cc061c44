import type { IncomingMessage, ServerResponse } from 'node:http';
import { TIMEFRAMES } from '../../core/index.js';
import type { HttpRoute } from '../http/app.js';
import { chartHtml, type ChartDefaults } from './chartPage.js';

/** Paths that serve the browser chart. */
export const CHART_PATHS: readonly string[] = ['/', '/chart', '/index.html'];

/** Options of the browser chart routes. */
export type ChartRouteOptions = Readonly<{ defaults?: Partial<ChartDefaults> }>;

/**
 * The chart for a browser at `/` (also `/chart`, `/index.html`): the same
 * page as the MCP App, in browser mode, fetching `/api/tools/get_candles`,
 * `get_structure`, `get_positions` and `get_offsets`. `?symbol=&timeframe=&bars=`
 * choose what it shows. The page itself holds no data, so it is served
 * without the bearer token (`ownAuth`); when UTP has one, open the page as
 * `/#token=<token>` and its API calls send it (a fragment never reaches a server).
 * Everything is inline; `/favicon.ico` answers 204.
 */
export function chartRoutes(options: ChartRouteOptions = {}): readonly HttpRoute[] {
  const defaults: ChartDefaults = { symbol: 'BTCUSD', timeframe: 'M1', bars: 200, ...options.defaults };
  return [
    {
      match: (path, method) => CHART_PATHS.includes(path) && (method === 'GET' || method === 'HEAD'),
      ownAuth: true,
      handle: (req, res) => servePage(req, res, defaults),
    },
    {
      match: (path, method) => path === '/favicon.ico' && (method === 'GET' || method === 'HEAD'),
      ownAuth: true,
      handle: (_req, res) => {
        res.writeHead(204, { 'cache-control': 'max-age=86400' });
        res.end();
      },
    },
  ];
}

/** The page's choice of symbol, timeframe and bars from the query string; invalid values fall back to the defaults. */
export function chartQuery(url: string, defaults: ChartDefaults): ChartDefaults {
  const q = new URL(url, 'http://x').searchParams;
  const symbol = q.get('symbol')?.toUpperCase();
  const timeframe = q.get('timeframe')?.toUpperCase();
  const bars = Number(q.get('bars'));
  return {
    symbol: symbol && /^[A-Z0-9._-]{1,20}$/.test(symbol) ? symbol : defaults.symbol,
    timeframe: timeframe && (TIMEFRAMES as readonly string[]).includes(timeframe) ? timeframe : defaults.timeframe,
    bars: Number.isInteger(bars) && bars >= 10 && bars <= 1000 ? bars : defaults.bars,
  };
}

function servePage(req: IncomingMessage, res: ServerResponse, defaults: ChartDefaults): void {
  const body = chartHtml('browser', chartQuery(req.url ?? '/', defaults));
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
