/**
 * One symbol of the MT5 bridge: places its ticks and bars in UTC, drops
 * re-delivered ticks, and on every (re)connection fills the ticks missed since
 * the last one we have and the H1/H4 bars missed (or `depth` bars on a first
 * start) from the terminal's history. While a fill runs, live ticks are held
 * back so the symbol's stream stays in time order.
 */
import type { Clock } from '../../../core/clock/Clock.js';
import type { Candle } from '../../../core/types/Candle.js';
import type { Gap, GapState } from '../../../core/types/Gap.js';
import type { EventLevel } from '../../../core/types/SystemEvent.js';
import type { Tick } from '../../../core/types/Tick.js';
import { TIMEFRAME_MS } from '../../../core/types/Timeframe.js';
import { TickDedupe, type DedupeSession } from './dedupe.js';
import { barFromRow, mapWireBar, mapWireTick, tickFromRow, tickKey, type WireBar, type WireTick } from './mapping.js';
import type { OffsetSchedule } from './offsets.js';
import { LinkClosedError } from './requests.js';
import { HistoryBarsDataSchema, HistoryTicksDataSchema, type HelloMessage, type Mt5Timeframe, type RespMessage } from './schema.js';
import type { Mt5RequestInput } from './types.js';

/** What a symbol feed needs from the bridge. */
export interface SymbolFeedHost {
  readonly feedId: string;
  readonly clock: Clock;
  readonly schedule: OffsetSchedule;
  request(input: Mt5RequestInput, timeoutMs?: number): Promise<RespMessage>;
  deliverTick(tick: Tick): void;
  deliverCandle(candle: Candle): void;
  gap(gap: Gap): void;
  /** A well-formed tick or bar that could not be used. */
  reject(reason: string, sample: string): void;
  /** A re-delivered tick was dropped. */
  duplicate(): void;
  event(kind: string, level: EventLevel, symbol: string | null, message: string, data?: Record<string, unknown>): void;
}

/** Tuning of a symbol feed (the bridge fills in defaults). */
export type SymbolFeedOptions = Readonly<{
  dedupeWindow: number;
  maxHeldTicks: number;
  historyChunk: number;
  historyTimeoutMs: number;
  barTimeframes: readonly Mt5Timeframe[];
  barDepth: (tf: Mt5Timeframe) => number;
  lastTickTime: ((symbol: string) => number | null) | undefined;
}>;

type Held = { w: WireTick; session: DedupeSession };

class Unfillable extends Error {}

/** The per-symbol state of the bridge; lives as long as the bridge, across connections. */
export class SymbolFeed {
  private readonly dedupe: TickDedupe;
  private liveSession: DedupeSession;
  private initialised = false;
  private lastUtc: number | null = null;
  private lastTmsc: number | null = null;
  /** True when the dedupe window holds the ticks of `lastUtc`'s millisecond (false after a restart from the store). */
  private lastMsKnown = false;
  private fillToken = 0;
  private filling = false;
  private held: Held[] = [];
  private openGap: Gap | null = null;
  private readonly lastBarT = new Map<Mt5Timeframe, number>();
  private readonly heldBars = new Map<Mt5Timeframe, WireBar[]>();

  constructor(
    private readonly host: SymbolFeedHost,
    /** Canonical symbol. */
    readonly symbol: string,
    /** MT5 name of the symbol. */
    readonly mt5: string,
    private readonly o: SymbolFeedOptions,
  ) {
    this.dedupe = new TickDedupe(o.dedupeWindow);
    this.liveSession = this.dedupe.openSession();
  }

  /** UTC time of the last tick delivered (or taken from the store), or null. */
  lastTickUtc(): number | null {
    return this.lastUtc;
  }

  /** A new terminal connection starts a new live stream. */
  newConnection(): void {
    this.liveSession.close();
    this.liveSession = this.dedupe.openSession();
  }

  /** A live `tick` of this symbol. */
  onLiveTick(w: WireTick): void {
    if (this.filling) {
      if (this.held.length < this.o.maxHeldTicks) {
        this.held.push({ w, session: this.liveSession });
        return;
      }
      this.abortFill(`more than ${this.o.maxHeldTicks} live ticks arrived during the fill`);
    }
    this.accept(w, this.liveSession);
  }

