/**
 * A redundant Binance stream group: N (default 2) independent `BinanceStream`
 * connections to the configured endpoints, merged so that either can die
 * without a lost or doubled tick. Trades are deduped and ordered by aggregate
 * id `a` (`TradeSequencer`), holes are filled from REST (`GapFiller`) after an
 * id jump or after a reconnect where every connection was down; quotes are
 * deduped by `u`, newest wins. Symbols are checked against exchangeInfo at
 * start: a missing one waits with the reason, the others go on.
 */
import type { Clock } from '../../../core/clock/Clock.js';
import type { MarketDataSource } from '../../../core/ports.js';
import type { FeedState, FeedStatus } from '../../../core/types/FeedStatus.js';
import type { EventLevel } from '../../../core/types/SystemEvent.js';
import type { Tick } from '../../../core/types/Tick.js';
import { BinanceStream } from './BinanceStream.js';
import { buildHealth, mergedStatus, type BinanceFeedHealth } from './feedHealth.js';
import { checkFeedOptions, connectionOptions, type BinanceFeedOptions, type ConnectionHandlers } from './feedOptions.js';
import { GapFiller } from './GapFiller.js';
import type { StreamEvent } from './streamSupport.js';
import { checkListings } from './symbolCheck.js';
import { TradeSequencer } from './TradeSequencer.js';

export type { BinanceFeedOptions } from './feedOptions.js';

const LEVEL: Readonly<Record<StreamEvent['kind'], EventLevel | null>> = {
  open: 'info',
  closed: 'warn',
  silent: 'warn',
  rotating: null,
  rotated: 'info',
  shutdown: 'info',
  control_error: 'warn',
};

/** The redundant feed; a `MarketDataSource` for the server. */
export class BinanceFeed implements MarketDataSource {
  readonly id: string;
  private readonly o: BinanceFeedOptions;
  private readonly clock: Clock;
  private readonly seq: TradeSequencer;
  private readonly filler: GapFiller;
  private readonly conns: BinanceStream[] = [];
  private readonly quoteU = new Map<string, number>();
  private readonly waiting = new Map<string, string>();
  private readonly instruments = new Map<string, string>();
  private readonly ac = new AbortController();
  private state: FeedState = 'stopped';
  private connected = 0;
  private allDown = false;
  private started = false;
  private stopped = false;
  private delivered = 0;
  private staleQuotes = 0;

  constructor(options: BinanceFeedOptions) {
    this.o = options;
    this.id = options.id;
    this.clock = options.clock;
    checkFeedOptions(options);
    for (const [instrument, symbol] of Object.entries(options.symbols)) this.instruments.set(symbol, instrument.toUpperCase());
    const onError = (e: unknown) => this.o.onError?.(e);
    this.seq = new TradeSequencer({
      clock: this.clock,
      reorderGraceMs: options.reorderGraceMs ?? 200,
      maxHeld: options.maxHeldTicks ?? 100_000,
      maxHoldMs: options.maxHoldMs ?? 60_000,
      deliver: (t) => this.deliver(t),
      onHole: (lane) => this.filler.fill(lane, 'aggregate id jump'),
      onHoldLimit: (lane, why) => this.filler.holdLimit(lane, why),
    });
    this.filler = new GapFiller({
      feed: this.id,
      clock: this.clock,
      rest: options.rest ?? null,
      instrumentOf: (s) => this.instruments.get(s) ?? s,
      sequencer: this.seq,
      deadlineMs: options.fillDeadlineMs ?? 30_000,
      retryMs: options.fillRetryMs ?? { initial: 250, max: 5_000 },
      timeUnit: options.timeUnit ?? 'MILLISECOND',
      onGap: (g) => this.o.onGap?.(g),
      onError,
    });
  }

