import type { Candle, TakerSide, Timeframe } from '../../core/index.js';
import { ImportFormatError, RowError } from './errors.js';
import { closedCandle, looksLikeHeader, parseNumber, parsePrice, parseSize, parseWallTime, quoteTick, rejectStrayHeader, tradeTick } from './fields.js';
import { requireTimeframe } from './detect.js';
import { serverTimeToUtc } from './serverTime.js';
import type { ParserContext, RowParser, ServerOffset } from './types.js';

/** Column name (lower case, without `<>`) to position. */
type Columns = Map<string, number>;

function headerColumns(cells: string[]): Columns {
  return new Map(cells.map((h, i) => [h.trim().replace(/^<|>$/g, '').toLowerCase(), i]));
}

function requireColumns(cols: Columns, names: readonly string[]): Columns {
  const missing = names.filter((n) => !cols.has(n));
  if (missing.length > 0) throw new RowError(`header lacks column(s) ${missing.join(', ')}`);
  return cols;
}

function cell(c: string[], cols: Columns, name: string): string | undefined {
  const i = cols.get(name);
  return i === undefined ? undefined : c[i];
}

function requireOffset(ctx: ParserContext): ServerOffset {
  if (ctx.serverOffset === undefined) {
    throw new ImportFormatError(`MT5 times are broker server time: pass serverOffset (hours east of UTC, or 'eet') for ${ctx.fileName}`);
  }
  return ctx.serverOffset;
}

function mt5Bar(ctx: ParserContext, timeframe: Timeframe, serverMs: number, offset: ServerOffset, c: string[], cols: Columns, volumeName: string): Candle {
  const tickVolume = parseSize(cell(c, cols, volumeName), volumeName);
  return closedCandle(ctx, {
    timeframe,
    basis: 'bid',
    openTime: serverTimeToUtc(serverMs, offset),
    open: parsePrice(cell(c, cols, 'open'), 'open'),
    high: parsePrice(cell(c, cols, 'high'), 'high'),
    low: parsePrice(cell(c, cols, 'low'), 'low'),
    close: parsePrice(cell(c, cols, 'close'), 'close'),
    volume: tickVolume,
    trades: tickVolume,
  });
}

/** Bars must rise in server time; only then can a repeat after UTC conversion be a DST artefact. */
class RisingServerTime {
  private last = -Infinity;
  next(serverMs: number): number {
    if (serverMs <= this.last) throw new RowError('bar server time is not after the previous bar (duplicate or out of order)');
    this.last = serverMs;
    return serverMs;
  }
}

const PY_BAR = ['time', 'open', 'high', 'low', 'close', 'tick_volume'] as const;

/**
 * Row parser for MT5 bars written by the Python `MetaTrader5` package
 * (`[,]time,open,high,low,close,tick_volume[,spread,real_volume]`, with or
 * without the pandas index column). `time` is broker server time, converted to
 * UTC with `serverOffset`; bid-basis candles, volume = trades = tick_volume.
 * Note: H4/D1 bars of a non-UTC server do not start on UTC H4/D1 boundaries.
 */
export function mt5BarParser(ctx: ParserContext): RowParser {
  const offset = requireOffset(ctx);
  const timeframe = requireTimeframe(ctx, 'MT5 bar');
  let cols: Columns | null = null;
  const order = new RisingServerTime();
  return {
    parse(text, first) {
      const c = text.split(',');
      if (first && c.some((v) => v.trim().toLowerCase() === 'time')) {
        cols = requireColumns(headerColumns(c), PY_BAR);
        return null;
      }
      if (cols === null) {
        // No header: the two layouts seen, with (9 columns) or without (6) the pandas index.
        if (c.length === 9) cols = headerColumns(['', ...PY_BAR, 'spread', 'real_volume']);
        else if (c.length === 8) cols = headerColumns([...PY_BAR, 'spread', 'real_volume']);
        else if (c.length === 6) cols = headerColumns([...PY_BAR]);
        else throw new RowError(`expected 6, 8 or 9 columns without a header, got ${c.length}`);
      }
      if (looksLikeHeader(cell(c, cols, 'time'))) return rejectStrayHeader(first);
      if (c.length !== cols.size) throw new RowError(`expected ${cols.size} columns, got ${c.length}`);
      const [date, time] = (cell(c, cols, 'time') ?? '').trim().split(' ');
      const serverMs = order.next(parseWallTime(date, time, 'time'));
      return mt5Bar(ctx, timeframe, serverMs, offset, c, cols, 'tick_volume');
    },
  };
}

