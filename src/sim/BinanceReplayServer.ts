/**
 * A local stand-in for Binance market data: the WebSocket protocol
 * (`/stream?streams=a/b` combined envelope, `/ws/<stream>` raw,
 * `timeUnit=MICROSECOND`, live control messages, pings every 20 s, USD-M
 * routes `/public` and `/market` with silent wrong routes) and, on the same
 * port, the REST endpoints a client gap-fills from (see `BinanceRestSim`),
 * both answering only from what the replay has already played. One shared
 * timeline: every client gets the same frames from the moment it connects.
 * Fault hooks (tests, and a harness through `/__sim/*`): drop, stall, reorder,
 * malformed frames, 429s, refused connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { Cancel, Clock } from '../core/clock/Clock.js';
import { handleAdmin } from './binanceAdmin.js';
import { clientInfo, clientRoute, malformedFrames, selectClients, streamKind, type ClientTarget, type SimClient, type SimClientInfo } from './binanceClients.js';
import { handleControl } from './binanceControl.js';
import { ReplayHistory } from './binanceHistory.js';
import { ReplayPlayer, type PlayerRec } from './binancePlayer.js';
import { buildTimeline, idSpans, recordingStreams, type BinanceMarket, type BinanceRecording } from './binanceRecording.js';
import { BinanceRestSim } from './binanceRestSim.js';
import type { BinanceReplayServerOptions, ReplaySpeed, ReplayStatus } from './binanceReplayTypes.js';

export type { ClientTarget, SimClientInfo } from './binanceClients.js';
export type { RestSimStatus } from './binanceRestSim.js';
export type { BinanceReplayServerOptions, ReplaySpeed, ReplayStatus } from './binanceReplayTypes.js';

/** The Binance replay server; `start()` then connect to `url` (WS) or `restUrl` (HTTP). */
export class BinanceReplayServer {
  private readonly o: BinanceReplayServerOptions;
  private readonly clock: Clock;
  private readonly speed: ReplaySpeed;
  private readonly market: BinanceMarket;
  private readonly player: ReplayPlayer;
  private readonly events: number;
  private readonly lengthMs: number;
  private readonly restSim: BinanceRestSim;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<SimClient>();
  private nextClientId = 1;
  private port = 0;
  private closed = false;
  private refuseWsUntil = 0;
  private refuseRestUntil = 0;
  private pingTimer: Cancel | null = null;

