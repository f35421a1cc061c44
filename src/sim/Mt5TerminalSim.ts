/**
 * A simulated MetaTrader 5 terminal running `UtpBridge.mq5`: it connects to
 * the bridge exactly as the Expert Advisor does (TCP client, NDJSON, the
 * protocol of `schemas/mt5-bridge.schema.json`), says hello with the broker
 * server clock, streams recorded ticks in server time at a speed (paced by the
 * Clock, or `max`), sends bars as they close, heartbeats every second,
 * answers `history` and `ping`, and reconnects with backoff (1, 2, 4 … 30 s).
 * Fault hooks: drop the link, go silent (a half-open link that swallows what
 * is sent), send a malformed line, refuse history, execute a trade but drop
 * its answer. With `trading`, `order`/`modify_sltp`/`close` execute with the
 * paper venue's rules (see `mt5SimExec.ts`) and account/positions are live.
 */
import type { Cancel, Clock } from '../core/clock/Clock.js';
import { MT5_PROTOCOL_VERSION, UtpMessageSchema, type CloseMessage, type HistoryMessage, type ModifySltpMessage, type OrderMessage, type UtpMessage } from '../pipeline/feeds/mt5/schema.js';
import { SimExecution } from './mt5SimExec.js';
import { SimMarket } from './mt5SimMarket.js';
import { SimLink } from './mt5SimLink.js';
import { defaultPositions, helloFields, historyAnswer, SIM_ACCOUNT, SIM_TERMINAL } from './mt5SimMessages.js';
import type { Mt5SimSpeed, Mt5SimStats, Mt5TerminalSimOptions } from './mt5SimTypes.js';

export type { Mt5SimTradingOptions, SimTradeAnswer } from './mt5SimExec.js';
export type { Mt5SimSpeed, Mt5SimStats, Mt5TerminalSimOptions, SimAccount } from './mt5SimTypes.js';

/** The simulated MT5 terminal + Expert Advisor. */
export class Mt5TerminalSim {
  private readonly o: Mt5TerminalSimOptions;
  private readonly clock: Clock;
  private readonly market: SimMarket;
  private readonly speed: Mt5SimSpeed;
  private readonly startUtc: number;
  private readonly link: SimLink;
  private started = false;
  private silent = false;
  private seq = 0;
  private anchorMono = 0;
  private sendCursor = 0;
  private announced: number | null = null;
  private subscribed: Set<string> | null = null;
  private barTfs = new Set<string>();
  private pumping = false;
  private refuseHistory = 0;
  private dropAnswers = 0;
  private readonly exec: SimExecution | null;
  private readonly lastSent = new Map<string, number>();
  private timers: Cancel[] = [];
  private firstSettle: (() => void) | null = null;
  private s = { ticksSent: 0, ticksSwallowed: 0, barsSent: 0, historyAnswered: 0, pingsAnswered: 0, badLines: 0 };

  constructor(options: Mt5TerminalSimOptions) {
    this.o = options;
    this.clock = options.clock;
    this.speed = options.speed ?? 1;
    if (this.speed !== 'max' && !(this.speed > 0)) throw new RangeError(`speed must be > 0 or 'max', got ${this.speed}`);
    this.market = new SimMarket(options.symbols, options.serverOffset ?? 'eet');
    const barsEnd = this.market.lastBarCloseServerMs();
    const fallback = barsEnd === null ? this.clock.now() : barsEnd - this.market.offsetAt(barsEnd) * 1000;
    this.startUtc = options.startUtc ?? this.market.firstUtc() ?? fallback;
    const clock = this.clock;
    const marketClock: Clock = { now: () => this.virtualUtc(), monotonic: () => clock.monotonic(), setTimeout: (fn, ms) => clock.setTimeout(fn, ms), setInterval: (fn, ms) => clock.setInterval(fn, ms) };
    this.exec = options.trading ? new SimExecution(options.symbols, marketClock, (utc) => this.market.serverMs(utc), options.trading) : null;
    this.link = new SimLink(clock, options, {
      connected: () => this.onConnected(),
      line: (line) => this.onLine(line),
      badLine: () => this.s.badLines++,
      drain: () => this.pump(),
      closed: () => {
        this.silent = false;
        this.settle();
      },
    });
  }

