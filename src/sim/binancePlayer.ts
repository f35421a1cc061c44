/**
 * The replay engine behind `BinanceReplayServer`: walks the merged timeline of
 * the recordings, renders each event as the frame Binance would send, hands it
 * to every subscribed (and correctly routed) client through that client's
 * faults, records it in the played history, and loops with shifted ids and
 * times. Paced by the clock (recorded time / speed, or a uniform rate), or
 * `max` speed with backpressure.
 */
import type { Socket } from 'node:net';
import type { Cancel, Clock } from '../core/clock/Clock.js';
import { throughFaults, type SimClient } from './binanceClients.js';
import type { ReplayHistory } from './binanceHistory.js';
import { renderPayload, type BinanceMarket, type BinanceRecording, type IdSpans, type Timeline } from './binanceRecording.js';

/** A recording as the player uses it: stream names and kinds it feeds, id spans, upper-case symbol. */
export type PlayerRec = Readonly<{ rec: BinanceRecording; streams: readonly string[]; kinds: readonly string[]; spans: IdSpans; upper: string }>;

/** Settings of the player (see `BinanceReplayServerOptions`). */
export type PlayerOptions = Readonly<{
  clock: Clock;
  market: BinanceMarket;
  speed: number | 'max';
  rate: number | undefined;
  loop: boolean;
  batchSize: number;
  highWaterMark: number;
  onEmit: ((id: number) => void) | undefined;
}>;

/** The clients the player sends to, and how it sends one frame. */
export type Audience = Readonly<{ clients: ReadonlySet<SimClient>; send: (c: SimClient, frame: string) => boolean }>;

/** Walks the timeline and sends frames. */
export class ReplayPlayer {
  pos = 0;
  loops = 0;
  framesSent = 0;
  started = false;
  finished = false;
  private emitted = 0;
  private closed = false;
  private pumping = false;
  private anchorMono = 0;
  private anchorUs = 0;
  private paceTimer: Cancel | null = null;

  constructor(
    private readonly o: PlayerOptions,
    private readonly recs: readonly PlayerRec[],
    private readonly tl: Timeline,
    private readonly history: ReplayHistory,
    private readonly audience: Audience,
  ) {}

  /** A client connected: start the timeline on the first one, and keep frames flowing. */
  kick(): void {
    if (this.closed) return;
    if (!this.started) {
      this.started = true;
      this.anchorMono = this.o.clock.monotonic();
      this.anchorUs = this.timeAt();
    }
    if (this.o.speed === 'max' && this.o.rate === undefined) this.pump();
    else if (!this.paceTimer) this.pace();
  }

  /** Stops pacing for good. */
  close(): void {
    this.closed = true;
    this.paceTimer?.();
    this.paceTimer = null;
  }

  /** Timeline time (µs, loop shift included) of the next event. */
  private timeAt(): number {
    return (this.tl.us[this.pos] ?? 0) + this.loops * this.tl.lengthUs;
  }

  /** Sends the next event to every client subscribed to one of its streams (and routed to it), then advances. */
  private emitNext(): void {
    const ri = this.tl.rec[this.pos] ?? 0;
    const r = this.recs[ri] as PlayerRec;
    const row = this.tl.row[this.pos] ?? 0;
    this.history.played(ri);
    const ctx = { market: this.o.market, upper: r.upper, shiftUs: this.loops * this.tl.lengthUs, idShift: this.loops * r.spans.id, tradeIdShift: this.loops * r.spans.tradeId, micro: false } as const;
    if (this.o.onEmit) {
      const x = r.rec.rows[row];
      if (x) this.o.onEmit((x.kind === 'aggTrades' ? x.a : x.kind === 'trades' ? x.t : x.u) + ctx.idShift);
    }
    const now = this.o.clock.monotonic();
    for (let k = 0; k < r.streams.length; k++) {
      const name = r.streams[k] as string;
      const kind = r.kinds[k] as 'aggTrade' | 'trade' | 'bookTicker';
      let ms: string | null = null;
      let us: string | null = null;
      for (const c of this.audience.clients) {
        if (!c.streams.has(name) || (c.kinds !== null && !c.kinds.has(kind))) continue;
        const data = c.micro ? (us ??= renderPayload(r.rec, row, kind, { ...ctx, micro: true })) : (ms ??= renderPayload(r.rec, row, kind, ctx));
        for (const f of throughFaults(c, c.combined ? `{"stream":"${name}","data":${data}}` : data, now)) if (this.audience.send(c, f)) this.framesSent++;
      }
    }
    this.pos++;
    this.emitted++;
    if (this.pos < this.tl.us.length) return;
    if (!this.o.loop) {
      this.finished = true;
      return;
    }
    this.pos = 0;
    this.loops++;
    this.history.looped();
  }

  /** Finite speed (or uniform rate): sends every due event, then sleeps on the clock until the next one. */
  private pace(): void {
    this.paceTimer = null;
    if (this.closed || this.finished) return;
    const { clock, rate, batchSize } = this.o;
    for (let sent = 0; sent < batchSize && !this.finished; sent++) {
      const due = rate !== undefined ? this.anchorMono + (this.emitted * 1000) / rate : this.anchorMono + (this.timeAt() - this.anchorUs) / 1000 / (this.o.speed as number);
      const wait = due - clock.monotonic();
      if (wait > 1e-6) {
        this.paceTimer = clock.setTimeout(() => this.pace(), wait);
        return;
      }
      this.emitNext();
    }
    if (!this.finished) this.paceTimer = clock.setTimeout(() => this.pace(), 0);
  }

  /** `max` speed: batches between event-loop turns, pausing on client backpressure and when nobody listens. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const clients = this.audience.clients;
    const step = (): void => {
      if (this.closed || this.finished || clients.size === 0) {
        this.pumping = false;
        return;
      }
      // Cork each socket for the batch: one writev per batch instead of one per frame. `_socket` is
      // ws's (long-stable) private field; without it sending still works, only slower.
      const corked = [...clients].map((c) => (c.ws as unknown as { _socket?: Socket })._socket);
      for (const sock of corked) sock?.cork();
      for (let i = 0; i < this.o.batchSize && !this.finished; i++) this.emitNext();
      for (const sock of corked) sock?.uncork();
      for (const c of clients) {
        if (c.ws.bufferedAmount > this.o.highWaterMark) {
          c.waiter = () => setImmediate(step);
          return;
        }
      }
      setImmediate(step);
    };
    setImmediate(step);
  }
}
