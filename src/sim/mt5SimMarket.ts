/**
 * The market inside the simulated MT5 terminal: every symbol's ticks merged
 * into one timeline, the broker server clock (UTC + an offset that may follow
 * the EET/US-DST rule), how far the market has got ("produced"), and the
 * history the terminal can answer from (only what has happened, only closed
 * bars). Pure state; the terminal drives it.
 */
import { TIMEFRAME_MS } from '../core/types/Timeframe.js';
import type { Mt5Timeframe } from '../pipeline/feeds/mt5/schema.js';
import { eetServerOffsetHours } from '../pipeline/importers/serverTime.js';
import type { SimBar, SimSymbol, SimTick } from './mt5SimData.js';

/** Server clock of the simulated broker: `'eet'` (UTC+2, +3 during US DST), fixed seconds east of UTC, or any rule of UTC time. */
export type SimOffsetRule = 'eet' | number | ((utcMs: number) => number);

/** A bar that closed, for a live `bar` message. */
export type ClosedBar = Readonly<{ sym: string; tf: Mt5Timeframe; bar: SimBar }>;

type SymState = { spec: SimSymbol; ticks: readonly SimTick[]; utc: Float64Array; produced: number; barNext: Map<Mt5Timeframe, number> };

/** Largest server offset MT5 can have (14 h), ms: bounds a server-time search in UTC. */
const MAX_OFFSET_MS = 50_400_000;
const HOUR = 3_600_000;

function eetRule(): (utcMs: number) => number {
  const cache = new Map<number, number>();
  return (utc) => {
    const hour = Math.floor(utc / HOUR);
    let off = cache.get(hour);
    if (off === undefined) {
      off = eetServerOffsetHours(utc) * 3600;
      if (cache.size > 10_000) cache.clear();
      cache.set(hour, off);
    }
    return off;
  };
}

function upperBound(values: Float64Array, x: number, hi: number): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Timeline, server clock and history of the simulated terminal. */
export class SimMarket {
  /** Events (ticks of every symbol) in time order: symbol index, tick index, UTC ms. */
  readonly length: number;
  private readonly evSym: Uint16Array;
  private readonly evIdx: Uint32Array;
  private readonly evUtc: Float64Array;
  private readonly syms: SymState[];
  private readonly bySym = new Map<string, SymState>();
  private readonly offsetFn: (utcMs: number) => number;
  /** Events that have happened. */
  private producedCount = 0;

  constructor(symbols: readonly SimSymbol[], rule: SimOffsetRule) {
    this.offsetFn = rule === 'eet' ? eetRule() : typeof rule === 'number' ? () => rule : rule;
    this.syms = symbols.map((spec) => {
      const ticks = spec.ticks ?? [];
      return { spec, ticks, utc: Float64Array.from(ticks, (t) => t.utcMs), produced: 0, barNext: new Map() };
    });
    for (const s of this.syms) this.bySym.set(s.spec.sym, s);
    const all: Array<[number, number, number]> = [];
    this.syms.forEach((s, si) => s.ticks.forEach((t, ti) => all.push([t.utcMs, si, ti])));
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    this.length = all.length;
    this.evSym = Uint16Array.from(all, (e) => e[1]);
    this.evIdx = Uint32Array.from(all, (e) => e[2]);
    this.evUtc = Float64Array.from(all, (e) => e[0]);
  }

  /** The symbols, in the order given. */
  symbols(): readonly SimSymbol[] {
    return this.syms.map((s) => s.spec);
  }

  /** Server offset (seconds) at a UTC instant. */
  offsetAt(utcMs: number): number {
    return this.offsetFn(utcMs);
  }

  /** Broker server time (ms, as MT5 gives it) of a UTC instant. */
  serverMs(utcMs: number): number {
    return utcMs + this.offsetFn(utcMs) * 1000;
  }

  /** Events that have happened. */
  produced(): number {
    return this.producedCount;
  }

  /** UTC time of the last event that happened, or null. */
  lastProducedUtc(): number | null {
    return this.producedCount === 0 ? null : (this.evUtc[this.producedCount - 1] as number);
  }

  /** UTC time of the first event, or null without ticks. */
  firstUtc(): number | null {
    return this.length === 0 ? null : (this.evUtc[0] as number);
  }

