/**
 * The MetaTrader 5 bridge (DESIGN.md §5): a TCP server on 127.0.0.1 that the
 * Expert Advisor (or `Mt5TerminalSim`) connects to. Newline-delimited JSON,
 * every line validated with zod at the boundary; malformed lines are counted
 * and dropped, never fatal. Broker server times become UTC with the offset the
 * terminal announces; ticks and closed bars go out as core ticks and candles;
 * on every (re)connection the missed ticks and H1/H4 bars are filled from the
 * terminal's history, and what cannot be filled is reported as a gap.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { InvalidRequestError, TemporaryError } from '../../../core/errors.js';
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState } from '../../../core/types/FeedStatus.js';
import type { GapState } from '../../../core/types/Gap.js';
import type { EventLevel } from '../../../core/types/SystemEvent.js';
import { Mt5Link } from './link.js';
import { OffsetSchedule } from './offsets.js';
import { LinkClosedError, PendingRequests } from './requests.js';
import { MT5_PROTOCOL_VERSION, TRADING_TYPES, UtpMessageSchema, type EaMessage, type RespMessage } from './schema.js';
import { SymbolFeed, type SymbolFeedHost } from './SymbolFeed.js';
export type { Mt5BridgeOptions } from './types.js';
import type { Mt5AccountSnapshot, Mt5BridgeOptions, Mt5BridgeStatus, Mt5PositionsSnapshot, Mt5RequestInput, Mt5TerminalInfo } from './types.js';

const SAMPLE = 256;

/** The MT5 bridge as a market data source. */
export class Mt5Bridge implements MarketDataSource {
  readonly id: string;
  private readonly o: Mt5BridgeOptions;
  private readonly clock: Clock;
  private readonly schedule: OffsetSchedule;
  private readonly pending: PendingRequests;
  private readonly feeds = new Map<string, SymbolFeed>();
  private readonly server: Server;
  private readonly deadAfterMs: number;
  private conn: Mt5Link | null = null;
  private state: FeedState = 'stopped';
  private started = false;
  private stopped = false;
  private boundPort = 0;
  private nextConnId = 1;
  private nextReqId = 1;
  private watchdog: Cancel | null = null;
  private counts = { frames: 0, ticks: 0, dropped: 0, duplicates: 0, connections: 0 };
  private readonly drops: Record<string, number> = {};
  private readonly gapState = new Map<string, GapState>();
  private lastMessageAt: number | null = null;
  private lastError = '';
  private terminalInfo: Mt5TerminalInfo | null = null;
  private accountSnap: Mt5AccountSnapshot | null = null;
  private positionsSnap: Mt5PositionsSnapshot | null = null;

  constructor(options: Mt5BridgeOptions) {
    this.o = options;
    this.id = options.id ?? 'mt5';
    this.clock = options.clock;
    this.deadAfterMs = options.deadAfterMs ?? 5_000;
    this.schedule = new OffsetSchedule(options.pastOffset);
    this.pending = new PendingRequests(options.clock);
    const host = this.feedHost();
    const depth = options.barDepth ?? 500;
    for (const [mt5, symbol] of Object.entries(options.symbols)) {
      this.feeds.set(
        mt5,
        new SymbolFeed(host, symbol, mt5, {
          dedupeWindow: options.dedupeWindow ?? 10_000,
          maxHeldTicks: options.maxHeldTicks ?? 200_000,
          historyChunk: options.historyChunk ?? 5_000,
          historyTimeoutMs: options.historyTimeoutMs ?? 15_000,
          barTimeframes: options.barTimeframes ?? ['H1', 'H4'],
          barDepth: (tf) => (typeof depth === 'number' ? depth : (depth[tf] ?? 500)),
          lastTickTime: options.lastTickTime,
        }),
      );
    }
    this.server = createServer((socket) => this.accept(socket));
  }

  /** The bound TCP port (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** Listens; the state is `waiting` until a terminal says hello. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (error) => this.safe(() => this.o.onError?.(error)));
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.watchdog = this.clock.setInterval(() => this.checkSilence(), Math.max(1, Math.floor(this.deadAfterMs / 10)));
    this.setState('waiting');
  }

  /** Closes the terminal link and the listener; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watchdog?.();
    this.watchdog = null;
    if (this.conn) this.dropConn(this.conn, 'bridge stopped');
    if (this.started) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.setState('stopped');
  }

  /** Current health, counters, offset and terminal. */
  status(): Mt5BridgeStatus {
    const gaps = { open: 0, filled: 0, unfillable: 0 };
    for (const s of this.gapState.values()) gaps[s]++;
    const offset = this.schedule.latest();
    const t = this.terminalInfo;
    const who = t ? `; terminal ${t.login}@${t.server} build ${t.build}` : '';
    const off = offset === null ? '' : `; server offset ${offset >= 0 ? '+' : ''}${offset} s`;
    const err = this.lastError ? `; last error: ${this.lastError}` : '';
    return {
      id: this.id,
      source: 'mt5',
      state: this.state,
      symbols: [...new Set([...this.feeds.values()].map((f) => f.symbol))],
      detail: `tcp ${this.o.host ?? '127.0.0.1'}:${this.boundPort}${who}${off}${err}`,
      frames: this.counts.frames,
      ticks: this.counts.ticks,
      dropped: this.counts.dropped,
      reconnects: Math.max(0, this.counts.connections - 1),
      lastMessageAt: this.lastMessageAt,
      tsInit: this.clock.now(),
      serverUtcOffsetSec: offset,
      terminal: t,
      connections: this.counts.connections,
      lastSeq: this.conn?.lastSeq() ?? null,
      duplicates: this.counts.duplicates,
      drops: { ...this.drops },
      gaps,
    };
  }

