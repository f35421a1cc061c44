/**
 * What the simulator tests share: Binance replay servers and raw WebSocket
 * clients that are closed after each test, and a bounded wait for real I/O.
 */
import { afterEach, vi } from 'vitest';
import { WebSocket } from 'ws';
import { TestClock } from '../../src/core/clock/TestClock.js';
import { BinanceReplayServer, type BinanceReplayServerOptions } from '../../src/sim/BinanceReplayServer.js';
import type { BinanceRecording } from '../../src/sim/binanceRecording.js';

const servers: BinanceReplayServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a replay server; it is closed after the test. */
export async function serve(options: BinanceReplayServerOptions): Promise<BinanceReplayServer> {
  const server = new BinanceReplayServer(options);
  servers.push(server);
  await server.start();
  return server;
}

/** Starts a replay server of `recordings` at speed 1 (unless `options` say otherwise) on its own TestClock at `t0`. */
export async function serveOnClock(
  recordings: BinanceRecording,
  options: Partial<BinanceReplayServerOptions> = {},
  t0 = Date.UTC(2026, 0, 1, 1),
): Promise<{ server: BinanceReplayServer; clock: TestClock }> {
  const clock = new TestClock(t0);
  const server = await serve({ recordings, clock, speed: 1, ...options });
  return { server, clock };
}

/** A raw WebSocket client with the text frames it received and the pings it saw. */
export type Client = { ws: WebSocket; frames: string[]; pings: number };

/** Connects a client (terminated after the test) and waits until it is open. */
export async function client(url: string, options: { autoPong?: boolean } = {}): Promise<Client> {
  const ws = new WebSocket(url, options);
  sockets.push(ws);
  const c: Client = { ws, frames: [], pings: 0 };
  ws.on('message', (d) => c.frames.push(d.toString()));
  ws.on('ping', () => c.pings++);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return c;
}

/** Waits (bounded) for real I/O until `fn` passes. */
export const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });
