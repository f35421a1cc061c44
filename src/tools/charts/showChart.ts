import * as z from 'zod';
import { ANALYSIS_TIMEFRAMES, TIMEFRAMES, UtpError } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { getCandles } from '../market/getCandles.js';
import { getOffsets } from '../market/getOffsets.js';
import { getStructure } from '../market/getStructure.js';
import { candleOutput, gapsOutput, resolveSymbol, sourceStatusOutput, symbolInput } from '../market/shared.js';
import { getPositions } from '../trading/getPositions.js';

/** The MCP App resource that renders `show_chart` (an HTML page served with the MCP App MIME type). */
export const CHART_RESOURCE_URI = 'ui://utp/chart.html';

/** Most candles one chart shows. */
export const MAX_CHART_BARS = 1000;

const chartEvent = z.object({
  id: z.string().describe('Structure event id'),
  kind: z.string().describe('bos, choch, order_block, order_block_mitigated, fvg, fvg_partial_fill, fvg_filled, swing_high, swing_low or liquidity_sweep'),
  direction: z.enum(['bullish', 'bearish']).describe('Side the event favours'),
  level: z.number().nullable().describe('Price of the event; null for zones'),
  top: z.number().nullable().describe('Upper bound of a zone; null when none'),
  bottom: z.number().nullable().describe('Lower bound of a zone; null when none'),
  formedAtMs: z.number().int().describe('Open time of the forming candle, epoch ms'),
  confirmedAtMs: z.number().int().describe('Close time of the confirming candle, epoch ms'),
  refs: z.array(z.string()).describe('Ids of the earlier events it refers to'),
});

const chartPosition = z.object({
  ticket: z.string().describe('Position ticket'),
  side: z.enum(['buy', 'sell']).describe('buy (long) or sell (short)'),
  volume: z.number().describe('Lots'),
  openPrice: z.number().describe('Entry price'),
  sl: z.number().nullable().describe('Stop loss, null when none'),
  tp: z.number().nullable().describe('Take profit, null when none'),
  profit: z.number().describe('Floating profit, account currency'),
});

/** A candle chart of one symbol with its structure, offset and open positions; an MCP App where the host renders one. */
export const showChart = defineTool({
  name: 'show_chart',
  title: 'Show chart',
  description:
    'Interactive candle chart of a symbol and timeframe with market-structure marks (BOS/CHOCH markers, active order blocks and fair-value gaps), ' +
    'the Binance-to-broker offset and open positions (entry, SL, TP). Hosts supporting MCP Apps (ChatGPT, Claude) render it inline and it refreshes itself; ' +
    'other clients get the same data as structured content: candles, structure events, positions, offset, asOf, sources and gaps.',
  input: z.object({
    symbol: symbolInput,
    timeframe: z.enum(TIMEFRAMES).describe('Candle timeframe: S1, M1, M5, M15, H1, H4 or D1 (structure exists for M1 to H4)'),
    bars: z.number().int().min(10).max(MAX_CHART_BARS).default(200).describe(`Candles to show (10-${MAX_CHART_BARS}, default 200)`),
  }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol'),
    timeframe: z.enum(TIMEFRAMES).describe('Timeframe shown'),
    source: z.string().describe('Candle stream shown'),
    candles: z.array(candleOutput).describe('Candles, oldest first'),
    lastIsOpen: z.boolean().describe('True when the last candle is still forming'),
    structure: z.array(chartEvent).describe('Structure events confirmed within the candles shown, oldest first'),
    trend: z.enum(['bullish', 'bearish']).nullable().describe('Direction of the last BOS/CHOCH, null when none'),
    structureNote: z.string().nullable().describe('Why structure is missing or partial, null when complete'),
    positions: z.array(chartPosition).describe('Open positions on this symbol'),
    positionsNote: z.string().nullable().describe('Why positions are unavailable, null when they are'),
    offset: z.number().nullable().describe('Binance-to-broker offset in force (broker - Binance), null when none'),
    offsetNote: z.string().nullable().describe('Why the offset is null, or that it is held; null otherwise'),
    asOf: z.string().nullable().describe('Venue time of the newest candle data, ISO 8601 UTC'),
    ageMs: z.number().nullable().describe('Milliseconds from the newest candle data to now; null without data'),
    sources: z.array(sourceStatusOutput).describe('Feeds serving this symbol and their health'),
    gaps: gapsOutput.describe('Data gaps for this symbol'),
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  meta: { ui: { resourceUri: CHART_RESOURCE_URI } },
  handler: async (args, ctx) => {
    const spec = resolveSymbol(ctx, args.symbol);
    const candles = await getCandles.handler(getCandles.input.parse({ symbol: spec.symbol, timeframe: args.timeframe, limit: args.bars }), ctx);
    const first = candles.candles[0]?.openTime;
    let structure: z.infer<typeof chartEvent>[] = [];
    let trend: 'bullish' | 'bearish' | null = null;
    let structureNote: string | null = null;
    if (!(ANALYSIS_TIMEFRAMES as readonly string[]).includes(args.timeframe)) {
      structureNote = `structure is detected on M1, M5, M15, H1 and H4 only, not ${args.timeframe}`;
    } else if (first !== undefined) {
      try {
        const page = await getStructure.handler(
          getStructure.input.parse({ symbol: spec.symbol, timeframe: args.timeframe, since: first, limit: 1000 }),
          ctx,
        );
        structure = page.events.map(({ id, kind, direction, level, top, bottom, formedAtMs, confirmedAtMs, refs }) => ({
          id, kind, direction, level, top, bottom, formedAtMs, confirmedAtMs, refs,
        }));
        trend = page.trend;
        if (page.hasMore) structureNote = `more than ${page.count} events in range: the oldest ${page.count} are shown`;
      } catch (error) {
        structureNote = error instanceof UtpError ? error.message : String(error);
      }
    }
    const held = await getPositions.handler({ symbol: spec.symbol }, ctx);
    const offsets = await getOffsets.handler({}, ctx);
    const offset = offsets.offsets.find((o) => o.symbol === spec.symbol);
    const newest = candles.asOf === null ? null : Date.parse(candles.asOf);
    return {
      symbol: spec.symbol,
      timeframe: args.timeframe,
      source: candles.source,
      candles: candles.candles,
      lastIsOpen: candles.lastIsOpen,
      structure,
      trend,
      structureNote,
      positions: held.positions.map(({ ticket, side, volume, openPrice, sl, tp, profit }) => ({ ticket, side, volume, openPrice, sl, tp, profit })),
      positionsNote: held.reason,
      offset: offset?.offset ?? null,
      offsetNote: offset?.reason ?? (offset?.held ? 'held: the last calibration jumped past the threshold' : null),
      asOf: candles.asOf,
      ageMs: newest === null ? null : Math.max(0, ctx.clock.now() - newest),
      sources: candles.sources,
      gaps: candles.gaps,
    };
  },
});