  constructor(options: BinanceReplayServerOptions) {
    this.o = options;
    this.clock = options.clock;
    this.speed = options.speed ?? 1;
    this.market = options.market ?? 'spot';
    if (this.speed !== 'max' && !(this.speed > 0)) throw new RangeError(`speed must be > 0 or 'max', got ${this.speed}`);
    if (options.rate !== undefined && !(options.rate > 0)) throw new RangeError(`rate must be > 0, got ${options.rate}`);
    const list = Array.isArray(options.recordings) ? (options.recordings as readonly BinanceRecording[]) : [options.recordings as BinanceRecording];
    const recs: PlayerRec[] = list.map((rec) => {
      const streams = recordingStreams(rec);
      return { rec, streams, kinds: streams.map(streamKind), spans: idSpans(rec), upper: rec.symbol.toUpperCase() };
    });
    const tl = buildTimeline(list);
    this.events = tl.us.length;
    this.lengthMs = tl.lengthUs / 1000;
    const history = new ReplayHistory(recs, tl.lengthUs);
    this.restSim = new BinanceRestSim(history, list, { market: this.market, clock: this.clock, ...options.rest });
    const settings = {
      clock: this.clock,
      market: this.market,
      speed: this.speed,
      rate: options.rate,
      loop: options.loop ?? true,
      batchSize: options.batchSize ?? 512,
      highWaterMark: options.highWaterMark ?? 1 << 20,
      onEmit: options.onEmit,
    };
    this.player = new ReplayPlayer(settings, recs, tl, history, { clients: this.clients, send: (c, f) => this.send(c, f) });
    this.http = createServer((req, res) => this.request(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** Listens on 127.0.0.1. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.o.port ?? 0, '127.0.0.1', () => {
        this.http.off('error', reject);
        this.http.on('error', () => {}); // a broken client socket must not take the simulator down
        resolve();
      });
    });
    const addr = this.http.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.pingTimer = this.clock.setInterval(() => this.pingAll(), this.o.pingIntervalMs ?? 20_000);
  }

  /** `ws://127.0.0.1:PORT` (append `/stream?streams=...`, `/ws/<stream>`, or for USD-M `/public/...`, `/market/...`). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:PORT`, the REST base URL (append `/api/v3/...` or `/fapi/v1/...`). */
  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Progress and audience. */
  status(): ReplayStatus {
    const p = this.player;
    return {
      loops: p.loops,
      framesSent: p.framesSent,
      clients: this.clients.size,
      replaying: p.started && !p.finished,
      speed: this.speed,
      position: p.pos,
      events: this.events,
      lengthMs: this.lengthMs,
      rest: this.restSim.status(),
    };
  }

  /** Connected clients, in connection order. */
  clientList(): SimClientInfo[] {
    const now = this.clock.monotonic();
    return [...this.clients].map((c) => clientInfo(c, now));
  }

  /** Fault: cuts the TCP connection of the target clients without a close frame (they see 1006). */
  dropClients(target: ClientTarget = 'all'): number {
    const list = this.pick(target);
    for (const c of list) c.ws.terminate();
    return list.length;
  }

  /** Fault: the target clients get nothing for `ms` (Infinity = until `resumeClients`); their frames are lost, the socket stays open. */
  stallClients(ms: number, target: ClientTarget = 'all'): number[] {
    const until = this.clock.monotonic() + ms;
    const list = this.pick(target);
    for (const c of list) c.stallUntil = Math.max(until, 1e-9);
    return list.map((c) => c.id);
  }

  /** Ends a stall early. */
  resumeClients(target: ClientTarget = 'all'): number {
    const list = this.pick(target);
    for (const c of list) c.stallUntil = 0;
    return list.length;
  }

  /** Fault: the next `n` data frames of each target client are sent in reverse order. */
  reorderNext(n: number, target: ClientTarget = 'all'): number {
    const list = this.pick(target);
    for (const c of list) c.reorder = n > 1 ? { n, held: [] } : null;
    return list.length;
  }

  /** Fault: sends malformed frames (the given ones, or a standard set) to the target clients; returns frames sent. */
  sendMalformed(target: ClientTarget = 'all', frames?: readonly string[]): number {
    let n = 0;
    for (const c of this.pick(target)) for (const f of frames ?? malformedFrames(c)) if (this.send(c, f)) n++;
    return n;
  }

  /** Fault: the next `n` REST requests get 429 + `Retry-After: retryAfterSec`; a request before then gets 418 (ban). */
  rateLimitRest(n: number, retryAfterSec = 1): void {
    this.restSim.rateLimitNext(n, retryAfterSec);
  }

  /** Fault: refuses new WebSocket (default) and/or REST connections for `ms` (Infinity = until called with 0). */
  refuseConnections(ms: number, what: { ws?: boolean; rest?: boolean } = { ws: true }): void {
    const until = ms <= 0 ? 0 : this.clock.monotonic() + ms;
    if (what.ws ?? false) this.refuseWsUntil = until;
    if (what.rest ?? false) this.refuseRestUntil = until;
  }

  /** Sends `serverShutdown` to the target clients, as spot does before maintenance. */
  sendServerShutdown(target: ClientTarget = 'all'): number {
    const now = Math.floor(this.clock.now());
    const list = this.pick(target);
    for (const c of list) {
      const data = `{"e":"serverShutdown","E":${c.micro ? now * 1000 : now}}`;
      this.send(c, c.combined ? `{"stream":"!serverShutdown","data":${data}}` : data);
    }
    return list.length;
  }

  /** Stops timers, terminates clients and closes the listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.player.close();
    this.pingTimer?.();
    for (const c of this.clients) c.ws.terminate();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private pick(target: ClientTarget): SimClient[] {
    return selectClients(this.clients, target, this.clock.monotonic());
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    if (this.clock.monotonic() < this.refuseRestUntil) return void req.socket.destroy();
    if (handleAdmin(this, req, res) || this.restSim.handle(req, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":-1,"msg":"not found"}');
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.clock.monotonic() < this.refuseWsUntil) return void socket.destroy();
    const route = clientRoute(this.market, req.url ?? '/');
    if (route === null) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const id = this.nextClientId++;
    const where = (req.url ?? '/').slice(0, 512);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, { id, path: where, ...route }));
  }

  private connected(ws: WebSocket, init: Pick<SimClient, 'id' | 'path' | 'streams' | 'combined' | 'micro' | 'kinds'>): void {
    if (this.closed) return void ws.terminate();
    const c: SimClient = { ...init, ws, lastPong: this.clock.monotonic(), waiter: null, onSent: () => {}, stallUntil: 0, skipped: 0, reorder: null };
    c.onSent = () => {
      if (c.waiter && ws.bufferedAmount <= (this.o.highWaterMark ?? 1 << 20) / 2) this.release(c);
    };
    this.clients.add(c);
    ws.on('message', (data) => this.send(c, handleControl(data.toString(), c)));
    ws.on('pong', () => (c.lastPong = this.clock.monotonic()));
    ws.on('error', () => {});
    ws.on('close', () => {
      this.clients.delete(c);
      this.release(c);
    });
    this.player.kick();
  }

  private release(c: SimClient): void {
    const w = c.waiter;
    c.waiter = null;
    w?.();
  }

  /** Sends one frame as is (control replies, notices, faults); stalled clients get nothing. */
  private send(c: SimClient, frame: string): boolean {
    if (c.ws.readyState !== WebSocket.OPEN || c.stallUntil > this.clock.monotonic()) return false;
    if (this.speed === 'max') c.ws.send(frame, c.onSent);
    else c.ws.send(frame);
    return true;
  }

  private pingAll(): void {
    const now = this.clock.monotonic();
    const timeout = this.o.pongTimeoutMs ?? 60_000;
    for (const c of this.clients) {
      if (c.stallUntil > now) c.lastPong = now; // an outage sends no pings either; not the client's fault
      else if (now - c.lastPong > timeout) c.ws.terminate();
      else if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
    }
  }
}
