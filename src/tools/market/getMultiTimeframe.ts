import * as z from 'zod';
import { ANALYSIS_TIMEFRAMES } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { ageMsFor, ageMsOutput, candleOutput, iso, resolveSymbol, symbolInput, toCandleOutput, provenanceOutput, provenanceFor } from './shared.js';

const frame = z
  .object({
    candles: z.array(candleOutput).describe('Latest candles, oldest first'),
    lastIsOpen: z.boolean().describe('True when the last candle is still forming'),
    hasMore: z.boolean().describe('True when older candles exist beyond this answer (use get_candles to page)'),
    asOf: z.string().nullable().describe('Venue time of the newest candle data of this timeframe, ISO 8601 UTC; null without candles'),
    ageMs: ageMsOutput,
  })
  .describe('Candles of one timeframe');

/** M1, M5, M15, H1 and H4 candles of one symbol in a single answer. */
export const getMultiTimeframe = defineTool({
  name: 'get_multi_timeframe',
  title: 'Multi-timeframe candles',
  description:
    'The latest candles of a symbol on M1, M5, M15, H1 and H4 in one answer, for top-down analysis. ' +
    'Each timeframe says whether its last candle is still forming, whether older candles exist (page them with get_candles), ' +
    'and how old its newest data is (asOf, ageMs).',
  input: z.object({
    symbol: symbolInput,
    bars: z.number().int().min(1).max(500).default(100).describe('Candles per timeframe (1-500, default 100)'),
  }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    source: z.string().describe('Candle stream answered from'),
    timeframes: z
      .object({ M1: frame, M5: frame, M15: frame, H1: frame, H4: frame })
      .describe('Candles per timeframe'),
    asOf: z.string().nullable().describe('Venue time of the newest candle data over all timeframes, ISO 8601 UTC'),
    ageMs: ageMsOutput,
    ...provenanceOutput,
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: async ({ symbol, bars }, ctx) => {
    const spec = resolveSymbol(ctx, symbol);
    // timeframes read in parallel; older candles from the Parquet archive when SQLite no longer holds them
    const pages = await ctx.access.multiTimeframeDeep(spec.symbol, ANALYSIS_TIMEFRAMES, bars);
    const out = {} as Record<string, z.infer<typeof frame>>;
    let newest: number | null = null;
    let source = ctx.live.primaryCandleSource(spec.symbol);
    for (const tf of ANALYSIS_TIMEFRAMES) {
      const page = pages[tf];
      if (!page) continue;
      source = page.source;
      const last = page.candles[page.candles.length - 1];
      if (last && (newest === null || last.tsEvent > newest)) newest = last.tsEvent;
      out[tf] = {
        candles: page.candles.map(toCandleOutput),
        lastIsOpen: page.lastIsOpen,
        hasMore: page.hasMore,
        asOf: iso(last?.tsEvent),
        ageMs: ageMsFor(ctx, last?.tsEvent),
      };
    }
    return {
      symbol: spec.symbol,
      source,
      timeframes: out as { M1: z.infer<typeof frame>; M5: z.infer<typeof frame>; M15: z.infer<typeof frame>; H1: z.infer<typeof frame>; H4: z.infer<typeof frame> },
      asOf: iso(newest),
      ageMs: ageMsFor(ctx, newest),
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});