const TERMINAL_BAR = ['date', 'open', 'high', 'low', 'close', 'tickvol'] as const;

/**
 * Row parser for the MT5 terminal's bar export (tab-separated, header
 * `<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>`, date
 * `2024.03.19`; `<TIME>` may be absent on D1). Same mapping as `mt5BarParser`.
 */
export function mt5TerminalBarParser(ctx: ParserContext): RowParser {
  const offset = requireOffset(ctx);
  const timeframe = requireTimeframe(ctx, 'MT5 bar');
  let cols = headerColumns(['date', 'time', 'open', 'high', 'low', 'close', 'tickvol', 'vol', 'spread']);
  const order = new RisingServerTime();
  return {
    parse(text, first) {
      const c = text.split('\t');
      if (looksLikeHeader(c[0])) {
        rejectStrayHeader(first);
        cols = requireColumns(headerColumns(c), TERMINAL_BAR);
        return null;
      }
      if (c.length !== cols.size) throw new RowError(`expected ${cols.size} tab-separated columns, got ${c.length}`);
      const serverMs = order.next(parseWallTime(cell(c, cols, 'date'), cell(c, cols, 'time'), 'date/time'));
      return mt5Bar(ctx, timeframe, serverMs, offset, c, cols, 'tickvol');
    },
  };
}

const TERMINAL_TICK = ['date', 'time', 'bid', 'ask', 'last', 'volume', 'flags'] as const;
const FLAG_BUY = 32;
const FLAG_SELL = 64;

function optionalPrice(text: string | undefined, name: string): number | null {
  return text === undefined || text.trim() === '' ? null : parsePrice(text, name);
}

/**
 * Row parser for the MT5 terminal's tick export (tab-separated, header
 * `<DATE> <TIME> <BID> <ASK> <LAST> <VOLUME> <FLAGS>`, `2024.03.19`,
 * `00:00:00.123` server time). An empty BID/ASK cell means unchanged: the
 * previous value is carried forward; a row before both sides are known is an
 * error (its given side is still carried forward); a rejected row's prices are not. A LAST makes a trade tick (volume from VOLUME, taker side from the
 * BUY/SELL flags 32/64); otherwise a quote tick.
 */
export function mt5TerminalTickParser(ctx: ParserContext): RowParser {
  const offset = requireOffset(ctx);
  let cols = headerColumns([...TERMINAL_TICK]);
  let bid: number | null = null;
  let ask: number | null = null;
  return {
    parse(text, first) {
      const c = text.split('\t');
      if (looksLikeHeader(c[0])) {
        rejectStrayHeader(first);
        cols = requireColumns(headerColumns(c), ['date', 'time', 'bid', 'ask']);
        return null;
      }
      if (c.length !== cols.size) throw new RowError(`expected ${cols.size} tab-separated columns, got ${c.length}`);
      const tsEvent = serverTimeToUtc(parseWallTime(cell(c, cols, 'date'), cell(c, cols, 'time'), 'date/time'), offset);
      const newBid = optionalPrice(cell(c, cols, 'bid'), 'bid') ?? bid;
      const newAsk = optionalPrice(cell(c, cols, 'ask'), 'ask') ?? ask;
      const last = optionalPrice(cell(c, cols, 'last'), 'last');
      const volText = cell(c, cols, 'volume')?.trim();
      const volume = volText === undefined || volText === '' ? 0 : parseSize(volText, 'volume');
      const flagText = cell(c, cols, 'flags')?.trim();
      const flags = flagText === undefined || flagText === '' ? 0 : parseNumber(flagText, 'flags');
      if (last === null && (newBid === null || newAsk === null)) {
        // the side that was given is still the venue's current price
        bid = newBid;
        ask = newAsk;
        throw new RowError(`${newBid === null ? 'bid' : 'ask'} not known yet (empty cell and no earlier value)`);
      }
      const both = newBid !== null && newAsk !== null;
      const tick =
        last === null
          ? quoteTick(ctx, tsEvent, newBid as number, newAsk as number, null)
          : tradeTick(ctx, {
              tsEvent,
              price: last,
              volume,
              trades: 1,
              takerSide: takerSideOf(flags),
              seq: null,
              bid: both ? newBid : null,
              ask: both ? newAsk : null,
            });
      bid = newBid;
      ask = newAsk;
      return tick;
    },
  };
}

function takerSideOf(flags: number): TakerSide | null {
  if ((flags & FLAG_BUY) !== 0 && (flags & FLAG_SELL) === 0) return 'buy';
  if ((flags & FLAG_SELL) !== 0 && (flags & FLAG_BUY) === 0) return 'sell';
  return null;
}
