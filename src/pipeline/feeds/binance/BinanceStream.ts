/**
 * One Binance combined-stream WebSocket connection (`/stream?streams=a/b`):
 * frames go through a `BinanceMapper`, ticks out through `onTick`. Reconnects
 * after an unexpected close with jittered exponential backoff, at once on
 * `serverShutdown`, and treats an open but silent socket as dead (the USD-M
 * wrong-route failure). All timing uses the injected `Clock`.
 */
import { Buffer } from 'node:buffer';
import { WebSocket, type RawData } from 'ws';
import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { ConfigError } from '../../../core/errors.js';
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState, FeedStatus } from '../../../core/types/FeedStatus.js';
import type { Tick } from '../../../core/types/Tick.js';
import { BinanceMapper, type BinanceTimeUnit, type DropReason, type MapperCounters } from './BinanceMapper.js';
import { parseStreamName } from './schema.js';

/** Options of one Binance stream connection. */
export type BinanceStreamOptions = {
  /** Stable feed id (default `binance-spot`). */
  id?: string;
  /** Server root, e.g. `wss://stream.binance.com:9443`, `wss://fstream.binance.com/market`, `ws://127.0.0.1:PORT`. */
  baseUrl: string;
  /** Stream names, e.g. `['btcusdt@aggTrade', 'btcusdt@bookTicker']`. */
  streams: readonly string[];
  /** Binance instrument (lowercase) → canonical symbol, e.g. `{ btcusdt: 'BTCUSD' }`. */
  symbols: Readonly<Record<string, string>>;
  clock: Clock;
  /** Ask the server for µs timestamps (spot only); ticks still carry ms. */
  timeUnit?: BinanceTimeUnit;
  /** Receives every tick, in wire order. */
  onTick: (tick: Tick) => void;
  /** Receives every dropped frame (reason, first 256 characters, detail). */
  onDrop?: (reason: DropReason, sample: string, detail: string) => void;
  /** Receives the status on every state change. */
  onStatus?: (status: FeedStatus) => void;
  /** Receives errors thrown by the callbacks above (they never break the socket). */
  onError?: (error: unknown) => void;
  /** Open socket with no frame for this long is treated as dead (default 60 000 ms). */
  silenceMs?: number;
  /** Reconnect backoff after failures: first delay and cap (default 500 ms → 30 000 ms). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Jitter source in [0, 1) (default Math.random); the delay is base × (0.5 + 0.5 × random). */
  random?: () => number;
  /** How long `stop()` waits for the close handshake before terminating (default 2 000 ms). */
  closeTimeoutMs?: number;
};

const SAMPLE_CHARS = 256;

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * A Binance market-data feed over one combined-stream connection. Counters
 * (frames, ticks, dropped, reconnects) accumulate across reconnects.
 * `reconnects` counts every new connection attempt after the first.
 */
export class BinanceStream implements MarketDataSource {
  readonly id: string;
  /** The URL this stream connects to. */
  readonly url: string;
  private readonly o: BinanceStreamOptions;
  private readonly clock: Clock;
  private readonly mapper: BinanceMapper;
  private readonly symbols: readonly string[];
  private readonly silenceMs: number;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private ws: WebSocket | null = null;
  private state: FeedState = 'stopped';
  private started = false;
  private stopped = false;
  private reconnects = 0;
  private failures = 0;
  private gotFrame = false;
  private lastMessageAt: number | null = null;
  private lastError = '';
  private retryTimer: Cancel | null = null;
  private watchdog: Cancel | null = null;
  private seenFrames = 0;
  private activeAt = 0;
  private firstSettle: (() => void) | null = null;
  /** Why the current socket is closing (error or watchdog), if known. */
  private closeWhy: string | null = null;

  constructor(options: BinanceStreamOptions) {
    this.o = options;
    this.id = options.id ?? 'binance-spot';
    this.clock = options.clock;
    this.silenceMs = options.silenceMs ?? 60_000;
    this.initialMs = options.backoff?.initialMs ?? 500;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
    const micro = options.timeUnit === 'MICROSECOND';
    this.mapper = new BinanceMapper({ symbols: options.symbols, clock: options.clock, timeUnit: options.timeUnit ?? 'MILLISECOND' });
    const base = options.baseUrl.replace(/\/+$/, '');
    this.url = `${base}/stream?streams=${options.streams.join('/')}${micro ? '&timeUnit=MICROSECOND' : ''}`;
    const issues: string[] = [];
    if (!/^wss?:\/\/[^/]/.test(base)) issues.push(`baseUrl must start with ws:// or wss://, got ${options.baseUrl}`);
    if (options.streams.length === 0) issues.push('streams must not be empty');
    if (issues.length > 0) throw new ConfigError(`bad Binance stream config: ${issues.join('; ')}`, issues);
    const canon = new Set<string>();
    const lower = new Map(Object.entries(options.symbols).map(([k, v]) => [k.toLowerCase(), v]));
    for (const s of options.streams) {
      const c = lower.get(parseStreamName(s).instrument);
      if (c !== undefined) canon.add(c);
    }
    this.symbols = [...canon];
  }

