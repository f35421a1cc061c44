/**
 * A local stand-in for Binance's market-data WebSocket: it speaks the same
 * protocol (`/stream?streams=a/b` combined envelope, `/ws/<stream>` raw,
 * `timeUnit=MICROSECOND`, live control messages, server pings every 20 s) and
 * replays recorded archive rows as the frames Binance would have sent. It
 * sends only what the recording holds. One shared timeline: every client gets
 * the same frames from the moment it connects.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import type { Cancel, Clock } from '../core/clock/Clock.js';
import { handleControl, normaliseStream, type ControlTarget } from './binanceControl.js';
import {
  buildTimeline,
  idSpans,
  recordingStreams,
  renderPayload,
  type BinanceMarket,
  type BinanceRecording,
  type IdSpans,
} from './binanceRecording.js';

/** Replay pace: 1 = real time, 10 = ten times faster, `max` = as fast as the clients take it. */
export type ReplaySpeed = number | 'max';

/** Options of the replay server. */
export type BinanceReplayServerOptions = {
  /** One recording, or several (merged by time, each keeping its own order). */
  recordings: BinanceRecording | readonly BinanceRecording[];
  /** Paces finite-speed replay and pings (a `TestClock` in tests). */
  clock: Clock;
  speed?: ReplaySpeed;
  /** TCP port on 127.0.0.1; 0 (default) = ephemeral. */
  port?: number;
  /** Frame layout to imitate (default `spot`; `usdm` adds e/E/T to bookTicker and ignores timeUnit). */
  market?: BinanceMarket;
  /** Start over at the end, shifting times and ids forward (default true). */
  loop?: boolean;
  /** `max` speed: events per event-loop turn (default 512). */
  batchSize?: number;
  /** `max` speed: pause while a client has more than this many bytes buffered (default 1 MiB). */
  highWaterMark?: number;
  /** Server ping period (default 20 000 ms, like spot). */
  pingIntervalMs?: number;
  /** Disconnect a client whose last pong is older than this (default 60 000 ms). */
  pongTimeoutMs?: number;
};

/** Replay progress and audience. */
export type ReplayStatus = Readonly<{
  /** Completed passes over the recording. */
  loops: number;
  /** Replayed data frames sent, summed over clients (control replies and notices not counted). */
  framesSent: number;
  clients: number;
  /** Started (first client connected) and not finished. */
  replaying: boolean;
  speed: ReplaySpeed;
  /** Next event index in the timeline, and its length. */
  position: number;
  events: number;
  /** Time shift per loop, whole ms: last − first event millisecond + 1, so loops never share a millisecond. */
  lengthMs: number;
}>;

type Client = ControlTarget & { ws: WebSocket; micro: boolean; lastPong: number; waiter: (() => void) | null; onSent: () => void };
type Rec = { rec: BinanceRecording; streams: string[]; spans: IdSpans; upper: string };

/** The Binance replay server; `start()` then connect to `url`. */
export class BinanceReplayServer {
  private readonly o: BinanceReplayServerOptions;
  private readonly clock: Clock;
  private readonly speed: ReplaySpeed;
  private readonly recs: Rec[];
  private readonly evRec: Uint16Array;
  private readonly evRow: Uint32Array;
  private readonly evUs: Float64Array;
  private readonly lengthUs: number;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();
  private port = 0;
  private pos = 0;
  private loops = 0;
  private framesSent = 0;
  private started = false;
  private finished = false;
  private closed = false;
  private pumping = false;
  private anchorMono = 0;
  private anchorUs = 0;
  private paceTimer: Cancel | null = null;
  private pingTimer: Cancel | null = null;

