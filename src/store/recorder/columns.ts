import type { Candle, Tick } from '../../core/index.js';
import { candleSourceKey } from '../repos/CandleRepo.js';
import { kindCode, sideCode, sourceCode } from '../repos/tickIdentity.js';

/**
 * Columnar batches: how the recorder hands rows to the store writer thread.
 * Each batch is a set of typed-array columns over one SharedArrayBuffer
 * (posting shares the memory, nothing is serialised or copied) plus a small
 * string table; the bus's thread fills them as rows arrive (a few typed-array
 * stores per row, no allocation) and keeps them until the writer acknowledges
 * the batch, so a failed or lost write can be posted again.
 */

type Layout<F extends string, W extends string, B extends string> = { f64: readonly F[]; u16: readonly W[]; u8: readonly B[] };
type Views<F extends string, W extends string, B extends string> = Record<F, Float64Array> & Record<W, Uint16Array> & Record<B, Uint8Array>;

function allocate<F extends string, W extends string, B extends string>(layout: Layout<F, W, B>, cap: number): Views<F, W, B> {
  const buffer = new SharedArrayBuffer(cap * (8 * layout.f64.length + 2 * layout.u16.length + layout.u8.length));
  const views: Record<string, Float64Array | Uint16Array | Uint8Array> = {};
  let offset = 0;
  for (const name of layout.f64) (views[name] = new Float64Array(buffer, offset, cap)), (offset += cap * 8);
  for (const name of layout.u16) (views[name] = new Uint16Array(buffer, offset, cap)), (offset += cap * 2);
  for (const name of layout.u8) (views[name] = new Uint8Array(buffer, offset, cap)), (offset += cap);
  return views as Views<F, W, B>;
}

const STRINGS_MAX = 0xffff;

/** The distinct strings of one batch, referenced by index from Uint16 columns. */
class StringTable {
  strings: string[] = [];
  private readonly index = new Map<string, number>();

  code(s: string): number {
    let code = this.index.get(s);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(s);
      this.index.set(s, code);
    }
    return code;
  }

  get full(): boolean {
    return this.strings.length >= STRINGS_MAX - 4;
  }

  reset(): void {
    this.strings = [];
    this.index.clear();
  }
}

const TICK = {
  f64: ['tsEvent', 'tsInit', 'bid', 'ask', 'last', 'volume', 'trades', 'seq', 'offset'],
  u16: ['sym'],
  u8: ['src', 'kind', 'side', 'flags'],
} as const;

/** Bits of a tick's `flags` column: which nullable prices are null. */
const BID_NULL = 1;
const ASK_NULL = 2;
const LAST_NULL = 4;

/**
 * The ticks of a batch as the writer receives them: `n` rows; `sym` indexes
 * `strings`; `src`, `kind` and `side` are the codes the tick insert binds
 * (tickIdentity.ts); `seq` is the stored seq (synthetic negative for ticks
 * without a venue id); `flags` marks null bid (1), ask (2) and last (4).
 */
export type TickColumnsMessage = Readonly<{ n: number; strings: readonly string[] }> &
  Readonly<Views<(typeof TICK.f64)[number], (typeof TICK.u16)[number], (typeof TICK.u8)[number]>>;

/** A columnar buffer of up to `capacity` ticks. */
export class TickColumns {
  readonly capacity: number;
  n = 0;
  private readonly table = new StringTable();
  private readonly v: Views<(typeof TICK.f64)[number], (typeof TICK.u16)[number], (typeof TICK.u8)[number]>;
  private lastSymbol: string | null = null;
  private lastCode = 0;
  private lastSource: string | null = null;
  private lastSourceCode = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.trunc(capacity));
    this.v = allocate(TICK, this.capacity);
  }

  /** True when no further tick fits. */
  get full(): boolean {
    return this.n >= this.capacity || this.table.full;
  }

  /** Appends a tick stored with `seq` (its venue id, or a synthetic one). The caller checks `full` first. */
  push(t: Tick, seq: number): void {
    const v = this.v;
    const i = this.n++;
    if (t.symbol !== this.lastSymbol) {
      this.lastCode = this.table.code(t.symbol);
      this.lastSymbol = t.symbol;
    }
    v.sym[i] = this.lastCode;
    if (t.source !== this.lastSource) {
      this.lastSourceCode = sourceCode(t.source);
      this.lastSource = t.source;
    }
    v.src[i] = this.lastSourceCode;
    v.kind[i] = kindCode(t);
    v.side[i] = sideCode(t.takerSide);
    let flags = 0;
    if (t.bid === null) flags |= BID_NULL;
    else v.bid[i] = t.bid;
    if (t.ask === null) flags |= ASK_NULL;
    else v.ask[i] = t.ask;
    if (t.last === null) flags |= LAST_NULL;
    else v.last[i] = t.last;
    v.flags[i] = flags;
    v.tsEvent[i] = t.tsEvent;
    v.tsInit[i] = t.tsInit;
    v.volume[i] = t.volume;
    v.trades[i] = t.trades;
    v.seq[i] = seq;
    v.offset[i] = t.offset;
  }

  /** The columns to post (shares the memory). */
  message(): TickColumnsMessage {
    return { n: this.n, strings: this.table.strings, ...this.v };
  }

  /** Empties the buffer for reuse, once the writer no longer reads it. */
  reset(): void {
    this.n = 0;
    this.table.reset();
    this.lastSymbol = null;
  }
}

