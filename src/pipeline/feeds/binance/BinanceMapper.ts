/**
 * Turns one Binance WebSocket text frame into a `Tick`, a typed "not a tick"
 * outcome, or a counted drop with a reason. Three tiers, one answer:
 * exact-layout templates (spot/USD-M aggTrade, spot bookTicker), then a flat
 * scanner, then `JSON.parse` + zod for anything unusual. The fast tiers only
 * ever answer with a tick for a fully valid frame; every doubt, and every drop,
 * goes to the tier below, so all tiers agree on every frame.
 */
import type { Clock } from '../../../core/clock/Clock.js';
import { ScannedFrame, scanFrame } from './frameScanner.js';
import { matchTemplate, newTemplateFields, type TemplateKind } from './frameTemplates.js';
import {
  DROP_REASONS,
  drop,
  quoteTick,
  tradeTick,
  type BinanceTimeUnit,
  type DropReason,
  type MapOutcome,
  type MapperCounters,
} from './mapOutcome.js';
import { DECIMAL_RE, parseStreamName, type StreamKind } from './schema.js';
import { parseFrame, rawEventKind } from './slowPath.js';

export { DROP_REASONS, type BinanceTimeUnit, type DropReason, type MapOutcome, type MapperCounters } from './mapOutcome.js';

/** Options of a mapper. */
export type BinanceMapperOptions = {
  /** Binance instrument (any case, e.g. `btcusdt`) → canonical symbol (`BTCUSD`). */
  symbols: Readonly<Record<string, string>>;
  /** Source of `tsInit` when the caller does not pass one. */
  clock: Clock;
  /** Unit of the connection's timestamps; µs are converted to (fractional) ms. */
  timeUnit?: BinanceTimeUnit;
  /** Use the fast tiers (default true; false forces JSON.parse + zod, for tests and benchmarks). */
  fastPath?: boolean;
};

type StreamInfo = {
  kind: StreamKind;
  canonical: string | null;
  upper: string;
  /** `{"stream":"<name>","data":` */
  prefix: string;
  /** aggTrade layout that last matched. */
  layout: TemplateKind;
};

const MAX_CACHED_STREAMS = 4096;
const MAX_RECENT = 8;
const RBRACE = 125;

/**
 * Maps Binance frames to ticks for the instruments of its symbol map. One
 * mapper per connection (its time unit is the connection's); counters persist
 * across reconnects.
 */
export class BinanceMapper {
  private readonly symbols = new Map<string, string>();
  private readonly bySymbolUpper = new Map<string, string>();
  private readonly streams = new Map<string, StreamInfo>();
  /** Streams that produced ticks, tried first by prefix. */
  private readonly recent: StreamInfo[] = [];
  private readonly clock: Clock;
  private readonly div: number;
  private readonly fast: boolean;
  private readonly scratch = new ScannedFrame();
  private readonly tf = newTemplateFields();
  private readonly c: MapperCounters = {
    frames: 0,
    ticks: 0,
    trades: 0,
    quotes: 0,
    controls: 0,
    shutdowns: 0,
    klines: 0,
    dropped: 0,
    fastPath: 0,
    byReason: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
  };
  private tsInit = 0;
  private decError: DropReason = 'schema_mismatch';

  constructor(options: BinanceMapperOptions) {
    for (const [instrument, canonical] of Object.entries(options.symbols)) {
      this.symbols.set(instrument.toLowerCase(), canonical);
      this.bySymbolUpper.set(instrument.toUpperCase(), canonical);
    }
    this.clock = options.clock;
    this.div = options.timeUnit === 'MICROSECOND' ? 1000 : 1;
    this.fast = options.fastPath ?? true;
  }

  /** A snapshot of the counters. */
  counters(): MapperCounters {
    return { ...this.c, byReason: { ...this.c.byReason } };
  }

  /** Frames seen so far (cheap, for watchdogs). */
  get frames(): number {
    return this.c.frames;
  }

