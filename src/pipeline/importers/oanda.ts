import { TIMEFRAME_MS } from '../../core/index.js';
import type { Candle, Timeframe } from '../../core/index.js';
import { ImportFormatError, RowError } from './errors.js';
import { checkOhlc, closedCandle, looksLikeHeader, parseNumber, parsePrice, parseSize, parseWallTime, quoteTick, rejectStrayHeader, splitCsv } from './fields.js';
import { requireTimeframe } from './detect.js';
import type { ParserContext, RowParser } from './types.js';

const DAY_MS = 86_400_000;

/**
 * UTC midnight (epoch ms) of an OANDA/Lean day file: `dateOverride`
 * (`YYYYMMDD` or `YYYY-MM-DD`) if given, else the `YYYYMMDD_` prefix of the name.
 */
export function oandaFileDay(ctx: ParserContext): number {
  const text = ctx.dateOverride ?? /(?:^|[^\d])(\d{8})_/.exec(ctx.fileName)?.[1];
  if (text === undefined) {
    throw new ImportFormatError(
      `OANDA tick/second/minute files carry their date in the file name (YYYYMMDD_...); none in ${ctx.fileName}: pass dateOverride`,
    );
  }
  try {
    return parseWallTime(text, undefined, 'date');
  } catch {
    throw new ImportFormatError(`not a valid date: ${JSON.stringify(text)} (use YYYYMMDD or YYYY-MM-DD)`);
  }
}

function msOfDay(text: string | undefined): number {
  const ms = parseNumber(text, 'ms_since_midnight');
  if (ms < 0 || ms >= DAY_MS) throw new RowError(`ms_since_midnight out of the day: ${ms}`);
  return ms;
}

/**
 * Row parser for OANDA/Lean tick quotes `ms_since_midnight(fractional),bid,ask`
 * (UTC day from the file name): quote ticks; the fraction of a ms is kept.
 */
export function oandaTickParser(ctx: ParserContext): RowParser {
  const day = oandaFileDay(ctx);
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) return rejectStrayHeader(first);
      if (c.length !== 3) throw new RowError(`expected 3 columns, got ${c.length}`);
      return quoteTick(ctx, day + msOfDay(c[0]), parsePrice(c[1], 'bid'), parsePrice(c[2], 'ask'), null);
    },
  };
}

/** Bid candle from the 10 Lean quote-bar columns starting at `c[1]`; the ask side is checked too. */
function quoteBar(ctx: ParserContext, timeframe: Timeframe, openTime: number, c: string[]): Candle {
  if (c.length !== 11) throw new RowError(`expected 11 columns, got ${c.length}`);
  if (openTime % TIMEFRAME_MS[timeframe] !== 0) throw new RowError(`bar time is not on a ${timeframe} boundary`);
  const [bo, bh, bl, bc] = [1, 2, 3, 4].map((i) => parsePrice(c[i], `bid column ${i + 1}`)) as [number, number, number, number];
  parseSize(c[5], 'lastBidSize');
  const [ao, ah, al, ac] = [6, 7, 8, 9].map((i) => parsePrice(c[i], `ask column ${i + 1}`)) as [number, number, number, number];
  parseSize(c[10], 'lastAskSize');
  checkOhlc(ao, ah, al, ac, 'ask bar');
  if (bc > ac) throw new RowError(`crossed book at close: bid ${bc} > ask ${ac}`);
  return closedCandle(ctx, { timeframe, basis: 'bid', openTime, open: bo, high: bh, low: bl, close: bc, volume: 0 });
}

/**
 * Row parser for OANDA/Lean second or minute quote bars
 * (`ms_since_midnight, bidOHLC, lastBidSize, askOHLC, lastAskSize`): closed
 * bid-basis candles, S1/M1 from the file name, volume 0 (Lean sizes are not volume).
 */
export function oandaIntradayBarParser(ctx: ParserContext): RowParser {
  const day = oandaFileDay(ctx);
  const timeframe = requireTimeframe(ctx, 'OANDA bar');
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) return rejectStrayHeader(first);
      const ms = msOfDay(c[0]);
      if (!Number.isInteger(ms)) throw new RowError(`bar time is not whole ms: ${ms}`);
      return quoteBar(ctx, timeframe, day + ms, c);
    },
  };
}

/**
 * Row parser for OANDA/Lean hour or daily quote bars (`YYYYMMDD HH:mm` UTC +
 * the 10 bid/ask columns): closed bid-basis candles, H1/D1 from the file name.
 */
export function oandaDatedBarParser(ctx: ParserContext): RowParser {
  const timeframe = requireTimeframe(ctx, 'OANDA bar');
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) return rejectStrayHeader(first);
      const [date, time] = (c[0] ?? '').split(' ');
      return quoteBar(ctx, timeframe, parseWallTime(date, time ?? '', 'bar time'), c);
    },
  };
}
