/**
 * Recordings the Binance replay server plays: rows of a data.binance.vision
 * archive (aggTrades, trades or bookTicker) for one instrument, and the frames
 * Binance would send for each row, byte for byte in its field order.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataIntegrityError, InvalidRequestError } from '../core/errors.js';
import {
  detectArchiveKind,
  parseArchiveLine,
  type ArchiveAggTrade,
  type ArchiveBookTicker,
  type ArchiveKind,
  type ArchiveTrade,
} from '../pipeline/feeds/binance/archive.js';

/** A replayable recording of one instrument (`symbol` is Binance's lowercase name, e.g. `btcusdt`). */
export type BinanceRecording =
  | Readonly<{ kind: 'aggTrades'; symbol: string; rows: readonly ArchiveAggTrade[] }>
  | Readonly<{ kind: 'trades'; symbol: string; rows: readonly ArchiveTrade[] }>
  | Readonly<{ kind: 'bookTicker'; symbol: string; rows: readonly ArchiveBookTicker[] }>;

/** Which Binance market the frames imitate: spot (default) or USD-M futures. */
export type BinanceMarket = 'spot' | 'usdm';

/** Options of `loadRecording`. */
export type LoadRecordingOptions = {
  /** Lowercase instrument; default from the file name (`BTCUSDT-aggTrades-...` → `btcusdt`). */
  symbol?: string;
  /** Dataset; default from the file name. */
  kind?: ArchiveKind;
};

/**
 * Reads a Binance archive CSV (with or without header) into a recording.
 * Throws `InvalidRequestError` for an unknown or unreplayable dataset (klines)
 * and `DataIntegrityError` naming the first malformed line.
 */
export async function loadRecording(path: string, options: LoadRecordingOptions = {}): Promise<BinanceRecording> {
  const name = basename(path);
  const kind = options.kind ?? detectArchiveKind(name);
  if (kind === null) throw new InvalidRequestError(`cannot tell the dataset of ${name}; pass kind`);
  if (kind === 'klines') throw new InvalidRequestError(`${name}: klines are not replayable as stream frames`);
  const symbol = (options.symbol ?? name.split('-')[0] ?? '').toLowerCase();
  if (!/^[a-z0-9]+$/.test(symbol)) throw new InvalidRequestError(`no instrument symbol for ${name}; pass symbol`);
  const text = await readFile(path, 'utf8');
  const rows: unknown[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const parsed = parseArchiveLine(kind, line);
    if (!parsed.ok) throw new DataIntegrityError(`${name}:${lineNo}: ${parsed.error}`);
    if (parsed.row) rows.push(parsed.row);
  }
  if (rows.length === 0) throw new DataIntegrityError(`${name}: no rows`);
  return { kind, symbol, rows } as BinanceRecording;
}

/** Stream names a recording feeds: aggTrades → `@aggTrade`; trades → `@trade` and `@aggTrade`; bookTicker → `@bookTicker`. */
export function recordingStreams(rec: BinanceRecording): string[] {
  if (rec.kind === 'aggTrades') return [`${rec.symbol}@aggTrade`];
  if (rec.kind === 'trades') return [`${rec.symbol}@trade`, `${rec.symbol}@aggTrade`];
  return [`${rec.symbol}@bookTicker`];
}

/** Event time of a row in integer µs (archive times are ms, fractional when the file had µs). */
export function rowTimeUs(rec: BinanceRecording, i: number): number {
  const row = rec.rows[i];
  return row ? Math.round(row.T * 1000) : Number.NaN;
}

/** Events of one or more recordings in replay order, as parallel arrays. */
export type Timeline = Readonly<{
  /** Recording index of each event. */
  rec: Uint16Array;
  /** Row index within its recording. */
  row: Uint32Array;
  /** Event time, integer µs. */
  us: Float64Array;
  /** Shift per loop, µs, a whole number of ms: last − first event millisecond + 1, so loops never share a millisecond. */
  lengthUs: number;
}>;

/**
 * Merges recordings by time into one timeline; ties go to the earlier recording
 * and each recording keeps its own row order.
 */
export function buildTimeline(list: readonly BinanceRecording[]): Timeline {
  const total = list.reduce((n, r) => n + r.rows.length, 0);
  if (total === 0) throw new RangeError('recording is empty');
  if (list.length > 0xffff) throw new RangeError('too many recordings');
  const rec = new Uint16Array(total);
  const row = new Uint32Array(total);
  const us = new Float64Array(total);
  const next = list.map(() => 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < total; k++) {
    let best = -1;
    let bestT = Infinity;
    for (let r = 0; r < list.length; r++) {
      const recording = list[r] as BinanceRecording;
      const i = next[r] as number;
      if (i >= recording.rows.length) continue;
      const t = rowTimeUs(recording, i);
      if (best < 0 || t < bestT) {
        best = r;
        bestT = t;
      }
    }
    const i = next[best] as number;
    next[best] = i + 1;
    rec[k] = best;
    row[k] = i;
    us[k] = bestT;
    lo = Math.min(lo, bestT);
    hi = Math.max(hi, bestT);
  }
  return { rec, row, us, lengthUs: (Math.floor(hi / 1000) - Math.floor(lo / 1000) + 1) * 1000 };
}