const CANDLE = {
  f64: ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades', 'takerBuyVolume', 'takerBuyQuoteVolume', 'tsEvent', 'tsInit', 'atr', 'vwap'],
  u16: ['sym', 'tf', 'src', 'basis', 'volState', 'label', 'structure'],
  u8: ['closed', 'nulls'],
} as const;

/** A null string column of a candle (volState, label, structure): the code no string table reaches. */
export const NULL_STRING = 0xffff;
/** Bits of a candle's `nulls` column: atr is null (1), vwap is null (2). */
const ATR_NULL = 1;
const VWAP_NULL = 2;

/**
 * The candles of a batch as the writer receives them: `n` rows; `sym`, `tf`
 * (timeframe), `src` (source key, e.g. `binance+mt5`) and `basis` index
 * `strings`; `closed` is 0 or 1. Analytics: `atr` and `vwap` (null when bit
 * 1 / 2 of `nulls` is set), `volState`, `label` and `structure` (volatility
 * state, structure label, structure JSON) index `strings`, NULL_STRING for null.
 */
export type CandleColumnsMessage = Readonly<{ n: number; strings: readonly string[] }> &
  Readonly<Views<(typeof CANDLE.f64)[number], (typeof CANDLE.u16)[number], (typeof CANDLE.u8)[number]>>;

/** A columnar buffer of up to `capacity` candles. */
export class CandleColumns {
  readonly capacity: number;
  n = 0;
  private readonly table = new StringTable();
  private readonly v: Views<(typeof CANDLE.f64)[number], (typeof CANDLE.u16)[number], (typeof CANDLE.u8)[number]>;
  private lastSources: readonly string[] | null = null;
  private lastSourceCode = 0;
  /** Last symbol, timeframe and basis and their codes: a run of candles repeats them, so most rows skip the table lookups. */
  private lastSymbol: string | null = null;
  private lastSymbolCode = 0;
  private lastTimeframe: string | null = null;
  private lastTimeframeCode = 0;
  private lastBasis: string | null = null;
  private lastBasisCode = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.trunc(capacity));
    this.v = allocate(CANDLE, this.capacity);
  }

  /** True when no further candle fits. */
  get full(): boolean {
    return this.n >= this.capacity || this.table.full;
  }

  /** Appends a candle. The caller checks `full` first. */
  push(c: Candle): void {
    const v = this.v;
    const t = this.table;
    const i = this.n++;
    if (c.sources !== this.lastSources) {
      // the aggregator shares one sources array per combination: the key is built once per batch
      this.lastSourceCode = t.code(candleSourceKey(c.sources));
      this.lastSources = c.sources;
    }
    if (c.symbol !== this.lastSymbol) {
      this.lastSymbolCode = t.code(c.symbol);
      this.lastSymbol = c.symbol;
    }
    if (c.timeframe !== this.lastTimeframe) {
      this.lastTimeframeCode = t.code(c.timeframe);
      this.lastTimeframe = c.timeframe;
    }
    if (c.basis !== this.lastBasis) {
      this.lastBasisCode = t.code(c.basis);
      this.lastBasis = c.basis;
    }
    v.sym[i] = this.lastSymbolCode;
    v.tf[i] = this.lastTimeframeCode;
    v.src[i] = this.lastSourceCode;
    v.basis[i] = this.lastBasisCode;
    v.closed[i] = c.closed ? 1 : 0;
    v.openTime[i] = c.openTime;
    v.open[i] = c.open;
    v.high[i] = c.high;
    v.low[i] = c.low;
    v.close[i] = c.close;
    v.volume[i] = c.volume;
    v.quoteVolume[i] = c.quoteVolume;
    v.trades[i] = c.trades;
    v.takerBuyVolume[i] = c.takerBuyVolume;
    v.takerBuyQuoteVolume[i] = c.takerBuyQuoteVolume;
    v.tsEvent[i] = c.tsEvent;
    v.tsInit[i] = c.tsInit;
    const a = c.analytics;
    let nulls = 0;
    if (a?.atr == null) nulls |= ATR_NULL;
    else v.atr[i] = a.atr;
    if (a?.vwap == null) nulls |= VWAP_NULL;
    else v.vwap[i] = a.vwap;
    v.nulls[i] = nulls;
    v.volState[i] = a?.volatilityState == null ? NULL_STRING : t.code(a.volatilityState);
    v.label[i] = a?.structureLabel == null ? NULL_STRING : t.code(a.structureLabel);
    v.structure[i] = a?.structureJson == null ? NULL_STRING : t.code(a.structureJson);
  }

  /** The columns to post (shares the memory). */
  message(): CandleColumnsMessage {
    return { n: this.n, strings: this.table.strings, ...this.v };
  }

  /** Empties the buffer for reuse, once the writer no longer reads it. */
  reset(): void {
    this.n = 0;
    this.table.reset();
    this.lastSources = null;
    this.lastSymbol = null;
    this.lastTimeframe = null;
    this.lastBasis = null;
  }
}
