/**
 * One Binance combined-stream WebSocket connection (`/stream?streams=a/b`):
 * frames go through a `BinanceMapper`, ticks out through `onTick`. Reconnects
 * after an unexpected close with jittered exponential backoff (failures only).
 * Rotates before Binance's 24 h cut and on `serverShutdown` with overlap: the
 * replacement socket opens, its first frame promotes it, then the old one
 * closes (frames of the overlap arrive twice; `BinanceFeed` dedupes them).
 * A watchdog treats an open but silent socket, or a silent symbol, as dead
 * (the USD-M wrong-route failure). Live SUBSCRIBE/UNSUBSCRIBE go through a
 * rate limiter. All timing uses the injected `Clock`.
 */
import type { Buffer } from 'node:buffer';
import { WebSocket } from 'ws';
import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { ConfigError } from '../../../core/errors.js';
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState, FeedStatus } from '../../../core/types/FeedStatus.js';
import { BinanceMapper, type MapperCounters } from './BinanceMapper.js';
import { ControlLimiter } from './ControlLimiter.js';
import { SilenceWatch } from './SilenceWatch.js';
import { HOUR, closeSocket, rawText, symbolsOf, type BinanceStreamOptions, type StreamEvent } from './streamSupport.js';

export type { BinanceStreamOptions, StreamEvent, StreamEventKind } from './streamSupport.js';

const SAMPLE_CHARS = 256;

/**
 * A Binance market-data feed over one combined-stream connection. Counters
 * (frames, ticks, dropped, reconnects) accumulate across reconnects.
 * `reconnects` counts every new connection attempt after the first, rotations included.
 */
export class BinanceStream implements MarketDataSource {
  readonly id: string;
  private readonly o: BinanceStreamOptions;
  private readonly clock: Clock;
  private readonly mapper: BinanceMapper;
  private readonly base: string;
  private readonly streams: string[];
  private symbols: readonly string[];
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly watch: SilenceWatch;
  private readonly limiter: ControlLimiter;
  private ws: WebSocket | null = null;
  private pending: WebSocket | null = null;
  private pendingAt = 0;
  private state: FeedState = 'stopped';
  private started = false;
  private stopped = false;
  private reconnects = 0;
  private rotations = 0;
  private silentKills = 0;
  private failures = 0;
  private gotFrame = false;
  private lastMessageAt: number | null = null;
  private lastError = '';
  private retryTimer: Cancel | null = null;
  private rotateTimer: Cancel | null = null;
  private watchdog: Cancel | null = null;
  private controlId = 1;
  private firstSettle: (() => void) | null = null;
  /** Why the current socket is closing (error or watchdog), if known. */
  private closeWhy: string | null = null;

  constructor(options: BinanceStreamOptions) {
    this.o = options;
    this.id = options.id ?? 'binance-spot';
    this.clock = options.clock;
    this.initialMs = options.backoff?.initialMs ?? 500;
    this.maxMs = options.backoff?.maxMs ?? 30_000;
    this.mapper = new BinanceMapper({ symbols: options.symbols, clock: options.clock, timeUnit: options.timeUnit ?? 'MILLISECOND' });
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.streams = [...options.streams];
    const issues: string[] = [];
    if (!/^wss?:\/\/[^/]/.test(this.base)) issues.push(`baseUrl must start with ws:// or wss://, got ${options.baseUrl}`);
    if (options.streams.length === 0) issues.push('streams must not be empty');
    for (const [symbol, ms] of Object.entries(options.symbolSilenceMs ?? {})) if (!(ms > 0)) issues.push(`symbolSilenceMs.${symbol} must be > 0`);
    if (issues.length > 0) throw new ConfigError(`bad Binance stream config: ${issues.join('; ')}`, issues);
    this.symbols = symbolsOf(this.streams, options.symbols);
    this.watch = new SilenceWatch(options.silenceMs ?? 60_000, options.symbolSilenceMs ?? {});
    this.limiter = new ControlLimiter(this.clock, options.controlPerSecond ?? 5, (text) => {
      if (this.ws?.readyState !== WebSocket.OPEN) return false;
      this.ws.send(text);
      return true;
    });
  }

