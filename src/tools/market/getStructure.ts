import * as z from 'zod';
import { ANALYSIS_TIMEFRAMES, ConfigError, STRUCTURE_EVENT_KINDS, type StructureEvent } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { toMs } from './getCandles.js';
import { gapsOutput, iso, resolveSymbol, sourceStatusOutput, symbolInput, provenanceFor } from './shared.js';

/** Most structure events one page may hold. */
export const MAX_STRUCTURE_EVENTS_PER_PAGE = 1000;

const structureTimeframes = ANALYSIS_TIMEFRAMES as unknown as readonly ['M1', 'M5', 'M15', 'H1', 'H4'];

/** One structure event as the tool returns it. */
const structureEventOutput = z.object({
  id: z.string().describe('Deterministic event id: symbol:timeframe:kind:direction:formedAt:confirmedAt[:anchor]'),
  kind: z
    .enum(STRUCTURE_EVENT_KINDS)
    .describe(
      'swing_high, swing_low, bos (break of structure), choch (change of character), order_block, order_block_mitigated, fvg (fair-value gap), fvg_partial_fill, fvg_filled or liquidity_sweep',
    ),
  direction: z.enum(['bullish', 'bearish']).describe('Side the event favours (a swing high is bearish, a break above a swing high bullish)'),
  level: z.number().nullable().describe('The one price of the event: swing price, broken or swept level, fill or mitigation price; null for zones'),
  top: z.number().nullable().describe('Upper bound of the event zone (order block, gap, sweep wick); null when it has none'),
  bottom: z.number().nullable().describe('Lower bound of the event zone; null when it has none'),
  formedAt: z.string().describe('Open time of the candle that formed it, ISO 8601 UTC'),
  formedAtMs: z.number().int().describe('Open time of the candle that formed it, epoch ms UTC'),
  confirmedAt: z.string().describe('Close time of the candle whose close confirmed it, ISO 8601 UTC'),
  confirmedAtMs: z.number().int().describe('Close time (inclusive) of the confirming candle, epoch ms UTC'),
  refs: z.array(z.string()).describe('Ids of the earlier events it refers to (the swing broken, the zone filled...)'),
});

/** A core structure event in the tool shape. */
export function toStructureEventOutput(e: StructureEvent): z.infer<typeof structureEventOutput> {
  return {
    id: e.id,
    kind: e.kind,
    direction: e.direction,
    level: e.level,
    top: e.top,
    bottom: e.bottom,
    formedAt: iso(e.formedAt) as string,
    formedAtMs: e.formedAt,
    confirmedAt: iso(e.confirmedAt) as string,
    confirmedAtMs: e.confirmedAt,
    refs: [...e.refs],
  };
}

/** Confirmed market-structure events of one symbol and timeframe, paged, oldest first. */
export const getStructure = defineTool({
  name: 'get_structure',
  title: 'Market structure',
  description:
    'Confirmed, causal market-structure events of a symbol for one timeframe (M1, M5, M15, H1, H4) from its primary candle source: ' +
    'swing highs and lows, breaks of structure (BOS), changes of character (CHOCH), order blocks and their mitigation, fair-value gaps and their fills, ' +
    'liquidity sweeps. Oldest first; each event is emitted once its candle closed and is never changed. ' +
    'When more match than limit, hasMore is true and nextCursor fetches the next page; nothing is cut silently.',
  input: z.object({
    symbol: symbolInput,
    timeframe: z.enum(structureTimeframes).describe('Timeframe of the structure: M1, M5, M15, H1 or H4'),
    since: z.iso
      .datetime({ offset: true })
      .or(z.number().int().nonnegative())
      .optional()
      .describe('Only events confirmed at or after this time: ISO 8601 or epoch ms. Omit for all stored events'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_STRUCTURE_EVENTS_PER_PAGE)
      .default(200)
      .describe(`Most events to return (1-${MAX_STRUCTURE_EVENTS_PER_PAGE}, default 200)`),
    cursor: z.string().max(200).optional().describe('nextCursor from a previous answer, to fetch the following page'),
  }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    timeframe: z.enum(structureTimeframes).describe('Timeframe answered'),
    source: z.string().describe('Candle source the structure was detected on (the symbol primary source)'),
    trend: z.enum(['bullish', 'bearish']).nullable().describe('Direction of the last BOS/CHOCH seen live, null before the first or before any candle closed'),
    events: z.array(structureEventOutput).describe('Confirmed events, oldest first (by confirmation time, then emission order)'),
    count: z.number().int().describe('Number of events in this page'),
    hasMore: z.boolean().describe('True when more events match than this page holds'),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null when there is none'),
    asOf: z.string().nullable().describe('Close time of the last closed candle the live detector saw, ISO 8601 UTC; null before any'),
    ageMs: z.number().nullable().describe('Milliseconds from asOf to now; null before any candle closed'),
    sources: z.array(sourceStatusOutput).describe('Feeds serving this symbol and their health'),
    gaps: gapsOutput.describe('Data gaps for this symbol (structure over a gap may change once it is filled and replayed)'),
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: (args, ctx) => {
    const spec = resolveSymbol(ctx, args.symbol);
    if (!ctx.structures) throw new ConfigError('structure events are not available: no store of structure events is configured', ['store']);
    const page = ctx.structures.query({
      symbol: spec.symbol,
      timeframe: args.timeframe,
      limit: args.limit,
      ...(args.since !== undefined ? { since: toMs(args.since) } : {}),
      ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
    });
    const state = ctx.fusion?.structureState(spec.symbol, args.timeframe) ?? null;
    return {
      symbol: spec.symbol,
      timeframe: args.timeframe,
      source: spec.primary,
      trend: state?.trend ?? null,
      events: page.events.map(toStructureEventOutput),
      count: page.events.length,
      hasMore: page.nextCursor !== null,
      nextCursor: page.nextCursor,
      asOf: iso(state?.asOf),
      ageMs: state ? Math.max(0, ctx.clock.now() - state.asOf) : null,
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});
