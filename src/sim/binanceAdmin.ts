/**
 * HTTP control of the simulator's fault hooks, for a harness in another
 * process (tests in the same process call the methods directly). Paths live
 * under `/__sim/`, which Binance never uses; answers are JSON.
 *
 * GET  /__sim/status, /__sim/clients
 * POST /__sim/drop?client=all|1,2   /__sim/stall?ms=5000&client=1   /__sim/resume?client=
 *      /__sim/reorder?n=5&client=   /__sim/malformed?client=        /__sim/shutdown?client=
 *      /__sim/rate-limit?n=3&retryAfter=2   /__sim/refuse?ms=10000&ws=1&rest=0
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientTarget, SimClientInfo } from './binanceClients.js';

/** The fault hooks the admin endpoint drives (implemented by `BinanceReplayServer`). */
export type FaultHooks = {
  status(): unknown;
  clientList(): SimClientInfo[];
  dropClients(target?: ClientTarget): number;
  stallClients(ms: number, target?: ClientTarget): number[];
  resumeClients(target?: ClientTarget): number;
  reorderNext(n: number, target?: ClientTarget): number;
  sendMalformed(target?: ClientTarget): number;
  sendServerShutdown(target?: ClientTarget): number;
  rateLimitRest(n: number, retryAfterSec?: number): void;
  refuseConnections(ms: number, what?: { ws?: boolean; rest?: boolean }): void;
};

function target(q: URLSearchParams): ClientTarget {
  const v = q.get('client');
  if (v === null || v === '' || v === 'all') return 'all';
  return v.split(',').map(Number);
}

function num(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  const n = v === null ? fallback : Number(v);
  return Number.isFinite(n) || n === Infinity ? n : fallback;
}

/** Answers `/__sim/*` requests; false for any other path. */
export function handleAdmin(hooks: FaultHooks, req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith('/__sim/')) return false;
  const q = url.searchParams;
  const action = url.pathname.slice('/__sim/'.length);
  const get = req.method === 'GET';
  let body: unknown;
  if (get && action === 'status') body = hooks.status();
  else if (get && action === 'clients') body = hooks.clientList();
  else if (get) body = undefined;
  else if (action === 'drop') body = { clients: hooks.dropClients(target(q)) };
  else if (action === 'stall') body = { stalled: hooks.stallClients(num(q, 'ms', Infinity), target(q)) };
  else if (action === 'resume') body = { clients: hooks.resumeClients(target(q)) };
  else if (action === 'reorder') body = { clients: hooks.reorderNext(num(q, 'n', 5), target(q)) };
  else if (action === 'malformed') body = { frames: hooks.sendMalformed(target(q)) };
  else if (action === 'shutdown') body = { clients: hooks.sendServerShutdown(target(q)) };
  else if (action === 'rate-limit') {
    hooks.rateLimitRest(num(q, 'n', 1), num(q, 'retryAfter', 1));
    body = { ok: true };
  } else if (action === 'refuse') {
    hooks.refuseConnections(num(q, 'ms', Infinity), { ws: q.get('ws') !== '0', rest: q.get('rest') === '1' });
    body = { ok: true };
  }
  if (body === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown simulator action"}');
  else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}