/** How far ids move forward per replay loop, so they stay unique and increasing. */
export type IdSpans = Readonly<{ id: number; tradeId: number }>;

/** Id spans of a recording: aggregate/trade/update id range, and underlying trade id range. */
export function idSpans(rec: BinanceRecording): IdSpans {
  let lo = Infinity;
  let hi = -Infinity;
  let tlo = Infinity;
  let thi = -Infinity;
  for (const row of rec.rows) {
    const id = row.kind === 'aggTrades' ? row.a : row.kind === 'trades' ? row.t : row.u;
    lo = Math.min(lo, id);
    hi = Math.max(hi, id);
    if (row.kind === 'aggTrades') {
      tlo = Math.min(tlo, row.f);
      thi = Math.max(thi, row.l);
    }
  }
  return { id: hi - lo + 1, tradeId: Number.isFinite(tlo) ? thi - tlo + 1 : hi - lo + 1 };
}

/** Everything needed to render one frame: shifted ids and times, and the connection's unit. */
export type FrameContext = Readonly<{
  market: BinanceMarket;
  /** Upper-case symbol as Binance writes it in `s`. */
  upper: string;
  /** Time shift (µs) and id shifts of the current loop. */
  shiftUs: number;
  idShift: number;
  tradeIdShift: number;
  micro: boolean;
}>;

function time(us: number, micro: boolean): number {
  return micro ? us : Math.floor(us / 1000);
}

/**
 * Renders the event payload (the `data` part) of row `i` for stream `kind`
 * exactly as Binance does: spot aggTrade `{"e","E","s","a","p","q","f","l","T","m","M"}`,
 * USD-M aggTrade without `M` (and `a` before `s`), spot bookTicker without `e`/`E`/`T`.
 * `E` is the trade time: archives carry no event time for trades.
 */
export function renderPayload(rec: BinanceRecording, i: number, kind: 'aggTrade' | 'trade' | 'bookTicker', ctx: FrameContext): string {
  const micro = ctx.micro && ctx.market === 'spot';
  const s = ctx.upper;
  switch (rec.kind) {
    case 'aggTrades': {
      const r = rec.rows[i] as ArchiveAggTrade;
      const T = time(Math.round(r.T * 1000) + ctx.shiftUs, micro);
      const a = r.a + ctx.idShift;
      const f = r.f + ctx.tradeIdShift;
      const l = r.l + ctx.tradeIdShift;
      return ctx.market === 'spot'
        ? `{"e":"aggTrade","E":${T},"s":"${s}","a":${a},"p":"${r.p}","q":"${r.q}","f":${f},"l":${l},"T":${T},"m":${r.m},"M":${r.M}}`
        : `{"e":"aggTrade","E":${T},"a":${a},"s":"${s}","p":"${r.p}","q":"${r.q}","f":${f},"l":${l},"T":${T},"m":${r.m}}`;
    }
    case 'trades': {
      const r = rec.rows[i] as ArchiveTrade;
      const T = time(Math.round(r.T * 1000) + ctx.shiftUs, micro);
      const t = r.t + ctx.idShift;
      if (kind === 'trade') return `{"e":"trade","E":${T},"s":"${s}","t":${t},"p":"${r.p}","q":"${r.q}","T":${T},"m":${r.m},"M":${r.M}}`;
      return ctx.market === 'spot'
        ? `{"e":"aggTrade","E":${T},"s":"${s}","a":${t},"p":"${r.p}","q":"${r.q}","f":${t},"l":${t},"T":${T},"m":${r.m},"M":${r.M}}`
        : `{"e":"aggTrade","E":${T},"a":${t},"s":"${s}","p":"${r.p}","q":"${r.q}","f":${t},"l":${t},"T":${T},"m":${r.m}}`;
    }
    case 'bookTicker': {
      const r = rec.rows[i] as ArchiveBookTicker;
      const u = r.u + ctx.idShift;
      if (ctx.market === 'spot') return `{"u":${u},"s":"${s}","b":"${r.b}","B":"${r.B}","a":"${r.a}","A":"${r.A}"}`;
      const T = time(Math.round(r.T * 1000) + ctx.shiftUs, false);
      const E = time(Math.round(r.E * 1000) + ctx.shiftUs, false);
      return `{"e":"bookTicker","u":${u},"s":"${s}","b":"${r.b}","B":"${r.B}","a":"${r.a}","A":"${r.A}","T":${T},"E":${E}}`;
    }
  }
}