  /** The latest account snapshot, or null. */
  account(): Mt5AccountSnapshot | null {
    return this.accountSnap;
  }

  /** The latest open-positions list, or null. */
  positions(): Mt5PositionsSnapshot | null {
    return this.positionsSnap;
  }

  /** Broker server time (ms) to UTC with the announced offsets, or null before the first hello. */
  toUtc(serverMs: number): number | null {
    return this.schedule.toUtc(serverMs);
  }

  /**
   * Sends a request to the terminal and resolves with its `resp` (which may
   * say ok=false: for trading only retcodes 10009/10008/10010 are success).
   * Adds `reqId`, and an idempotency key for trading requests when none is
   * given. Rejects `InvalidRequestError` for a message the schema refuses,
   * `TemporaryError` with no terminal, on timeout or when the link closes.
   */
  request(input: Mt5RequestInput, timeoutMs = this.o.requestTimeoutMs ?? 10_000): Promise<RespMessage> {
    const conn = this.conn;
    if (conn === null || !conn.hello) return Promise.reject(new TemporaryError('no MT5 terminal connected'));
    const reqId = `${this.id}-${conn.id}-${this.nextReqId++}`;
    const trading = (TRADING_TYPES as readonly string[]).includes(input.type);
    const key = trading && !('idempotencyKey' in input && input.idempotencyKey) ? { idempotencyKey: randomUUID() } : {};
    const message = { v: MT5_PROTOCOL_VERSION, ...input, ...key, seq: conn.nextSeq(), ts: Math.floor(this.clock.now()), reqId }; // `ts` is whole ms on the wire
    const checked = UtpMessageSchema.safeParse(message);
    if (!checked.success) return Promise.reject(new InvalidRequestError(`bad MT5 ${input.type} request: ${checked.error.issues[0]?.message ?? 'invalid'}`));
    const answer = this.pending.add(reqId, timeoutMs, input.type);
    if (!conn.send(message)) this.pending.fail(reqId, new LinkClosedError('MT5 link closed'));
    return answer;
  }

  private feedHost(): SymbolFeedHost {
    return {
      feedId: this.id,
      clock: this.clock,
      schedule: this.schedule,
      request: (input, timeoutMs) => this.request(input, timeoutMs),
      deliverTick: (tick) => {
        this.counts.ticks++;
        this.safe(() => this.o.onTick(tick));
      },
      deliverCandle: (candle) => this.safe(() => this.o.onCandle?.(candle)),
      gap: (gap) => {
        this.gapState.delete(gap.id);
        this.gapState.set(gap.id, gap.state);
        if (this.gapState.size > 10_000) this.gapState.delete(this.gapState.keys().next().value as string);
        this.safe(() => this.o.onGap?.(gap));
      },
      reject: (reason, sample) => this.drop(reason, sample, false),
      duplicate: () => {
        this.counts.duplicates++;
      },
      event: (kind, level, symbol, message, data) => this.event(kind, level, symbol, message, data),
    };
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const link = new Mt5Link(this.nextConnId++, socket, this.clock, this.o.maxLineChars ?? 4 * 1024 * 1024, {
      line: (l) => {
        if (this.conn !== l) return;
        this.lastMessageAt = this.clock.now();
        this.counts.frames++;
      },
      message: (l, msg, line) => {
        if (this.conn === l) this.dispatch(l, msg, line);
      },
      drop: (l, reason, sample) => {
        if (this.conn === l) this.drop(reason, sample, true);
      },
      closed: (l, error) => this.dropConn(l, error ?? 'terminal closed the connection'),
    });
    const old = this.conn;
    if (old) {
      this.event('mt5.terminal_replaced', 'warn', null, `a new terminal connection replaces connection ${old.id}`, { old: old.id, new: link.id });
      this.dropConn(old, 'replaced by a new connection', true);
    }
    this.conn = link;
    this.counts.connections++;
    for (const feed of this.feeds.values()) feed.newConnection();
    this.setState('starting');
  }