  /** A live closed `bar` of this symbol. */
  onLiveBar(tf: Mt5Timeframe, b: WireBar): void {
    const held = this.heldBars.get(tf);
    if (held !== undefined) held.push(b);
    else this.acceptBar(tf, b);
  }

  /** After `hello`: fills missed ticks, then keeps H1/H4 (configured) bars current. Never throws. */
  async sync(hello: HelloMessage): Promise<void> {
    const info = hello.symbols.find((s) => s.sym === this.mt5);
    await Promise.all([this.syncTicks(info?.lastTickMsc ?? 0), ...this.o.barTimeframes.map((tf) => this.syncBars(tf, hello.serverTimeMsc))]);
  }

  private async syncTicks(eaLast: number): Promise<void> {
    if (!this.initialised) {
      this.initialised = true;
      const stored = this.o.lastTickTime?.(this.symbol) ?? null;
      if (stored !== null && this.lastUtc === null) this.lastUtc = stored;
    }
    if (this.lastUtc === null) return;
    let from = this.lastTmsc ?? this.host.schedule.toServer(this.lastUtc);
    if (from === null) return;
    if (!this.lastMsKnown) from += 1;
    const to = eaLast > 0 ? eaLast : undefined;
    if (to !== undefined && to < from) return;
    await this.fillTicks(from, to);
  }

  private async fillTicks(from: number, to: number | undefined): Promise<void> {
    const token = ++this.fillToken;
    const fromUtc = this.lastUtc as number;
    const toUtc = Math.max(fromUtc, to === undefined ? this.host.clock.now() : (this.host.schedule.toUtc(to) ?? fromUtc));
    const gap = this.openGap ?? this.newGap(fromUtc, toUtc);
    this.setGap({ ...gap, to: Math.max(gap.to, toUtc), state: 'open', reason: 'terminal (re)connected: filling from its history', tsInit: this.host.clock.now() });
    this.filling = true;
    let recovered = 0;
    let cursor = from;
    try {
      for (;;) {
        const resp = await this.host.request(
          { type: 'history', sym: this.mt5, kind: 'ticks', fromMsc: cursor, ...(to !== undefined ? { toMsc: to } : {}), max: this.o.historyChunk },
          this.o.historyTimeoutMs,
        );
        if (token !== this.fillToken) return;
        if (!resp.ok) throw new Unfillable(`terminal refused tick history: ${resp.message} (retcode ${resp.retcode})`);
        const parsed = HistoryTicksDataSchema.safeParse(resp.data);
        if (!parsed.success || parsed.data.sym !== this.mt5) throw new Unfillable('malformed tick history answer');
        const session = this.dedupe.openSession();
        try {
          for (const row of parsed.data.ticks) {
            const w = tickFromRow(row);
            if (w.tmsc < cursor || (to !== undefined && w.tmsc > to)) this.host.reject('history_out_of_range', JSON.stringify(row));
            else if (this.accept(w, session)) recovered++;
          }
        } finally {
          session.close();
        }
        const last = parsed.data.ticks[parsed.data.ticks.length - 1];
        if (!parsed.data.more || last === undefined) break;
        cursor = last[0] > cursor ? last[0] : cursor + 1;
      }
      this.closeGap('filled', `recovered ${recovered} ticks from the terminal's history`, recovered);
    } catch (error) {
      if (token !== this.fillToken) return;
      const why = error instanceof Error ? error.message : String(error);
      if (error instanceof LinkClosedError) {
        // the terminal re-sends these: they are at or before its next hello's lastTickMsc, inside the next fill
        this.held = [];
        const g = this.openGap as Gap;
        this.setGap({ ...g, recovered: g.recovered + recovered, reason: `link closed during the fill (${why}); retried on reconnect`, tsInit: this.host.clock.now() });
      } else {
        this.closeGap('unfillable', why, recovered);
      }
    } finally {
      if (token === this.fillToken) {
        this.filling = false;
        this.flushHeld();
      }
    }
  }

  private abortFill(why: string): void {
    this.fillToken++;
    this.filling = false;
    this.closeGap('unfillable', why, 0);
    this.flushHeld();
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.accept(h.w, h.session);
  }