  /** Starts the market clock and connects; resolves once the first attempt connected or failed. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    this.anchorMono = this.clock.monotonic();
    this.market.skipClosedBars(this.serverNow());
    const settled = new Promise<void>((resolve) => (this.firstSettle = resolve));
    this.timers.push(this.clock.setInterval(() => this.heartbeat(), this.o.heartbeatMs ?? 1_000));
    this.timers.push(this.clock.setInterval(() => this.sendAccount(), this.o.accountEveryMs ?? 10_000));
    this.timers.push(this.clock.setInterval(() => this.sendOffset(this.market.offsetAt(this.virtualUtc()), this.serverNow()), this.o.offsetResendMs ?? 3_600_000));
    if (this.speed !== 'max') this.timers.push(this.clock.setInterval(() => this.pace(), this.o.paceMs ?? 100));
    this.link.connect();
    return settled;
  }

  /** Disconnects for good and cancels every timer. */
  async stop(): Promise<void> {
    for (const cancel of this.timers.splice(0)) cancel();
    const closing = this.link.stop();
    this.settle();
    await closing;
  }

  /** Counters and position of the replay. */
  stats(): Mt5SimStats {
    return { attempts: this.link.attempts, connects: this.link.connects, ...this.s, connected: this.link.connected, failures: this.link.failures, subscribed: this.subscribed !== null, seq: this.seq, silent: this.silent, produced: this.market.produced(), events: this.market.length, finished: this.market.produced() === this.market.length && this.sendCursor === this.market.length, virtualUtc: this.virtualUtc() };
  }

  /** Current market time, UTC ms. */
  virtualUtc(): number {
    if (this.speed === 'max') return this.market.lastProducedUtc() ?? this.startUtc;
    return this.startUtc + (this.clock.monotonic() - this.anchorMono) * this.speed;
  }

  /** Fault: drop the connection now (reconnects with backoff). */
  disconnectNow(): void {
    this.link.destroy();
  }

  /** Fault: keep the socket open but send nothing; ticks produced meanwhile are lost in the link. Cleared by the next connection. */
  goSilent(on = true): void {
    this.silent = on;
    if (!on) this.pump();
  }

  /** Fault: write one raw line (default: a tick whose time is a string). */
  sendMalformed(line = '{"v":1,"type":"tick","seq":999999,"ts":0,"sym":"BTCUSD","tmsc":"yesterday","bid":1,"ask":2,"last":0,"vol":0,"flags":6}'): void {
    this.link.write(line);
  }

  /** Fault: execute the next `count` trading commands but drop their `resp` (the updated positions and account are still sent). */
  dropTradeAnswers(count = 1): void {
    this.dropAnswers += count;
  }

  /** Fault: answer the next `count` history requests with ok=false. */
  failHistory(count = 1): void {
    this.refuseHistory += count;
  }

  private serverNow(): number {
    return Math.floor(this.market.serverMs(this.virtualUtc()));
  }

  /** A new connection: fresh sequence, no fault, not subscribed; hello and account go out first. */
  private onConnected(): void {
    this.seq = 0;
    this.silent = false;
    this.subscribed = null;
    this.sendHello();
    this.sendAccount();
    this.settle();
  }

  private settle(): void {
    const f = this.firstSettle;
    this.firstSettle = null;
    f?.();
  }

  private send(message: Record<string, unknown> & { type: string }): boolean {
    if (!this.link.connected || this.silent) return true;
    const { type, ...fields } = message;
    // `ts` is whole ms on the wire; a test clock driven by fractional timers may read between milliseconds
    return this.link.write(JSON.stringify({ v: MT5_PROTOCOL_VERSION, type, seq: ++this.seq, ts: Math.floor(this.clock.now()), ...fields }));
  }

  private sendHello(): void {
    const utc = Math.floor(this.virtualUtc()); // serverTimeMsc is whole ms
    this.announced = this.market.offsetAt(utc);
    this.send({ type: 'hello', ...helloFields(this.market, this.o.terminal ?? SIM_TERMINAL, this.lastSent, utc) });
  }

  private sendAccount(): void {
    if (this.exec) {
      this.send({ type: 'account', ...this.exec.account() });
      this.send({ type: 'positions', positions: this.exec.positions() });
      return;
    }
    this.send({ type: 'account', ...(this.o.account ?? SIM_ACCOUNT) });
    this.send({ type: 'positions', positions: this.o.positions ?? defaultPositions(this.market, this.startUtc) });
  }

  private sendOffset(offsetSec: number, serverTimeMsc: number): void {
    if (!this.link.connected || this.silent) return;
    this.announced = offsetSec;
    this.send({ type: 'offset', serverUtcOffsetSec: offsetSec, serverTimeMsc });
  }