  /** Maps one text frame; `tsInit` is the receive time (read from the clock when omitted). Never throws. */
  map(raw: string, tsInit?: number): MapOutcome {
    this.c.frames++;
    this.tsInit = tsInit ?? this.clock.now();
    let out = this.fast ? (this.templateMap(raw) ?? this.scanMap(raw)) : null;
    if (out) this.c.fastPath++;
    else out = this.slowMap(raw);
    switch (out.kind) {
      case 'tick':
        this.c.ticks++;
        if (out.tick.last !== null) this.c.trades++;
        else this.c.quotes++;
        break;
      case 'drop':
        this.c.dropped++;
        this.c.byReason[out.reason]++;
        break;
      case 'control':
        this.c.controls++;
        break;
      case 'shutdown':
        this.c.shutdowns++;
        break;
      case 'kline':
        this.c.klines++;
        break;
    }
    return out;
  }

  private streamInfo(stream: string): StreamInfo {
    let info = this.streams.get(stream);
    if (info) return info;
    const parsed = parseStreamName(stream);
    info = {
      kind: parsed.kind,
      canonical: this.symbols.get(parsed.instrument) ?? null,
      upper: parsed.instrument.toUpperCase(),
      prefix: `{"stream":"${stream}","data":`,
      layout: 'spotAggTrade',
    };
    if (this.streams.size < MAX_CACHED_STREAMS) this.streams.set(stream, info);
    return info;
  }

  /** Tier 1: exact layouts of recently seen streams; only valid ticks, else null. */
  private templateMap(raw: string): MapOutcome | null {
    for (let r = 0; r < this.recent.length; r++) {
      const info = this.recent[r] as StreamInfo;
      if (!raw.startsWith(info.prefix)) continue;
      const t = this.tf;
      const start = info.prefix.length;
      const symbol = info.canonical as string;
      if (info.kind === 'bookTicker') {
        const end = matchTemplate('spotBookTicker', raw, start, info.upper, t);
        if (end < 0 || end !== raw.length - 1 || raw.charCodeAt(end) !== RBRACE) return null;
        if (!(t.b > 0 && t.ask > 0 && t.b <= t.ask)) return null;
        return quoteTick(symbol, t.b, t.ask, t.u, this.tsInit, this.tsInit);
      }
      let end = matchTemplate(info.layout, raw, start, info.upper, t);
      if (end < 0) {
        const other: TemplateKind = info.layout === 'spotAggTrade' ? 'usdmAggTrade' : 'spotAggTrade';
        end = matchTemplate(other, raw, start, info.upper, t);
        if (end >= 0) info.layout = other;
      }
      if (end < 0 || end !== raw.length - 1 || raw.charCodeAt(end) !== RBRACE) return null;
      if (!(t.p > 0) || t.l < t.f) return null;
      return tradeTick(symbol, t.p, t.q, t.a, t.l - t.f + 1, t.m, t.T / this.div, this.tsInit);
    }
    return null;
  }

  /** Tier 2: flat-object scanner; only valid ticks, else null. */
  private scanMap(raw: string): MapOutcome | null {
    const f = this.scratch;
    if (!scanFrame(raw, f)) return null;
    let kind: StreamKind;
    let canonical: string | undefined;
    let info: StreamInfo | null = null;
    if (f.stream !== undefined) {
      info = this.streamInfo(f.stream);
      if (info.canonical === null || f.s !== info.upper) return null;
      kind = info.kind;
      canonical = info.canonical;
    } else {
      kind = rawEventKind(f.e, f.u !== undefined, f.b !== undefined);
      canonical = typeof f.s === 'string' ? this.bySymbolUpper.get(f.s) : undefined;
      if (canonical === undefined) return null;
    }
    const { p, q, E, T, m, M } = f;
    let out: MapOutcome;
    if (kind === 'aggTrade') {
      const { a, f: first, l, nq, st } = f;
      if (f.e !== 'aggTrade' || typeof E !== 'number' || typeof a !== 'number' || typeof p !== 'string') return null;
      if (typeof q !== 'string' || typeof first !== 'number' || typeof l !== 'number' || typeof T !== 'number') return null;
      if (typeof m !== 'boolean' || (M !== undefined && typeof M !== 'boolean')) return null;
      if ((nq !== undefined && typeof nq !== 'string') || (st !== undefined && typeof st !== 'number')) return null;
      out = this.trade(canonical, p, q, a, first, l, m, T);
    } else if (kind === 'bookTicker') {
      const { e, u, b, B, a, A } = f;
      if ((e !== undefined && e !== 'bookTicker') || typeof u !== 'number' || typeof b !== 'string') return null;
      if (typeof B !== 'string' || typeof a !== 'string' || typeof A !== 'string') return null;
      if ((E !== undefined && typeof E !== 'number') || (T !== undefined && typeof T !== 'number')) return null;
      out = this.quote(canonical, b, B, a, A, u, T ?? E);
    } else if (kind === 'trade') {
      const { t } = f;
      if (f.e !== 'trade' || typeof E !== 'number' || typeof t !== 'number' || typeof p !== 'string') return null;
      if (typeof q !== 'string' || typeof T !== 'number' || typeof m !== 'boolean') return null;
      if (M !== undefined && typeof M !== 'boolean') return null;
      out = this.trade(canonical, p, q, t, t, t, m, T);
    } else {
      return null;
    }
    if (out.kind !== 'tick') return null;
    if (info && kind !== 'trade' && this.recent.length < MAX_RECENT && !this.recent.includes(info)) this.recent.push(info);
    return out;
  }

