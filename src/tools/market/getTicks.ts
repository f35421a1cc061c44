import * as z from 'zod';
import { InvalidRequestError, SOURCES } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { toMs } from './getCandles.js';
import { iso, provenanceFor, provenanceOutput, resolveSymbol, symbolInput } from './shared.js';

/** Most raw ticks or bars one page may hold. */
export const MAX_TICKS_PER_PAGE = 5000;

const time = z.iso.datetime({ offset: true }).or(z.number().int().nonnegative());

const tickOutput = z.object({
  tsEvent: z.number().int().describe('Venue time of the tick, epoch milliseconds UTC'),
  tsInit: z.number().int().describe('Time UTP received it, epoch milliseconds UTC'),
  source: z.string().describe('Source that produced it: binance, mt5, dukascopy or oanda'),
  bid: z.number().nullable().describe('Best bid, null for a trade-only tick'),
  ask: z.number().nullable().describe('Best ask, null for a trade-only tick'),
  last: z.number().nullable().describe('Trade price, null for a quote-only tick'),
  volume: z.number().describe('Traded size in base units (0 for a quote)'),
  trades: z.number().int().describe('Exchange trades this tick stands for (0 for a quote)'),
  takerSide: z.enum(['buy', 'sell']).nullable().describe('Aggressor side of the trade, null for quotes or when unknown'),
  seq: z.number().nullable().describe('Venue sequence id (aggTrade id, bookTicker update id), null when the venue has none'),
  offset: z.number().describe('Price offset added to the venue price to express it in broker terms (0 = venue prices)'),
});

const barOutput = z.object({
  openTime: z.number().int().describe('Start of the second or minute, epoch milliseconds UTC'),
  open: z.number().describe('First price of the interval (trade, else quote mid)'),
  high: z.number().describe('Highest price of the interval'),
  low: z.number().describe('Lowest price of the interval'),
  close: z.number().describe('Last price of the interval'),
  volume: z.number().describe('Base volume traded in the interval'),
  ticks: z.number().int().nullable().describe('Ticks (trades and quotes) aggregated; null when the bar was answered from a stored candle (see barsFrom)'),
  trades: z.number().int().describe('Exchange trades aggregated'),
  bid: z.number().nullable().describe('Last bid of the interval, null when it had no quote or the bar was answered from a stored candle'),
  ask: z.number().nullable().describe('Last ask of the interval, null when it had no quote or the bar was answered from a stored candle'),
  basis: z.enum(['trade', 'mid']).describe('trade when the prices are trade prints, mid when the interval had only quotes'),
});