  /** Checks listings, then opens every connection; resolves when each has connected or failed once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.setState('starting');
    const rest = this.o.rest ?? null;
    if (rest && this.o.checkSymbols !== false) {
      const check = await checkListings(rest, this.o.market, Object.keys(this.o.symbols), this.ac.signal);
      if (check.unverified) this.event('feed.symbols_unverified', 'warn', null, check.unverified, {});
      for (const [instrument, symbol] of Object.entries(this.o.symbols)) {
        const why = check.missing.get(instrument.toUpperCase());
        if (why === undefined) continue;
        this.waiting.set(symbol, why);
        this.event('feed.symbol_missing', 'error', symbol, why, { instrument, market: this.o.market });
      }
    }
    if (this.stopped) return;
    const active = Object.entries(this.o.symbols).filter(([, s]) => !this.waiting.has(s));
    if (active.length === 0) return this.setState('waiting');
    const streams = active.flatMap(([i]) => this.o.kinds.map((k) => `${i.toLowerCase()}@${k}`));
    const n = this.o.connections ?? 2;
    const symbols = Object.fromEntries(active);
    const handlers: ConnectionHandlers = { onTick: (t) => this.onTick(t), onStatus: () => this.onConnStatus(), onEvent: (e) => this.onConnEvent(e) };
    for (let i = 0; i < n; i++) this.conns.push(new BinanceStream(connectionOptions(this.o, i, streams, symbols, handlers)));
    await Promise.all(this.conns.map((c) => c.start()));
  }

  /** Closes every connection; ranges still missing are reported unfillable and held ticks go out. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ac.abort();
    this.filler.stop(this.seq.all());
    this.seq.stop();
    await Promise.all(this.conns.map((c) => c.stop()));
    this.setState('stopped');
  }

  /**
   * Recovery after a suspected outage we did not see (the wall clock jumped: laptop sleep, VM pause):
   * every connection is replaced with overlap and every symbol catches up from REST.
   */
  recover(reason: string): void {
    if (!this.started || this.stopped) return;
    this.event('feed.recovering', 'warn', null, `${this.id}: ${reason}; reconnecting and gap-filling`, {});
    for (const c of this.conns) c.rotate(reason);
    for (const lane of this.seq.all()) this.filler.fill(lane, reason);
  }

  /** Merged status for `get_system_status`. */
  status(): FeedStatus {
    return mergedStatus(this.health(), Object.values(this.o.symbols), this.clock.now());
  }

  /** Per-connection and merged health. */
  health(): BinanceFeedHealth {
    return buildHealth({
      id: this.id,
      state: this.state,
      connected: this.connected,
      connections: this.conns,
      symbols: Object.values(this.o.symbols),
      lane: (symbol) => this.seq.lane(symbol),
      waiting: this.waiting,
      delivered: this.delivered,
      staleQuotes: this.staleQuotes,
      gaps: this.filler.counters(),
      rest: this.o.rest?.status() ?? null,
      now: this.clock.now(),
    });
  }

  /** The connections (for tests and diagnostics). */
  connections(): readonly BinanceStream[] {
    return this.conns;
  }

  private onTick(tick: Tick): void {
    const seq = tick.seq;
    if (seq === null) return this.deliver(tick);
    if (tick.last !== null) return this.seq.offer(this.seq.lane(tick.symbol), tick, false);
    const u = this.quoteU.get(tick.symbol) ?? -1;
    if (seq <= u) {
      this.staleQuotes++;
      return;
    }
    this.quoteU.set(tick.symbol, seq);
    this.deliver(tick);
  }

  private deliver(tick: Tick): void {
    this.delivered++;
    try {
      this.o.onTick(tick);
    } catch (error) {
      this.o.onError?.(error);
    }
  }

  private onConnStatus(): void {
    const prev = this.connected;
    const n = this.conns.filter((c) => c.status().state === 'connected').length;
    this.connected = n;
    if (this.stopped) return;
    if (prev > 0 && n === 0) {
      this.allDown = true;
      this.event('feed.all_down', 'warn', null, `every ${this.id} connection is down`, {});
    } else if (prev === 0 && n > 0 && this.allDown) {
      this.allDown = false;
      this.event('feed.recovered', 'info', null, `${this.id} is back; gap-filling from REST`, {});
      for (const lane of this.seq.all()) this.filler.fill(lane, 'reconnect after every connection was down');
    }
    this.setState(n > 0 ? 'connected' : 'disconnected');
    if (prev !== n) this.emitStatus();
  }

  private onConnEvent(e: StreamEvent): void {
    const level = LEVEL[e.kind];
    if (level) this.event(`feed.${e.kind}`, level, e.symbol, `${e.stream}: ${e.detail}`, { connection: e.stream });
  }

  private event(kind: string, level: EventLevel, symbol: string | null, message: string, data: Record<string, unknown>): void {
    const now = this.clock.now();
    try {
      this.o.onEvent?.({ kind, level, component: this.id, symbol, message, data, tsEvent: now, tsInit: now });
    } catch (error) {
      this.o.onError?.(error);
    }
  }

  private setState(state: FeedState): void {
    if (this.state === state) return;
    this.state = state;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (!this.o.onStatus) return;
    try {
      this.o.onStatus(this.status());
    } catch (error) {
      this.o.onError?.(error);
    }
  }
}