  private dispatch(conn: Mt5Link, msg: EaMessage, line: string): void {
    switch (msg.type) {
      case 'hello':
        return this.onHello(conn, msg);
      case 'offset':
        return this.recordOffset(msg.serverUtcOffsetSec, msg.serverTimeMsc);
      case 'tick': {
        const feed = this.feeds.get(msg.sym);
        if (feed) feed.onLiveTick(msg);
        else this.drop('unknown_symbol', line, false);
        return;
      }
      case 'bar': {
        const feed = this.feeds.get(msg.sym);
        if (feed) feed.onLiveBar(msg.tf, msg);
        else this.drop('unknown_symbol', line, false);
        return;
      }
      case 'account':
        this.accountSnap = { balance: msg.balance, equity: msg.equity, margin: msg.margin, freeMargin: msg.freeMargin, currency: msg.currency, leverage: msg.leverage, receivedAt: this.clock.now() };
        return;
      case 'positions':
        this.positionsSnap = { positions: msg.positions, receivedAt: this.clock.now() };
        return;
      case 'hb':
        return;
      case 'resp':
        if (!this.pending.settle(msg)) this.drop('unknown_reqId', line, false);
        return;
    }
  }

  private onHello(conn: Mt5Link, msg: Extract<EaMessage, { type: 'hello' }>): void {
    this.recordOffset(msg.serverUtcOffsetSec, msg.serverTimeMsc);
    this.terminalInfo = {
      login: msg.login,
      server: msg.server,
      company: msg.company,
      build: msg.build,
      eaVersion: msg.eaVersion ?? null,
      symbols: msg.symbols.map((s) => s.sym),
      helloAt: this.clock.now(),
    };
    if (conn.hello) return;
    conn.hello = true;
    this.lastError = '';
    this.setState('connected');
    this.event('feed.connected', 'info', null, `MT5 terminal ${msg.login}@${msg.server} connected (build ${msg.build})`, { connection: conn.id });
    const offered = new Set(msg.symbols.map((s) => s.sym));
    for (const feed of this.feeds.values()) {
      if (!offered.has(feed.mt5)) this.event('mt5.symbol_missing', 'warn', feed.symbol, `the terminal does not offer ${feed.mt5}`, { mt5: feed.mt5 });
    }
    const symbols = [...this.feeds.keys()];
    conn.send({ v: MT5_PROTOCOL_VERSION, type: 'subscribe', seq: conn.nextSeq(), ts: Math.floor(this.clock.now()), symbols, bars: [...(this.o.barTimeframes ?? ['H1', 'H4'])] });
    for (const feed of this.feeds.values()) {
      if (offered.has(feed.mt5)) void feed.sync(msg);
    }
  }

  private recordOffset(offsetSec: number, serverTimeMsc: number): void {
    const before = this.schedule.latest();
    if (this.schedule.record(offsetSec, serverTimeMsc) && before !== null) {
      this.event('mt5.offset_changed', 'info', null, `broker server offset ${before} s → ${offsetSec} s`, { from: before, to: offsetSec, serverTimeMsc });
    }
  }

  private checkSilence(): void {
    const conn = this.conn;
    if (this.stopped || conn === null) return;
    const silent = this.clock.monotonic() - conn.lastRx;
    if (silent < this.deadAfterMs) return;
    this.event('mt5.link_dead', 'warn', null, `no line from the terminal for ${silent} ms: link dead`, { connection: conn.id, silentMs: silent });
    this.dropConn(conn, `no line for ${silent} ms`);
  }

  private dropConn(conn: Mt5Link, why: string, replaced = false): void {
    if (this.conn !== conn) return;
    this.conn = null;
    conn.close();
    this.lastError = why;
    this.pending.rejectAll(new LinkClosedError(`MT5 link closed: ${why}`));
    if (this.stopped || replaced) return;
    this.setState('disconnected');
    this.event('feed.disconnected', 'warn', null, `MT5 terminal disconnected: ${why}`, { connection: conn.id });
  }

  private drop(reason: string, sample: string, malformed: boolean): void {
    if (malformed) this.counts.dropped++;
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
    this.safe(() => this.o.onDrop?.(reason, sample.slice(0, SAMPLE)));
  }

  private event(kind: string, level: EventLevel, symbol: string | null, message: string, data: Record<string, unknown> = {}): void {
    const now = this.clock.now();
    this.safe(() => this.o.onEvent?.({ kind, level, component: this.id, symbol, message, data, tsEvent: now, tsInit: now }));
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    this.safe(() => this.o.onStatus?.(this.status()));
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.o.onError?.(error);
      } catch {
        // an error handler that throws is ignored: the link must survive
      }
    }
  }
}