  /** The URL this stream connects to (current stream list). */
  get url(): string {
    const micro = this.o.timeUnit === 'MICROSECOND' ? '&timeUnit=MICROSECOND' : '';
    return `${this.base}/stream?streams=${this.streams.join('/')}${micro}`;
  }

  /** Connects; resolves once the first connection is open or has failed (retries continue in the background). */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    this.stopped = false;
    const settled = new Promise<void>((resolve) => {
      this.firstSettle = resolve;
    });
    this.watch.reset(this.clock.monotonic());
    this.watchdog = this.clock.setInterval(() => this.checkSilence(), this.watch.periodMs);
    this.connect();
    return settled;
  }

  /** Closes the sockets cleanly and cancels every timer; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped || !this.started) {
      this.stopped = true;
      return;
    }
    this.stopped = true;
    for (const cancel of [this.retryTimer, this.watchdog, this.rotateTimer]) cancel?.();
    this.retryTimer = this.watchdog = this.rotateTimer = null;
    this.limiter.clear();
    const sockets = [this.ws, this.pending].filter((w): w is WebSocket => w !== null);
    this.ws = this.pending = null;
    this.settleFirst();
    await Promise.all(sockets.map((ws) => closeSocket(ws, this.clock, this.o.closeTimeoutMs ?? 2_000, 'client stop')));
    this.setState('stopped');
  }

  /** Adds streams: sent as one rate-limited SUBSCRIBE now, and part of the URL of every later connection. */
  subscribe(streams: readonly string[]): void {
    this.control('SUBSCRIBE', streams.filter((s) => !this.streams.includes(s)));
  }

  /** Removes streams (one rate-limited UNSUBSCRIBE). */
  unsubscribe(streams: readonly string[]): void {
    this.control('UNSUBSCRIBE', streams.filter((s) => this.streams.includes(s)));
  }

  /** Opens a replacement socket now and switches to it on its first frame (what a serverShutdown triggers). */
  rotate(why = 'rotation requested'): void {
    if (this.stopped || !this.started || this.pending || !this.ws) return;
    this.reconnects++;
    this.event('rotating', why);
    this.pendingAt = this.clock.monotonic();
    this.pending = this.open();
  }

  /** Current health and counters. */
  status(): FeedStatus {
    const c = this.mapper.counters();
    return {
      id: this.id,
      source: 'binance',
      state: this.state,
      symbols: this.symbols,
      detail: `${this.url}${this.lastError ? `; last error: ${this.lastError}` : ''}`,
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

  /** Rotations completed and sockets the watchdog killed for silence. */
  lifecycle(): Readonly<{ rotations: number; silentKills: number; pendingControl: number; lastError: string }> {
    return { rotations: this.rotations, silentKills: this.silentKills, pendingControl: this.limiter.pending, lastError: this.lastError };
  }

  private control(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', params: string[]): void {
    if (params.length === 0) return;
    if (method === 'SUBSCRIBE') this.streams.push(...params);
    else for (const p of params) this.streams.splice(this.streams.indexOf(p), 1);
    this.symbols = symbolsOf(this.streams, this.o.symbols);
    if (this.ws?.readyState === WebSocket.OPEN) this.limiter.send(JSON.stringify({ method, params, id: this.controlId++ }));
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('starting');
    this.watch.reset(this.clock.monotonic());
    this.closeWhy = null;
    this.ws = this.open();
  }

  /** Opens a socket with this stream's handlers; it acts only while it is the current or the pending one. */
  private open(): WebSocket {
    const openedWith = [...this.streams];
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    ws.on('open', () => {
      const missing = this.streams.filter((s) => !openedWith.includes(s));
      if (missing.length > 0) ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: missing, id: this.controlId++ }));
      if (ws !== this.ws) return;
      this.onCurrentOpen();
    });
    ws.on('message', (data) => {
      if (ws === this.pending) this.promote(ws);
      if (ws === this.ws) this.onFrame(rawText(data));
    });
    ws.on('error', (error: Error) => {
      if (ws === this.ws) this.closeWhy ??= error.message;
    });
    ws.on('close', (code: number, reason: Buffer) => this.onClose(ws, code, reason));
    return ws;
  }

  private onCurrentOpen(): void {
    this.watch.reset(this.clock.monotonic());
    this.gotFrame = false;
    this.setState('connected');
    this.armRotation(this.o.rotateAfterMs ?? 23 * HOUR);
    this.event('open', this.url);
    this.settleFirst();
  }

  private onClose(ws: WebSocket, code: number, reason: Buffer): void {
    if (ws === this.pending) {
      this.pending = null;
      if (!this.stopped) {
        this.event('closed', `replacement socket closed ${code} before its first frame; keeping the current one`);
        this.armRotation(this.o.rotateRetryMs ?? 60_000);
      }
      return;
    }
    if (ws !== this.ws) return;
    this.ws = null;
    this.limiter.clear();
    if (this.stopped) return;
    this.lastError = this.closeWhy ?? `closed ${code}${reason.length ? ` ${reason.toString()}` : ''}`;
    this.event('closed', this.lastError);
    if (this.pending) return this.promote(this.pending); // the replacement is already on its way: no failure
    this.settleFirst();
    this.scheduleReconnect();
  }

  /** Makes the pending socket current and closes the old one. */
  private promote(next: WebSocket): void {
    const old = this.ws;
    this.ws = next;
    this.pending = null;
    this.closeWhy = null;
    this.rotations++;
    this.limiter.clear();
    if (old) void closeSocket(old, this.clock, this.o.closeTimeoutMs ?? 2_000, 'rotated');
    this.event('rotated', this.url);
    if (next.readyState === WebSocket.OPEN) this.onCurrentOpen();
    else this.setState('starting');
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
      if (out.kind === 'tick') {
        if (this.watch.perSymbol) this.watch.tick(out.tick.symbol);
        this.o.onTick(out.tick);
      } else if (out.kind === 'drop') this.o.onDrop?.(out.reason, raw.slice(0, SAMPLE_CHARS), out.detail);
      else if (out.kind === 'shutdown') {
        this.event('shutdown', 'server announced shutdown');
        this.rotate('server shutdown');
      } else if (out.kind === 'control' && out.error) this.event('control_error', `${out.error.code} ${out.error.msg} (id ${String(out.id)})`);
    } catch (error) {
      this.o.onError?.(error);
    }
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

  private armRotation(ms: number): void {
    this.rotateTimer?.();
    this.rotateTimer = null;
    if (!(ms > 0) || ms === Infinity) return;
    this.rotateTimer = this.clock.setTimeout(() => {
      this.rotateTimer = null;
      this.rotate('scheduled rotation before the 24 h limit');
    }, ms);
  }

  private checkSilence(): void {
    if (this.stopped || !this.ws || this.closeWhy !== null) return; // closing already
    const now = this.clock.monotonic();
    const pending = this.pending;
    if (pending && now - this.pendingAt >= this.watch.silenceMs) {
      if (pending.readyState === WebSocket.OPEN) this.promote(pending); // open but quiet: switch anyway, the old one is due to be cut
      else pending.terminate();
      return;
    }
    const dead = this.watch.check(now, this.mapper.frames);
    if (dead) this.kill(dead.why, dead.symbol);
  }

  private kill(why: string, symbol: string | null): void {
    this.closeWhy = why;
    this.silentKills++;
    this.event('silent', why, symbol);
    this.ws?.terminate(); // the close event schedules the reconnect with backoff
  }

  private event(kind: StreamEvent['kind'], detail: string, symbol: string | null = null): void {
    if (!this.o.onEvent) return;
    try {
      this.o.onEvent({ stream: this.id, kind, detail, symbol });
    } catch (error) {
      this.o.onError?.(error);
    }
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