  /** Delivers a tick unless it was already delivered; true when delivered. */
  private accept(w: WireTick, session: DedupeSession): boolean {
    const utc = this.host.schedule.toUtc(w.tmsc);
    if (utc === null) {
      this.host.reject('before_hello', JSON.stringify(w));
      return false;
    }
    if (this.lastUtc !== null && (utc < this.lastUtc || (utc === this.lastUtc && !this.lastMsKnown))) {
      this.host.duplicate();
      return false;
    }
    if (session.isDuplicate(tickKey(w))) {
      this.host.duplicate();
      return false;
    }
    this.lastUtc = utc;
    this.lastTmsc = w.tmsc;
    this.lastMsKnown = true;
    const tick = mapWireTick(this.symbol, utc, w, this.host.clock.now());
    if (typeof tick === 'string') {
      this.host.reject(tick, JSON.stringify(w));
      return false;
    }
    this.host.deliverTick(tick);
    return true;
  }

  private async syncBars(tf: Mt5Timeframe, serverNow: number): Promise<void> {
    if (this.heldBars.has(tf)) return;
    const size = TIMEFRAME_MS[tf];
    const last = this.lastBarT.get(tf);
    let cursor = last !== undefined ? last * 1000 + size : Math.max(0, serverNow - this.o.barDepth(tf) * size);
    this.heldBars.set(tf, []);
    try {
      for (;;) {
        const resp = await this.host.request({ type: 'history', sym: this.mt5, kind: 'bars', tf, fromMsc: cursor, max: this.o.historyChunk }, this.o.historyTimeoutMs);
        if (!resp.ok) throw new Unfillable(`terminal refused ${tf} bar history: ${resp.message} (retcode ${resp.retcode})`);
        const parsed = HistoryBarsDataSchema.safeParse(resp.data);
        if (!parsed.success || parsed.data.sym !== this.mt5 || parsed.data.tf !== tf) throw new Unfillable(`malformed ${tf} bar history answer`);
        for (const row of parsed.data.bars) this.acceptBar(tf, barFromRow(row));
        const lastRow = parsed.data.bars[parsed.data.bars.length - 1];
        if (!parsed.data.more || lastRow === undefined) break;
        cursor = Math.max(cursor, lastRow[0] * 1000 + size);
      }
    } catch (error) {
      // after a closed link the next connection asks again from the last bar delivered, so held bars must wait for it
      if (error instanceof LinkClosedError) this.heldBars.set(tf, []);
      const why = error instanceof Error ? error.message : String(error);
      this.host.event('mt5.bars_failed', 'warn', this.symbol, `${tf} bar history of ${this.mt5} failed: ${why}`, { timeframe: tf });
    } finally {
      const held = this.heldBars.get(tf) ?? [];
      this.heldBars.delete(tf);
      for (const b of held) this.acceptBar(tf, b);
    }
  }

  private acceptBar(tf: Mt5Timeframe, b: WireBar): void {
    const last = this.lastBarT.get(tf);
    if (last !== undefined && b.t <= last) return;
    if (!(b.l <= b.o && b.l <= b.c && b.o <= b.h && b.c <= b.h)) {
      this.host.reject('bad_ohlc', JSON.stringify(b));
      return;
    }
    const utc = this.host.schedule.toUtc(b.t * 1000);
    if (utc === null) {
      this.host.reject('before_hello', JSON.stringify(b));
      return;
    }
    this.lastBarT.set(tf, b.t);
    this.host.deliverCandle(mapWireBar(this.symbol, tf, utc, b, this.host.clock.now()));
  }

  private newGap(from: number, to: number): Gap {
    return {
      id: `${this.host.feedId}:${this.symbol}:ticks:${from}`,
      symbol: this.symbol,
      source: 'mt5',
      feed: this.host.feedId,
      from,
      to,
      fromSeq: null,
      toSeq: null,
      state: 'open',
      reason: '',
      recovered: 0,
      tsInit: this.host.clock.now(),
    };
  }

  private setGap(gap: Gap): void {
    this.openGap = gap.state === 'open' ? gap : null;
    this.host.gap(gap);
  }

  private closeGap(state: Exclude<GapState, 'open'>, reason: string, recovered: number): void {
    const g = this.openGap;
    if (g === null) return;
    this.setGap({ ...g, state, reason, recovered: g.recovered + recovered, tsInit: this.host.clock.now() });
  }
}