/** Raw ticks or 1 s / 1 min aggregates of a symbol over any range, paged, stitched across RAM, SQLite and the archive. */
export const getTicks = defineTool({
  name: 'get_ticks',
  title: 'Ticks',
  description:
    'Recorded ticks of a symbol between from and to, oldest first: raw ticks (every trade and quote), or 1-second or 1-minute ' +
    'aggregates. Any range is answered: the last hours from memory, older data from the database and the daily archive. ' +
    'Closed seconds and minutes come from the stored S1 / M1 candles where they exist (barsFrom says which basis answered; rebuild forces raw ticks). ' +
    'When more match than limit, hasMore is true and nextCursor fetches the next page; nothing is cut silently. ' +
    'Long reads report progress when the client asks for it.',
  input: z.object({
    symbol: symbolInput,
    from: time.describe('Start of the range (inclusive): ISO 8601 or epoch ms'),
    to: time.optional().describe('End of the range (exclusive): ISO 8601 or epoch ms; omit for now'),
    resolution: z.enum(['raw', '1s', '1m']).default('raw').describe('raw ticks, or 1s / 1m aggregates (default raw)'),
    source: z.enum(SOURCES).optional().describe('Only ticks of this source (binance, mt5, dukascopy, oanda); omit for every source'),
    limit: z.number().int().min(1).max(MAX_TICKS_PER_PAGE).default(1000).describe(`Most ticks or bars to return (1-${MAX_TICKS_PER_PAGE}, default 1000)`),
    rebuild: z
      .boolean()
      .default(false)
      .describe(
        '1s / 1m only. false (default): closed seconds or minutes come from the stored S1 / M1 candles where they exist (fast on long ranges; ' +
          'their ticks, bid and ask are null), the rest is built from raw ticks. true: build every bar from raw ticks',
      ),
    cursor: z.string().max(300).optional().describe('nextCursor from a previous answer, to fetch the following page (it carries the range)'),
  }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    resolution: z.enum(['raw', '1s', '1m']).describe('Resolution answered'),
    from: z.string().describe('Start of the requested range, ISO 8601 UTC'),
    to: z.string().describe('End of the requested range (exclusive), ISO 8601 UTC'),
    ticks: z.array(tickOutput).describe('Raw ticks, oldest first (empty unless resolution is raw)'),
    bars: z.array(barOutput).describe('Aggregates, oldest first (empty when resolution is raw); intervals without ticks are absent'),
    count: z.number().int().describe('Number of ticks or bars in this page'),
    hasMore: z.boolean().describe('True when more ticks or bars match than this page holds'),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next page; null when there is none'),
    layers: z
      .object({
        ram: z.number().int().describe('Raw ticks read from the RAM buffer'),
        sqlite: z.number().int().describe('Raw ticks read from the SQLite store'),
        archive: z.number().int().describe('Raw ticks read from the Parquet archive'),
      })
      .describe('Where the raw ticks behind this page came from'),
    barsFrom: z
      .object({
        ticks: z.number().int().describe('Bars built from raw ticks (their counts are in layers)'),
        sqliteCandles: z.number().int().describe('Bars answered from stored candles in the SQLite store'),
        archiveCandles: z.number().int().describe('Bars answered from stored candles in the Parquet archive'),
      })
      .describe('Which basis answered the bars of this page (all zero when resolution is raw)'),
    asOf: z.string().nullable().describe('Venue time of the newest tick or bar in this page, ISO 8601 UTC'),
    ...provenanceOutput,
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: async (args, ctx, call) => {
    const spec = resolveSymbol(ctx, args.symbol);
    const from = toMs(args.from);
    const to = args.to !== undefined ? toMs(args.to) : ctx.clock.now() + 1;
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new InvalidRequestError('from and to must be valid times');
    if (args.cursor === undefined && to <= from) throw new InvalidRequestError(`to (${iso(to)}) must be later than from (${iso(from)})`);
    const progress = call?.progress;
    const page = await ctx.access.ticks(
      {
        symbol: spec.symbol,
        from,
        to,
        resolution: args.resolution,
        limit: args.limit,
        rebuild: args.rebuild,
        ...(args.source !== undefined ? { source: args.source } : {}),
        ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
      },
      progress ? (done, total, message) => progress(done, total, message) : undefined,
      call?.signal,
    );
    const fromSqlite = page.candleBars?.sqlite ?? 0;
    const fromArchive = page.candleBars?.archive ?? 0;
    const lastTick = page.ticks[page.ticks.length - 1];
    const lastBar = page.bars[page.bars.length - 1];
    return {
      symbol: spec.symbol,
      resolution: page.resolution,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ticks: page.ticks.map((t) => ({
        tsEvent: t.tsEvent,
        tsInit: t.tsInit,
        source: t.source,
        bid: t.bid,
        ask: t.ask,
        last: t.last,
        volume: t.volume,
        trades: t.trades,
        takerSide: t.takerSide,
        seq: t.seq,
        offset: t.offset,
      })),
      bars: [...page.bars],
      count: page.resolution === 'raw' ? page.ticks.length : page.bars.length,
      hasMore: page.hasMore,
      nextCursor: page.nextCursor,
      layers: { ...page.layers },
      barsFrom: {
        ticks: page.bars.length - fromSqlite - fromArchive,
        sqliteCandles: fromSqlite,
        archiveCandles: fromArchive,
      },
      asOf: iso(lastTick?.tsEvent ?? lastBar?.openTime),
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});
