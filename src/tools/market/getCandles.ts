import * as z from 'zod';
import { TIMEFRAMES } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { candleOutput, iso, resolveSymbol, symbolInput, toCandleOutput, provenanceOutput, provenanceFor } from './shared.js';

/** Most candles one page may hold. */
export const MAX_CANDLES_PER_PAGE = 1000;

/** OHLCV candles of one symbol and timeframe, paged. */
export const getCandles = defineTool({
  name: 'get_candles',
  title: 'Candles',
  description:
    'OHLCV candles of a symbol for one timeframe (S1, M1, M5, M15, H1, H4, D1), UTC-aligned, oldest first. ' +
    'Without from: the latest candles, the last one possibly still forming. With from: candles from that time on. ' +
    'When more match than limit, hasMore is true and nextCursor fetches the next page; nothing is cut silently.',
  input: z.object({
    symbol: symbolInput,
    timeframe: z.enum(TIMEFRAMES).describe('Candle timeframe: S1, M1, M5, M15, H1, H4 or D1'),
    from: z.iso
      .datetime({ offset: true })
      .or(z.number().int().nonnegative())
      .optional()
      .describe('First open time to return: ISO 8601 or epoch ms. Omit for the latest candles'),
    to: z.iso
      .datetime({ offset: true })
      .or(z.number().int().nonnegative())
      .optional()
      .describe('Last open time to return (inclusive): ISO 8601 or epoch ms'),
    limit: z.number().int().min(1).max(MAX_CANDLES_PER_PAGE).default(200).describe('Most candles to return (1-1000, default 200)'),
    cursor: z.string().max(200).optional().describe('nextCursor from a previous answer, to fetch the following page'),
  }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    timeframe: z.enum(TIMEFRAMES).describe('Timeframe answered'),
    source: z.string().describe('Candle stream answered from, e.g. binance (built from its trades)'),
    candles: z.array(candleOutput).describe('Candles, oldest first'),
    count: z.number().int().describe('Number of candles in this page'),
    lastIsOpen: z.boolean().describe('True when the last candle is still forming'),
    hasMore: z.boolean().describe('True when more candles match than this page holds'),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null when there is none'),
    asOf: z.string().nullable().describe('Venue time of the newest candle data, ISO 8601 UTC'),
    ...provenanceOutput,
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: async (args, ctx) => {
    const spec = resolveSymbol(ctx, args.symbol);
    // reaches back into the Parquet archive for candles SQLite no longer holds
    const page = await ctx.access.candlesDeep({
      symbol: spec.symbol,
      timeframe: args.timeframe,
      limit: args.limit,
      ...(args.from !== undefined ? { from: toMs(args.from) } : {}),
      ...(args.to !== undefined ? { to: toMs(args.to) } : {}),
      ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
    });
    const last = page.candles[page.candles.length - 1];
    return {
      symbol: spec.symbol,
      timeframe: args.timeframe,
      source: page.source,
      candles: page.candles.map(toCandleOutput),
      count: page.candles.length,
      lastIsOpen: page.lastIsOpen,
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
      asOf: iso(last?.tsEvent),
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});

/** ISO string or epoch ms to epoch ms. */
export function toMs(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}
