/**
 * What the simulated MT5 terminal replays: quote ticks (from Dukascopy or
 * OANDA recordings, UTC) and MT5 bar exports (broker server time), read with
 * the importers' row parsers. Ticks get `MqlTick`-style flags from what
 * changed; the terminal turns their UTC times into server time as MT5 would.
 */
import { basename } from 'node:path';
import type { Candle } from '../core/types/Candle.js';
import type { Tick } from '../core/types/Tick.js';
import { TICK_FLAG, type Mt5Timeframe } from '../pipeline/feeds/mt5/schema.js';
import { timeframeFromFileName } from '../pipeline/importers/detect.js';
import { dukascopyTickParser } from '../pipeline/importers/dukascopy.js';
import { mt5BarParser } from '../pipeline/importers/mt5.js';
import { oandaTickParser } from '../pipeline/importers/oanda.js';
import { readLines } from '../pipeline/importers/readLines.js';
import type { ImportSource, ParserContext, RowParser } from '../pipeline/importers/types.js';

/** One recorded tick: UTC time (whole ms, as MT5 keeps it), prices, and the flags MT5 would set. */
export type SimTick = Readonly<{ utcMs: number; bid: number; ask: number; last: number; vol: number; flags: number }>;

/** One recorded closed bar: open time in broker server time, seconds; spread in points. */
export type SimBar = Readonly<{ t: number; o: number; h: number; l: number; c: number; tickVol: number; spread: number }>;

/** Contract details the terminal announces for a symbol. */
export type SimSymbolSpec = Readonly<{ digits: number; point: number; stopsLevel: number; volumeStep: number; volumeMin: number; volumeMax: number }>;

/** A symbol of the simulated terminal with its recordings. */
export type SimSymbol = SimSymbolSpec &
  Readonly<{
    /** MT5 name, e.g. `BTCUSD`. */
    sym: string;
    /** Ticks in time order (UTC). */
    ticks?: readonly SimTick[];
    /** Closed bars per timeframe, in time order (server time). */
    bars?: Partial<Record<Mt5Timeframe, readonly SimBar[]>>;
  }>;

/** Plausible contract details of the three broker symbols. */
export const SIM_SYMBOL_SPECS: Readonly<Record<'BTCUSD' | 'XAUUSD' | 'GBPJPY', SimSymbolSpec>> = {
  BTCUSD: { digits: 2, point: 0.01, stopsLevel: 1000, volumeStep: 0.01, volumeMin: 0.01, volumeMax: 10 },
  XAUUSD: { digits: 2, point: 0.01, stopsLevel: 0, volumeStep: 0.01, volumeMin: 0.01, volumeMax: 100 },
  GBPJPY: { digits: 3, point: 0.001, stopsLevel: 0, volumeStep: 0.01, volumeMin: 0.01, volumeMax: 100 },
};

/** Tick recording layouts the simulator reads. */
export type SimTickFormat = 'dukascopy' | 'oanda';

function context(path: string, source: ImportSource, extra: Partial<ParserContext> = {}): ParserContext {
  return { fileName: basename(path), source, symbol: 'SIM', sources: [source], timeframe: undefined, serverOffset: undefined, dateOverride: undefined, ...extra };
}

async function parseAll<T>(path: string, parser: RowParser, onRow: (row: Tick | Candle, line: string) => T | null): Promise<T[]> {
  const out: T[] = [];
  let first = true;
  let n = 0;
  for await (const line of readLines(path)) {
    n++;
    if (line.trim() === '') continue;
    let row: Tick | Candle | null;
    try {
      row = parser.parse(line, first);
    } catch (error) {
      throw new Error(`${basename(path)}:${n}: ${error instanceof Error ? error.message : String(error)}`);
    }
    first = false;
    if (row === null) continue;
    const v = onRow(row, line);
    if (v !== null) out.push(v);
  }
  return out;
}

/**
 * Flags of a quote stream as MT5 sets them: BID when the bid changed, ASK when
 * the ask changed; the first tick, and a repeat with nothing changed, carry
 * both (a full quote).
 */
export function withQuoteFlags(rows: readonly Readonly<{ utcMs: number; bid: number; ask: number }>[]): SimTick[] {
  const out: SimTick[] = [];
  let prev: Readonly<{ bid: number; ask: number }> | null = null;
  for (const r of rows) {
    let flags = prev === null ? 0 : (r.bid !== prev.bid ? TICK_FLAG.BID : 0) | (r.ask !== prev.ask ? TICK_FLAG.ASK : 0);
    if (flags === 0) flags = TICK_FLAG.BID | TICK_FLAG.ASK;
    out.push({ utcMs: r.utcMs, bid: r.bid, ask: r.ask, last: 0, vol: 0, flags });
    prev = r;
  }
  return out;
}

/**
 * Reads a quote-tick recording (decoded Dukascopy `timestamp_ms,ask,bid,...`
 * or OANDA `ms_since_midnight,bid,ask` with the date in the file name; `.gz`
 * is fine). Times are cut to whole ms, as MT5's `time_msc` keeps them.
 */
export async function loadSimTicks(path: string, format: SimTickFormat): Promise<SimTick[]> {
  const ctx = context(path, format);
  const parser = format === 'dukascopy' ? dukascopyTickParser(ctx) : oandaTickParser(ctx);
  const rows = await parseAll(path, parser, (row) => {
    const t = row as Tick;
    return { utcMs: Math.floor(t.tsEvent), bid: t.bid as number, ask: t.ask as number };
  });
  return withQuoteFlags(rows);
}

/**
 * Reads an MT5 bar export written by the Python package
 * (`,time,open,high,low,close,tick_volume,spread,real_volume`), keeping broker
 * server time. The timeframe comes from the file name (`_H4_`) unless given.
 */
export async function loadSimBars(path: string, timeframe?: Mt5Timeframe): Promise<SimBar[]> {
  const tf = timeframe ?? timeframeFromFileName(basename(path));
  if (tf === null || tf === 'S1') throw new Error(`cannot tell the MT5 timeframe of ${basename(path)}; pass it`);
  const parser = mt5BarParser(context(path, 'mt5', { timeframe: tf, serverOffset: 0 }));
  let spreadCol = -1;
  return parseAll(path, parser, (row, line) => {
    const cells = line.split(',');
    if (spreadCol < 0) spreadCol = cells.length === 9 ? 7 : cells.length === 8 ? 6 : -2;
    const c = row as Candle;
    const spread = spreadCol >= 0 ? Number(cells[spreadCol]) : 0;
    return { t: c.openTime / 1000, o: c.open, h: c.high, l: c.low, c: c.close, tickVol: c.volume, spread: Number.isInteger(spread) && spread >= 0 ? spread : 0 };
  });
}

/** The same ticks moved by `ms` (to replay two recordings of different days side by side). */
export function shiftTicks(ticks: readonly SimTick[], ms: number): SimTick[] {
  return ticks.map((t) => ({ ...t, utcMs: t.utcMs + ms }));
}