  /** Server time (ms) at which the latest recorded bar closes, or null without bars. */
  lastBarCloseServerMs(): number | null {
    let best: number | null = null;
    for (const s of this.syms) {
      for (const [tf, bars] of Object.entries(s.spec.bars ?? {}) as Array<[Mt5Timeframe, readonly SimBar[]]>) {
        const last = bars[bars.length - 1];
        if (last !== undefined) best = Math.max(best ?? 0, last.t * 1000 + TIMEFRAME_MS[tf]);
      }
    }
    return best;
  }

  /** The event at a timeline position. */
  event(i: number): Readonly<{ sym: string; tick: SimTick }> {
    const s = this.syms[this.evSym[i] as number] as SymState;
    return { sym: s.spec.sym, tick: s.ticks[this.evIdx[i] as number] as SimTick };
  }

  /** Lets every event up to `utcMs` happen; returns the new produced count. */
  produceUntil(utcMs: number): number {
    return this.produceTo(upperBound(this.evUtc, utcMs, this.length));
  }

  /** Lets events happen up to timeline position `n` (exclusive). */
  produceTo(n: number): number {
    const end = Math.min(n, this.length);
    for (let i = this.producedCount; i < end; i++) (this.syms[this.evSym[i] as number] as SymState).produced++;
    this.producedCount = Math.max(this.producedCount, end);
    return this.producedCount;
  }

  /**
   * Ticks of `sym` that have happened with server time in [fromMsc, toMsc],
   * oldest first, at most `max` (`more` = cut short): rows
   * `[tmsc, bid, ask, last, vol, flags]`. Null for an unknown symbol.
   */
  historyTicks(sym: string, fromMsc: number, toMsc: number, max: number): { rows: number[][]; more: boolean } | null {
    const s = this.bySym.get(sym);
    if (s === undefined) return null;
    const rows: number[][] = [];
    for (let i = upperBound(s.utc, fromMsc - MAX_OFFSET_MS - 1, s.produced); i < s.produced; i++) {
      const t = s.ticks[i] as SimTick;
      const tmsc = this.serverMs(t.utcMs);
      if (tmsc < fromMsc) continue;
      if (tmsc > toMsc) break;
      if (rows.length === max) return { rows, more: true };
      rows.push([tmsc, t.bid, t.ask, t.last, t.vol, t.flags]);
    }
    return { rows, more: false };
  }

  /**
   * Closed bars of `sym`/`tf` (closed by server time `serverNowMs`) with open
   * time in [fromMsc, toMsc], oldest first, at most `max`: rows
   * `[t, o, h, l, c, tickVol, spread]`. Null for an unknown symbol.
   */
  historyBars(sym: string, tf: Mt5Timeframe, fromMsc: number, toMsc: number, max: number, serverNowMs: number): { rows: number[][]; more: boolean } | null {
    const s = this.bySym.get(sym);
    if (s === undefined) return null;
    const size = TIMEFRAME_MS[tf];
    const rows: number[][] = [];
    for (const b of s.spec.bars?.[tf] ?? []) {
      const open = b.t * 1000;
      if (open < fromMsc) continue;
      if (open > toMsc || open + size > serverNowMs) break;
      if (rows.length === max) return { rows, more: true };
      rows.push([b.t, b.o, b.h, b.l, b.c, b.tickVol, b.spread]);
    }
    return { rows, more: false };
  }

  /** Marks every bar closed by `serverNowMs` as already past (bars that closed before the terminal started). */
  skipClosedBars(serverNowMs: number): void {
    this.closedBars(serverNowMs);
  }

  /** Bars that closed since the last call, up to server time `serverNowMs`, in time order per series. */
  closedBars(serverNowMs: number): ClosedBar[] {
    const out: ClosedBar[] = [];
    for (const s of this.syms) {
      for (const [tf, bars] of Object.entries(s.spec.bars ?? {}) as Array<[Mt5Timeframe, readonly SimBar[]]>) {
        let i = s.barNext.get(tf) ?? 0;
        while (i < bars.length && (bars[i] as SimBar).t * 1000 + TIMEFRAME_MS[tf] <= serverNowMs) out.push({ sym: s.spec.sym, tf, bar: bars[i++] as SimBar });
        s.barNext.set(tf, i);
      }
    }
    return out;
  }
}
