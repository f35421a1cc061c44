/**
 * The MetaTrader 5 bridge (DESIGN.md §5): a TCP server on 127.0.0.1 that the
 * Expert Advisor (or `Mt5TerminalSim`) connects to. Newline-delimited JSON,
 * every line validated with zod at the boundary; malformed lines are counted
 * and dropped, never fatal. Broker server times become UTC with the offset the
 * terminal announces; ticks and closed bars go out as core ticks and candles;
 * on every (re)connection the missed ticks and H1/H4 bars are filled from the
 * terminal's history, and what cannot be filled is reported as a gap.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { InvalidRequestError, TemporaryError } from '../../../core/errors.js';
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState } from '../../../core/types/FeedStatus.js';
import type { EventLevel } from '../../../core/types/SystemEvent.js';
import { Mt5BridgeCounters } from './bridgeCounters.js';
import { Mt5Link } from './link.js';
import { OffsetSchedule } from './offsets.js';
import { LinkClosedError, PendingRequests, requestMessage } from './requests.js';
import { MT5_PROTOCOL_VERSION, type EaMessage, type RespMessage } from './schema.js';
import { createSymbolFeeds } from './bridgeFeeds.js';
import type { SymbolFeed, SymbolFeedHost } from './SymbolFeed.js';
import { Mt5TerminalState } from './terminalState.js';
export type { Mt5BridgeOptions } from './types.js';
import type { Mt5AccountSnapshot, Mt5BridgeOptions, Mt5BridgeStatus, Mt5PositionsSnapshot, Mt5RequestInput } from './types.js';

const SAMPLE = 256;

/** The MT5 bridge as a market data source. */
export class Mt5Bridge implements MarketDataSource {
  readonly id: string;
  private readonly o: Mt5BridgeOptions;
  private readonly clock: Clock;
  private readonly schedule: OffsetSchedule;
  private readonly pending: PendingRequests;
  private readonly feeds: Map<string, SymbolFeed>;
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
  private readonly counts = new Mt5BridgeCounters();
  private readonly terminal = new Mt5TerminalState();

  constructor(options: Mt5BridgeOptions) {
    this.o = options;
    this.id = options.id ?? 'mt5';
    this.clock = options.clock;
    this.deadAfterMs = options.deadAfterMs ?? 5_000;
    this.schedule = new OffsetSchedule(options.pastOffset);
    this.pending = new PendingRequests(options.clock);
    this.feeds = createSymbolFeeds(options, this.feedHost());
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
    return this.counts.status({
      id: this.id,
      state: this.state,
      symbols: [...new Set([...this.feeds.values()].map((f) => f.symbol))],
      host: this.o.host ?? '127.0.0.1',
      port: this.boundPort,
      offset: this.schedule.latest(),
      terminal: this.terminal.info,
      lastSeq: this.conn?.lastSeq() ?? null,
      now: this.clock.now(),
    });
  }

  /** The latest account snapshot, or null. */
  account(): Mt5AccountSnapshot | null {
    return this.terminal.account;
  }

  /** The latest open-positions list, or null. */
  positions(): Mt5PositionsSnapshot | null {
    return this.terminal.positions;
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
    const message = requestMessage(input, conn.nextSeq(), this.clock.now(), reqId);
    if (message instanceof InvalidRequestError) return Promise.reject(message);
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
        this.counts.gap(gap.id, gap.state);
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
        this.counts.lastMessageAt = this.clock.now();
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
        this.terminal.onAccount(msg, this.clock.now());
        return;
      case 'positions':
        this.terminal.onPositions(msg, this.clock.now());
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
    this.terminal.onHello(msg, this.clock.now());
    if (conn.hello) return;
    conn.hello = true;
    this.counts.lastError = '';
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
    this.counts.lastError = why;
    this.pending.rejectAll(new LinkClosedError(`MT5 link closed: ${why}`));
    if (this.stopped || replaced) return;
    this.setState('disconnected');
    this.event('feed.disconnected', 'warn', null, `MT5 terminal disconnected: ${why}`, { connection: conn.id });
  }

  private drop(reason: string, sample: string, malformed: boolean): void {
    this.counts.drop(reason, malformed);
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