  private heartbeat(): void {
    this.send({ type: 'hb' });
  }

  /** Finite speed: let the market reach the clock's time, then send what is due. */
  private pace(): void {
    this.market.produceUntil(this.virtualUtc());
    this.pump();
    this.emitBars();
  }

  private emitBars(): void {
    for (const { sym, tf, bar } of this.market.closedBars(this.serverNow())) {
      if (!this.link.connected || this.silent || this.subscribed === null || !this.subscribed.has(sym) || !this.barTfs.has(tf)) continue;
      this.send({ type: 'bar', sym, tf, ...bar });
      this.s.barsSent++;
    }
  }

  /** Sends (or, silent, swallows) the ticks that happened and were not sent yet. */
  private pump(): void {
    if (this.pumping || !this.link.connected || this.subscribed === null) return;
    this.pumping = true;
    try {
      const max = this.speed === 'max';
      const batchEnd = max ? this.sendCursor + (this.o.batchSize ?? 1_000) : Infinity;
      if (max) this.market.produceTo(batchEnd);
      while (this.sendCursor < this.market.produced() && this.link.connected) {
        if (!this.sendTick(this.sendCursor++) && !this.silent) break;
      }
      if (max && this.link.connected && this.sendCursor < this.market.length && (!this.link.needsDrain || this.silent)) setImmediate(() => this.pump());
    } finally {
      this.pumping = false;
    }
  }

  /** Sends one timeline event; false when the socket asks to wait for `drain`. */
  private sendTick(i: number): boolean {
    const { sym, tick } = this.market.event(i);
    if (this.exec?.onTick(sym, tick.bid, tick.ask, tick.utcMs)) this.sendAccount();
    if (this.subscribed === null || !this.subscribed.has(sym)) return true;
    const tmsc = this.market.serverMs(tick.utcMs);
    this.lastSent.set(sym, tmsc);
    if (this.silent) {
      this.s.ticksSwallowed++;
      return true;
    }
    const off = this.market.offsetAt(tick.utcMs);
    if (off !== this.announced) this.sendOffset(off, tmsc);
    this.s.ticksSent++;
    return this.send({ type: 'tick', sym, tmsc, bid: tick.bid, ask: tick.ask, last: tick.last, vol: tick.vol, flags: tick.flags });
  }

  private onLine(line: string): void {
    this.o.tap?.('in', line);
    let parsed: ReturnType<typeof UtpMessageSchema.safeParse>;
    try {
      parsed = UtpMessageSchema.safeParse(JSON.parse(line));
    } catch {
      this.s.badLines++;
      return;
    }
    if (!parsed.success) {
      this.s.badLines++;
      return;
    }
    this.handle(parsed.data);
  }

  private handle(m: UtpMessage): void {
    switch (m.type) {
      case 'subscribe': {
        const known = new Set(this.market.symbols().map((s) => s.sym));
        this.subscribed = new Set(m.symbols.filter((s) => known.has(s)));
        this.barTfs = new Set(m.bars);
        this.pump();
        return;
      }
      case 'history':
        return this.answerHistory(m);
      case 'ping':
        this.s.pingsAnswered++;
        this.send({ type: 'resp', reqId: m.reqId, ok: true, retcode: 0, message: 'pong', data: null });
        return;
      case 'order':
      case 'modify_sltp':
      case 'close':
        if (this.exec) return void this.trade(this.exec, m);
        this.send({ type: 'resp', reqId: m.reqId, ok: false, retcode: 10013, message: `${m.type}: trading is not enabled in the simulator (no trading option)`, data: null });
        return;
    }
  }

  /** Executes a trading command, sends the new positions and account, then the answer (unless a fault drops it). */
  private async trade(exec: SimExecution, m: OrderMessage | ModifySltpMessage | CloseMessage): Promise<void> {
    const answer = await exec.execute(m);
    if (answer.ok) this.sendAccount();
    if (this.dropAnswers > 0) {
      this.dropAnswers--;
      return;
    }
    this.send({ type: 'resp', reqId: m.reqId, ...answer });
  }

  private answerHistory(m: HistoryMessage): void {
    if (this.refuseHistory > 0) {
      this.refuseHistory--;
      this.send({ type: 'resp', reqId: m.reqId, ok: false, retcode: -1, message: 'history unavailable (simulated fault)', data: null });
      return;
    }
    const answer = historyAnswer(this.market, m, this.serverNow());
    if (answer.ok) this.s.historyAnswered++;
    this.send({ type: 'resp', reqId: m.reqId, ...answer });
  }
}
