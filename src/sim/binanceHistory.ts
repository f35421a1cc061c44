/**
 * What the replay has already "traded": per recording, every row of the
 * completed loops plus the rows played so far in the current loop, with the
 * ids and times of each loop shifted exactly as the WebSocket frames were.
 * The REST side of the simulator answers only from this history, the way a
 * real exchange cannot serve trades from the future.
 */
import type { ArchiveAggTrade, ArchiveTrade } from '../pipeline/feeds/binance/archive.js';
import type { BinanceRecording, IdSpans } from './binanceRecording.js';

/** One played trade, shifted to its loop: the fields of a REST aggTrades item (times in integer µs). */
export type PlayedTrade = Readonly<{ a: number; p: string; q: string; f: number; l: number; us: number; m: boolean; M: boolean }>;

type Entry = { rec: BinanceRecording; spans: IdSpans; played: number };

/**
 * The played history of every recording of a replay. `g` indexes a recording's
 * played rows across loops: row `g % n` of loop `floor(g / n)`.
 */
export class ReplayHistory {
  private readonly entries: Entry[];
  private loop = 0;

  constructor(
    recordings: readonly { rec: BinanceRecording; spans: IdSpans }[],
    private readonly lengthUs: number,
  ) {
    this.entries = recordings.map((r) => ({ rec: r.rec, spans: r.spans, played: 0 }));
  }

  /** The replay sent row `row` of recording `r` (rows of a recording are played in order). */
  played(r: number): void {
    const e = this.entries[r];
    if (e) e.played++;
  }

  /** The replay started over: ids and times of the next loop are shifted once more. */
  looped(): void {
    this.loop++;
    for (const e of this.entries) e.played = 0;
  }

  /** Number of played rows of recording `r`, all loops. */
  count(r: number): number {
    const e = this.entries[r];
    return e ? this.loop * e.rec.rows.length + e.played : 0;
  }

  /** True when recording `r` holds trades (aggTrades or trades), i.e. REST aggTrades/klines can come from it. */
  hasTrades(r: number): boolean {
    const k = this.entries[r]?.rec.kind;
    return k === 'aggTrades' || k === 'trades';
  }

  /** The played trade `g` of recording `r` (caller keeps `0 <= g < count(r)`; trade recordings only). */
  trade(r: number, g: number): PlayedTrade {
    const e = this.entries[r] as Entry;
    const n = e.rec.rows.length;
    const loop = Math.floor(g / n);
    const i = g - loop * n;
    const shiftUs = loop * this.lengthUs;
    if (e.rec.kind === 'aggTrades') {
      const row = e.rec.rows[i] as ArchiveAggTrade;
      const tShift = loop * e.spans.tradeId;
      return { a: row.a + loop * e.spans.id, p: row.p, q: row.q, f: row.f + tShift, l: row.l + tShift, us: Math.round(row.T * 1000) + shiftUs, m: row.m, M: row.M };
    }
    const row = e.rec.rows[i] as ArchiveTrade;
    const t = row.t + loop * e.spans.id;
    return { a: t, p: row.p, q: row.q, f: t, l: t, us: Math.round(row.T * 1000) + shiftUs, m: row.m, M: row.M };
  }

  /** Aggregate id of played trade `g`. */
  idAt(r: number, g: number): number {
    return this.trade(r, g).a;
  }

  /** Trade time of played trade `g`, epoch ms (integer, as ms-unit frames carry it). */
  msAt(r: number, g: number): number {
    return Math.floor(this.trade(r, g).us / 1000);
  }

  /** First played index whose key is >= `value` (count(r) when none); `key` must be non-decreasing in g. */
  lowerBound(r: number, value: number, key: (r: number, g: number) => number): number {
    let lo = 0;
    let hi = this.count(r);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (key.call(this, r, mid) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First played index with id >= `id`. */
  firstById(r: number, id: number): number {
    return this.lowerBound(r, id, this.idAt);
  }

  /** First played index with time (ms) >= `ms`. */
  firstByTime(r: number, ms: number): number {
    return this.lowerBound(r, ms, this.msAt);
  }
}
