/**
 * The simulator's per-connection state and the faults it can inflict on one
 * connection: a silent stall (socket open, nothing sent, frames of the stall
 * lost for that client as in a real outage), frames sent out of order, and
 * malformed frames. Also the USD-M routing rule: `/public` carries bookTicker,
 * `/market` aggTrade/trade/kline, and any other route connects but stays silent.
 */
import type { WebSocket } from 'ws';
import { normaliseStream, type ControlTarget } from './binanceControl.js';
import type { BinanceMarket } from './binanceRecording.js';

/** One connected WebSocket client of the simulator. */
export type SimClient = ControlTarget & {
  /** Connection number, from 1, in connection order. */
  id: number;
  /** Request path and query, e.g. `/market/stream?streams=xauusdt@aggTrade`. */
  path: string;
  ws: WebSocket;
  micro: boolean;
  /** Stream kinds the route delivers (null = all). */
  kinds: ReadonlySet<string> | null;
  lastPong: number;
  waiter: (() => void) | null;
  onSent: () => void;
  /** Silent until this monotonic time (Infinity = until resumed; 0 = not stalled). */
  stallUntil: number;
  /** Frames skipped during stalls. */
  skipped: number;
  /** Out-of-order fault: the next `n` data frames are held, then sent in reverse order. */
  reorder: { n: number; held: string[] } | null;
};

/** What a test or harness sees of a client. */
export type SimClientInfo = Readonly<{ id: number; path: string; streams: readonly string[]; stalled: boolean; skipped: number }>;

/** Which clients a fault applies to: all, one id, several ids, or a predicate. */
export type ClientTarget = 'all' | number | readonly number[] | ((client: SimClientInfo) => boolean);

/** Public view of a client. */
export function clientInfo(c: SimClient, now: number): SimClientInfo {
  return { id: c.id, path: c.path, streams: [...c.streams], stalled: c.stallUntil > now, skipped: c.skipped };
}

/** The clients a target selects. */
export function selectClients(clients: Iterable<SimClient>, target: ClientTarget, now: number): SimClient[] {
  const out: SimClient[] = [];
  for (const c of clients) {
    if (target === 'all') out.push(c);
    else if (typeof target === 'number') {
      if (c.id === target) out.push(c);
    } else if (typeof target === 'function') {
      if (target(clientInfo(c, now))) out.push(c);
    } else if (target.includes(c.id)) out.push(c);
  }
  return out;
}

const USDM_ROUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  '/public': new Set(['bookTicker', 'depth']),
  '/market': new Set(['aggTrade', 'trade', 'kline']),
  '/private': new Set<string>(),
};
const SILENT: ReadonlySet<string> = new Set<string>();

/**
 * Splits an upgrade path into its route prefix and the rest, and the stream
 * kinds that route delivers: spot delivers everything (a routed prefix is
 * accepted and ignored); USD-M delivers by route, and the retired unrouted
 * paths (`/stream`, `/ws`) connect but deliver nothing, as Binance does.
 */
export function routeOf(market: BinanceMarket, pathname: string): { path: string; kinds: ReadonlySet<string> | null } {
  const m = /^\/(public|market|private)(?=\/)/.exec(pathname);
  const path = m ? pathname.slice(m[0].length) : pathname;
  if (market === 'spot') return { path, kinds: null };
  return { path, kinds: m ? (USDM_ROUTES[`/${m[1]}`] ?? SILENT) : SILENT };
}

/** What a WebSocket upgrade asks for: its streams, envelope, time unit and the kinds its route delivers. */
export type ClientRoute = Pick<SimClient, 'streams' | 'combined' | 'micro' | 'kinds'>;

/**
 * Reads an upgrade request URL: `/stream?streams=a/b` (combined envelope) or
 * `/ws/<stream>` (raw), behind a USD-M route prefix, `timeUnit=MICROSECOND`
 * on spot; null for any other path (answered 404).
 */
export function clientRoute(market: BinanceMarket, requestUrl: string): ClientRoute | null {
  const url = new URL(requestUrl, 'http://localhost');
  const { path, kinds } = routeOf(market, url.pathname);
  let streams: string[];
  let combined: boolean;
  if (path === '/stream') {
    streams = (url.searchParams.get('streams') ?? '').split('/');
    combined = true;
  } else if (path === '/ws' || path.startsWith('/ws/')) {
    streams = path.slice(4).split('/');
    combined = false;
  } else return null;
  const micro = market !== 'usdm' && url.searchParams.get('timeUnit')?.toUpperCase() === 'MICROSECOND';
  return { streams: new Set(streams.filter((s) => s !== '').map(normaliseStream)), combined, micro, kinds };
}

/** Kind part of a stream name (`btcusdt@kline_1m` → `kline`). */
export function streamKind(name: string): string {
  const kind = name.slice(name.indexOf('@') + 1);
  return kind.startsWith('kline_') ? 'kline' : kind;
}

/**
 * Malformed frames as a broken network or a faulty relay would produce them,
 * in the client's envelope: truncated JSON, non-JSON, a non-finite price, an
 * id of the wrong type. Every one must be counted and dropped by a client.
 */
export function malformedFrames(c: SimClient): string[] {
  const stream = [...c.streams][0] ?? 'btcusdt@aggTrade';
  const upper = stream.slice(0, stream.indexOf('@')).toUpperCase() || 'BTCUSDT';
  const bodies = [
    `{"e":"aggTrade","E":1,"s":"${upper}","a":1,"p":"NaN","q":"1.0","f":1,"l":1,"T":1,"m":true,"M":true}`,
    `{"e":"aggTrade","E":1,"s":"${upper}","a":"x","p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true,"M":true}`,
  ];
  const wrap = (data: string) => (c.combined ? `{"stream":"${stream}","data":${data}}` : data);
  return [wrap('{"e":"aggTrade","E":17672256'), '\u0000garbage\u00ff', ...bodies.map(wrap)];
}

/**
 * Passes a data frame through the client's faults: dropped while stalled,
 * held for the out-of-order fault. Returns the frames to send now, in order.
 */
export function throughFaults(c: SimClient, frame: string, now: number): readonly string[] {
  if (c.stallUntil > now) {
    c.skipped++;
    return [];
  }
  if (c.stallUntil !== 0) c.stallUntil = 0;
  const r = c.reorder;
  if (!r) return [frame];
  r.held.push(frame);
  if (r.held.length < r.n) return [];
  c.reorder = null;
  return r.held.reverse();
}