  /** Connects; resolves once the first connection is open or has failed (retries continue in the background). */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    this.stopped = false;
    const settled = new Promise<void>((resolve) => {
      this.firstSettle = resolve;
    });
    this.activeAt = this.clock.monotonic();
    const period = Math.max(1, Math.floor(this.silenceMs / 4));
    this.watchdog = this.clock.setInterval(() => this.checkSilence(), period);
    this.connect();
    return settled;
  }

  /** Closes the socket cleanly and cancels every timer; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped || !this.started) {
      this.stopped = true;
      return;
    }
    this.stopped = true;
    this.retryTimer?.();
    this.retryTimer = null;
    this.watchdog?.();
    this.watchdog = null;
    const ws = this.ws;
    this.ws = null;
    this.settleFirst();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const cancel = this.clock.setTimeout(() => {
          ws.terminate();
          resolve();
        }, this.o.closeTimeoutMs ?? 2_000);
        ws.once('close', () => {
          cancel();
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client stop');
      });
    }
    this.setState('stopped');
  }

  /** Current health and counters. */
  status(): FeedStatus {
    const c = this.mapper.counters();
    return {
      id: this.id,
      source: 'binance',
      state: this.state,
      symbols: this.symbols,
      detail: this.detail(),
      frames: c.frames,
      ticks: c.ticks,
      dropped: c.dropped,
      reconnects: this.reconnects,
      lastMessageAt: this.lastMessageAt,
      tsInit: this.clock.now(),
    };
  }

  /** Detailed mapper counters (per drop reason, fast-path share...). */
  counters(): MapperCounters {
    return this.mapper.counters();
  }

  private detail(): string {
    const err = this.lastError ? `; last error: ${this.lastError}` : '';
    return `${this.url}${err}`;
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('starting');
    this.gotFrame = false;
    this.activeAt = this.clock.monotonic();
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    this.closeWhy = null;
    ws.on('open', () => {
      if (this.ws !== ws) return;
      this.activeAt = this.clock.monotonic();
      this.setState('connected');
      this.settleFirst();
    });
    ws.on('message', (data) => {
      if (this.ws === ws) this.onFrame(toText(data));
    });
    ws.on('error', (error: Error) => {
      if (this.ws === ws) this.closeWhy ??= error.message;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.lastError = this.closeWhy ?? `closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`;
      this.settleFirst();
      this.scheduleReconnect();
    });
  }

  private onFrame(raw: string): void {
    const now = this.clock.now();
    this.lastMessageAt = now;
    if (!this.gotFrame) {
      this.gotFrame = true;
      this.failures = 0;
    }
    const out = this.mapper.map(raw, now);
    try {
      if (out.kind === 'tick') this.o.onTick(out.tick);
      else if (out.kind === 'drop') this.o.onDrop?.(out.reason, raw.slice(0, SAMPLE_CHARS), out.detail);
      else if (out.kind === 'shutdown') this.reconnectNow('server shutdown');
    } catch (error) {
      this.o.onError?.(error);
    }
  }

  /** Replaces the socket immediately (serverShutdown): not a failure, no backoff. */
  private reconnectNow(why: string): void {
    const old = this.ws;
    this.ws = null;
    this.lastError = why;
    if (old) old.close(1000, 'reconnect');
    this.reconnects++;
    this.connect();
  }

  private scheduleReconnect(): void {
    this.setState('disconnected');
    this.failures++;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** (this.failures - 1));
    const delay = Math.round(base * (0.5 + 0.5 * (this.o.random ?? Math.random)()));
    this.retryTimer?.();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.reconnects++;
      this.connect();
    }, delay);
  }

  private checkSilence(): void {
    if (this.stopped || !this.ws) return;
    const frames = this.mapper.frames;
    const now = this.clock.monotonic();
    if (frames !== this.seenFrames) {
      this.seenFrames = frames;
      this.activeAt = now;
      return;
    }
    if (now - this.activeAt < this.silenceMs) return;
    this.closeWhy = `no frame for ${now - this.activeAt} ms`;
    this.ws.terminate(); // close event schedules the reconnect with backoff
  }

  private settleFirst(): void {
    const settle = this.firstSettle;
    this.firstSettle = null;
    settle?.();
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    if (!this.o.onStatus) return;
    try {
      this.o.onStatus(this.status());
    } catch (error) {
      this.o.onError?.(error);
    }
  }
}
