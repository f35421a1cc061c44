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
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState, FeedStatus } from '../../../core/types/FeedStatus.js';
import { BinanceMapper, type MapperCounters } from './BinanceMapper.js';
import { SilenceWatch } from './SilenceWatch.js';
import { StreamSubscriptions } from './streamSubscriptions.js';
import { ReconnectTimers } from './reconnectTimers.js';
import { HOUR, checkStreamOptions, closeSocket, notify, rawText, type BinanceStreamOptions, type StreamEvent } from './streamSupport.js';

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
  private readonly subs: StreamSubscriptions;
  private readonly timers: ReconnectTimers;
  private readonly watch: SilenceWatch;
  private ws: WebSocket | null = null;
  private pending: WebSocket | null = null;
  private pendingAt = 0;
  private state: FeedState = 'stopped';
  private started = false;
  private stopped = false;
  private reconnects = 0;
  private rotations = 0;
  private silentKills = 0;
  private gotFrame = false;
  private lastMessageAt: number | null = null;
  private lastError = '';
  private watchdog: Cancel | null = null;
  private firstSettle: (() => void) | null = null;
  /** Why the current socket is closing (error or watchdog), if known. */
  private closeWhy: string | null = null;

  constructor(options: BinanceStreamOptions) {
    this.o = options;
    this.id = options.id ?? 'binance-spot';
    this.clock = options.clock;
    this.timers = new ReconnectTimers(options.clock, options.backoff?.initialMs ?? 500, options.backoff?.maxMs ?? 30_000, options.random);
    this.mapper = new BinanceMapper({ symbols: options.symbols, clock: options.clock, timeUnit: options.timeUnit ?? 'MILLISECOND' });
    this.base = options.baseUrl.replace(/\/+$/, '');
    checkStreamOptions(this.base, options);
    this.subs = new StreamSubscriptions(options.streams, options.symbols, this.clock, options.controlPerSecond ?? 5, (text) => {
      if (this.ws?.readyState !== WebSocket.OPEN) return false;
      this.ws.send(text);
      return true;
    });
    this.watch = new SilenceWatch(options.silenceMs ?? 60_000, options.symbolSilenceMs ?? {});
  }

  /** The URL this stream connects to (current stream list). */
  get url(): string {
    const micro = this.o.timeUnit === 'MICROSECOND' ? '&timeUnit=MICROSECOND' : '';
    return `${this.base}/stream?streams=${this.subs.streams.join('/')}${micro}`;
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
    this.timers.cancel();
    this.watchdog?.();
    this.watchdog = null;
    this.subs.clearQueue();
    const sockets = [this.ws, this.pending].filter((w): w is WebSocket => w !== null);
    this.ws = this.pending = null;
    this.settleFirst();
    await Promise.all(sockets.map((ws) => closeSocket(ws, this.clock, this.o.closeTimeoutMs ?? 2_000, 'client stop')));
    this.setState('stopped');
  }

  /** Adds streams: sent as one rate-limited SUBSCRIBE now, and part of the URL of every later connection. */
  subscribe(streams: readonly string[]): void {
    this.subs.subscribe(streams, this.ws?.readyState === WebSocket.OPEN);
  }

  /** Removes streams (one rate-limited UNSUBSCRIBE). */
  unsubscribe(streams: readonly string[]): void {
    this.subs.unsubscribe(streams, this.ws?.readyState === WebSocket.OPEN);
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
      symbols: this.subs.symbols,
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
    return { rotations: this.rotations, silentKills: this.silentKills, pendingControl: this.subs.pendingControl, lastError: this.lastError };
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
    const openedWith = [...this.subs.streams];
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    ws.on('open', () => {
      const catchUp = this.subs.catchUp(openedWith);
      if (catchUp !== null) ws.send(catchUp);
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
    this.timers.rotateIn(this.o.rotateAfterMs ?? 23 * HOUR, () => this.rotate('scheduled rotation before the 24 h limit'));
    this.event('open', this.url);
    this.settleFirst();
  }

  private onClose(ws: WebSocket, code: number, reason: Buffer): void {
    if (ws === this.pending) {
      this.pending = null;
      if (!this.stopped) {
        this.event('closed', `replacement socket closed ${code} before its first frame; keeping the current one`);
        this.timers.rotateIn(this.o.rotateRetryMs ?? 60_000, () => this.rotate('scheduled rotation before the 24 h limit'));
      }
      return;
    }
    if (ws !== this.ws) return;
    this.ws = null;
    this.subs.clearQueue();
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
    this.subs.clearQueue();
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
      this.timers.connected();
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
    this.timers.retry(() => {
      if (this.stopped) return;
      this.reconnects++;
      this.connect();
    });
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
    if (this.o.onEvent) notify(this.o.onEvent, { stream: this.id, kind, detail, symbol }, this.o.onError);
  }

  private settleFirst(): void {
    const settle = this.firstSettle;
    this.firstSettle = null;
    settle?.();
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    if (this.o.onStatus) notify(this.o.onStatus, this.status(), this.o.onError);
  }
}