  constructor(options: BinanceReplayServerOptions) {
    this.o = options;
    this.clock = options.clock;
    this.speed = options.speed ?? 1;
    if (this.speed !== 'max' && !(this.speed > 0)) throw new RangeError(`speed must be > 0 or 'max', got ${this.speed}`);
    const list = Array.isArray(options.recordings) ? (options.recordings as readonly BinanceRecording[]) : [options.recordings as BinanceRecording];
    this.recs = list.map((rec) => ({ rec, streams: recordingStreams(rec), spans: idSpans(rec), upper: rec.symbol.toUpperCase() }));
    const tl = buildTimeline(list);
    this.evRec = tl.rec;
    this.evRow = tl.row;
    this.evUs = tl.us;
    this.lengthUs = tl.lengthUs;
    this.http = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":-1,"msg":"not found"}');
    });
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

  /** `ws://127.0.0.1:PORT` (append `/stream?streams=...` or `/ws/<stream>`). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Progress and audience. */
  status(): ReplayStatus {
    return {
      loops: this.loops,
      framesSent: this.framesSent,
      clients: this.clients.size,
      replaying: this.started && !this.finished,
      speed: this.speed,
      position: this.pos,
      events: this.evUs.length,
      lengthMs: this.lengthUs / 1000,
    };
  }

  /** Test hook: cuts every client's TCP connection without a close frame (clients see 1006). */
  dropClients(): number {
    const n = this.clients.size;
    for (const c of this.clients) c.ws.terminate();
    return n;
  }

  /** Test hook: sends `serverShutdown` to every client, as spot does before maintenance. */
  sendServerShutdown(): number {
    const now = this.clock.now();
    for (const c of this.clients) {
      const data = `{"e":"serverShutdown","E":${c.micro ? now * 1000 : now}}`;
      this.send(c, c.combined ? `{"stream":"!serverShutdown","data":${data}}` : data);
    }
    return this.clients.size;
  }

  /** Stops timers, terminates clients and closes the listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.paceTimer?.();
    this.pingTimer?.();
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/(public|market|private)(?=\/)/, '');
    let streams: string[];
    let combined: boolean;
    if (path === '/stream') {
      streams = (url.searchParams.get('streams') ?? '').split('/');
      combined = true;
    } else if (path === '/ws' || path.startsWith('/ws/')) {
      streams = path.slice(4).split('/');
      combined = false;
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const micro = this.o.market !== 'usdm' && url.searchParams.get('timeUnit')?.toUpperCase() === 'MICROSECOND';
    const set = new Set(streams.filter((s) => s !== '').map(normaliseStream));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, set, combined, micro));
  }

  private connected(ws: WebSocket, streams: Set<string>, combined: boolean, micro: boolean): void {
    if (this.closed) return void ws.terminate();
    const c: Client = { ws, streams, combined, micro, lastPong: this.clock.monotonic(), waiter: null, onSent: () => {} };
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
    if (!this.started) {
      this.started = true;
      this.anchorMono = this.clock.monotonic();
      this.anchorUs = this.timeAt();
    }
    if (this.speed === 'max') this.pump();
    else if (!this.paceTimer) this.pace();
  }

  private release(c: Client): void {
    const w = c.waiter;
    c.waiter = null;
    w?.();
  }

  private send(c: Client, frame: string): boolean {
    if (c.ws.readyState !== WebSocket.OPEN) return false;
    if (this.speed === 'max') c.ws.send(frame, c.onSent);
    else c.ws.send(frame);
    return true;
  }

  /** Timeline time (µs, loop shift included) of the next event. */
  private timeAt(): number {
    return (this.evUs[this.pos] ?? 0) + this.loops * this.lengthUs;
  }

  /** Sends the next event to every client subscribed to one of its streams, then advances. */
  private emitNext(): void {
    const r = this.recs[this.evRec[this.pos] ?? 0] as Rec;
    const row = this.evRow[this.pos] ?? 0;
    const ctx = {
      market: this.o.market ?? 'spot',
      upper: r.upper,
      shiftUs: this.loops * this.lengthUs,
      idShift: this.loops * r.spans.id,
      tradeIdShift: this.loops * r.spans.tradeId,
      micro: false,
    } as const;
    for (const name of r.streams) {
      const kind = name.slice(name.indexOf('@') + 1) as 'aggTrade' | 'trade' | 'bookTicker';
      let ms: string | null = null;
      let us: string | null = null;
      for (const c of this.clients) {
        if (!c.streams.has(name)) continue;
        const data = c.micro ? (us ??= renderPayload(r.rec, row, kind, { ...ctx, micro: true })) : (ms ??= renderPayload(r.rec, row, kind, ctx));
        if (this.send(c, c.combined ? `{"stream":"${name}","data":${data}}` : data)) this.framesSent++;
      }
    }
    this.pos++;
    if (this.pos < this.evUs.length) return;
    if (this.o.loop === false) {
      this.finished = true;
      return;
    }
    this.pos = 0;
    this.loops++;
  }

  /** Finite speed: sends every due event, then sleeps on the clock until the next one. */
  private pace(): void {
    this.paceTimer = null;
    if (this.closed || this.finished || this.speed === 'max') return;
    const speed = this.speed;
    const batch = this.o.batchSize ?? 512;
    for (let sent = 0; sent < batch && !this.finished; sent++) {
      const due = this.anchorMono + (this.timeAt() - this.anchorUs) / 1000 / speed;
      const wait = due - this.clock.monotonic();
      if (wait > 1e-6) {
        this.paceTimer = this.clock.setTimeout(() => this.pace(), wait);
        return;
      }
      this.emitNext();
    }
    if (!this.finished) this.paceTimer = this.clock.setTimeout(() => this.pace(), 0);
  }

  /** `max` speed: batches between event-loop turns, pausing on client backpressure and when nobody listens. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const hwm = this.o.highWaterMark ?? 1 << 20;
    const batch = this.o.batchSize ?? 512;
    const step = (): void => {
      if (this.closed || this.finished || this.clients.size === 0) {
        this.pumping = false;
        return;
      }
      // Cork each socket for the batch: one writev per batch instead of one per frame. `_socket` is
      // ws's (long-stable) private field; without it sending still works, only slower.
      const corked = [...this.clients].map((c) => (c.ws as unknown as { _socket?: Socket })._socket);
      for (const sock of corked) sock?.cork();
      for (let i = 0; i < batch && !this.finished; i++) this.emitNext();
      for (const sock of corked) sock?.uncork();
      for (const c of this.clients) {
        if (c.ws.bufferedAmount > hwm) {
          c.waiter = () => setImmediate(step);
          return;
        }
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  private pingAll(): void {
    const now = this.clock.monotonic();
    const timeout = this.o.pongTimeoutMs ?? 60_000;
    for (const c of this.clients) {
      if (now - c.lastPong > timeout) c.ws.terminate();
      else if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
    }
  }
}
