import { TIMEFRAME_MS } from '../../../core/types/Timeframe.js';
import type { Candle } from '../../../core/types/Candle.js';
import type { TakerSide, Tick } from '../../../core/types/Tick.js';
import { TICK_FLAG, type Mt5Timeframe } from './schema.js';

/** The price fields of an MT5 tick, live (`tick` message) or from history. */
export type WireTick = Readonly<{ tmsc: number; bid: number; ask: number; last: number; vol: number; flags: number }>;

/** The fields of an MT5 bar, live (`bar` message) or from history. */
export type WireBar = Readonly<{ t: number; o: number; h: number; l: number; c: number; tickVol: number; spread: number }>;

/** Why a well-formed tick could not become a core tick. */
export type TickRejectReason = 'empty_tick' | 'crossed_book';

/** Dedupe key of an MT5 tick: `(tmsc, bid, ask, last, flags)`, as the bridge design prescribes. */
export function tickKey(w: WireTick): string {
  return `${w.tmsc}|${w.bid}|${w.ask}|${w.last}|${w.flags}`;
}

function takerSide(flags: number): TakerSide | null {
  const buy = (flags & TICK_FLAG.BUY) !== 0;
  const sell = (flags & TICK_FLAG.SELL) !== 0;
  if (buy === sell) return null;
  return buy ? 'buy' : 'sell';
}

/**
 * Converts an MT5 tick (already placed in UTC) into a core tick of source
 * `mt5`: a trade when `LAST` is flagged with a positive price (volume from
 * `vol`, taker side from BUY/SELL); the quote in force when BID or ASK is
 * flagged, or when the tick is not a trade (a repeat quote), and both sides
 * are positive. A tick with neither, or with a crossed book, is refused.
 */
export function mapWireTick(symbol: string, tsEvent: number, w: WireTick, tsInit: number): Tick | TickRejectReason {
  const trade = (w.flags & TICK_FLAG.LAST) !== 0 && w.last > 0;
  const quote = w.bid > 0 && w.ask > 0 && ((w.flags & (TICK_FLAG.BID | TICK_FLAG.ASK)) !== 0 || !trade);
  if (!trade && !quote) return 'empty_tick';
  if (quote && w.bid > w.ask) return 'crossed_book';
  return {
    symbol,
    source: 'mt5',
    tsEvent,
    tsInit,
    bid: quote ? w.bid : null,
    ask: quote ? w.ask : null,
    last: trade ? w.last : null,
    volume: trade ? w.vol : 0,
    trades: 0,
    takerSide: trade ? takerSide(w.flags) : null,
    seq: null,
    offset: 0,
  };
}

/**
 * Converts a closed MT5 bar (open time already in UTC) into a closed core
 * candle: bid basis, source `mt5`, volume = trades = tick volume (as the MT5
 * importer maps it), close time = open + size - 1.
 */
export function mapWireBar(symbol: string, timeframe: Mt5Timeframe, openTime: number, b: WireBar, tsInit: number): Candle {
  return {
    symbol,
    timeframe,
    openTime,
    open: b.o,
    high: b.h,
    low: b.l,
    close: b.c,
    volume: b.tickVol,
    quoteVolume: 0,
    trades: b.tickVol,
    takerBuyVolume: 0,
    takerBuyQuoteVolume: 0,
    basis: 'bid',
    sources: ['mt5'],
    closed: true,
    tsEvent: openTime + TIMEFRAME_MS[timeframe] - 1,
    tsInit,
  };
}

/** A history tick row `[tmsc, bid, ask, last, vol, flags]` as a wire tick. */
export function tickFromRow(row: readonly [number, number, number, number, number, number]): WireTick {
  return { tmsc: row[0], bid: row[1], ask: row[2], last: row[3], vol: row[4], flags: row[5] };
}

/** A history bar row `[t, o, h, l, c, tickVol, spread]` as a wire bar. */
export function barFromRow(row: readonly [number, number, number, number, number, number, number]): WireBar {
  return { t: row[0], o: row[1], h: row[2], l: row[3], c: row[4], tickVol: row[5], spread: row[6] };
}