  /** Tier 3: JSON.parse + zod; answers every frame. */
  private slowMap(raw: string): MapOutcome {
    const r = parseFrame(raw);
    if (r.kind === 'shutdown') return { kind: 'shutdown', tsEvent: r.E / this.div };
    if (r.kind !== 'event') return r;
    const ev = r.event;
    const canonical = this.symbols.get(r.instrument);
    if (canonical === undefined) return drop('unknown_symbol', r.instrument);
    if (ev.s.toLowerCase() !== r.instrument) return drop('schema_mismatch', `stream ${r.stream} carries symbol ${ev.s}`);
    switch (ev.e) {
      case 'aggTrade':
        return this.trade(canonical, ev.p, ev.q, ev.a, ev.f, ev.l, ev.m, ev.T);
      case 'trade':
        return this.trade(canonical, ev.p, ev.q, ev.t, ev.t, ev.t, ev.m, ev.T);
      case 'kline':
        return { kind: 'kline', symbol: canonical, event: ev };
      default:
        return this.quote(canonical, ev.b, ev.B, ev.a, ev.A, ev.u, ev.T ?? ev.E);
    }
  }

  /** Parses a wire decimal; NaN (with `decError` set) when it is not a finite decimal. */
  private dec(s: string): number {
    const n = +s;
    if (n - n === 0 && DECIMAL_RE.test(s)) return n;
    this.decError = Number.isFinite(n) ? 'schema_mismatch' : 'non_finite';
    return Number.NaN;
  }

  private trade(symbol: string, pS: string, qS: string, seq: number, first: number, last: number, m: boolean, time: number): MapOutcome {
    const price = this.dec(pS);
    if (price !== price) return drop(this.decError, `price ${JSON.stringify(pS)}`);
    const size = this.dec(qS);
    if (size !== size) return drop(this.decError, `quantity ${JSON.stringify(qS)}`);
    if (size < 0) return drop('negative_size', `quantity ${qS}`);
    if (price <= 0) return drop('non_positive_price', `price ${pS}`);
    if (last < first) return drop('schema_mismatch', `last trade id ${last} < first ${first}`);
    return tradeTick(symbol, price, size, seq, last - first + 1, m, time / this.div, this.tsInit);
  }

  private quote(symbol: string, bS: string, bQ: string, aS: string, aQ: string, seq: number, time: number | undefined): MapOutcome {
    const bid = this.dec(bS);
    if (bid !== bid) return drop(this.decError, `bid ${JSON.stringify(bS)}`);
    const bidSize = this.dec(bQ);
    if (bidSize !== bidSize) return drop(this.decError, `bid size ${JSON.stringify(bQ)}`);
    const ask = this.dec(aS);
    if (ask !== ask) return drop(this.decError, `ask ${JSON.stringify(aS)}`);
    const askSize = this.dec(aQ);
    if (askSize !== askSize) return drop(this.decError, `ask size ${JSON.stringify(aQ)}`);
    if (bidSize < 0 || askSize < 0) return drop('negative_size', `sizes ${bQ}/${aQ}`);
    if (bid <= 0 || ask <= 0) return drop('non_positive_price', `bid ${bS} ask ${aS}`);
    if (bid > ask) return drop('crossed_book', `bid ${bS} > ask ${aS}`);
    return quoteTick(symbol, bid, ask, seq, time === undefined ? this.tsInit : time / this.div, this.tsInit);
  }
}
