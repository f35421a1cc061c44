import * as z from 'zod';
import { InvalidRequestError, type Candle, type FeedStatus, type Gap, type SymbolSpec } from '../../core/index.js';
import type { ToolContext } from '../context.js';

/** Input field: the canonical symbol. */
export const symbolInput = z
  .string()
  .min(1)
  .max(20)
  .describe('Canonical broker symbol, e.g. BTCUSD, XAUUSD or GBPJPY (get_system_status lists the configured ones)');

/** Finds a configured symbol (case-insensitive) or fails with the list of valid ones. */
export function resolveSymbol(ctx: ToolContext, symbol: string): SymbolSpec {
  const wanted = symbol.trim().toUpperCase();
  const spec = ctx.symbols.find((s) => s.symbol === wanted);
  if (!spec) {
    throw new InvalidRequestError(`unknown symbol "${symbol}"; valid symbols: ${ctx.symbols.map((s) => s.symbol).join(', ')}`);
  }
  return spec;
}

/** One candle as tools return it. */
export const candleOutput = z.object({
  openTime: z.number().int().describe('Open time, epoch milliseconds UTC'),
  open: z.number().describe('First price of the interval'),
  high: z.number().describe('Highest price of the interval'),
  low: z.number().describe('Lowest price of the interval'),
  close: z.number().describe('Last price of the interval (so far, when still open)'),
  volume: z.number().describe('Base volume traded (0 for an empty interval or a quote-only source)'),
  quoteVolume: z.number().describe('Quote volume traded (sum of price x size)'),
  trades: z.number().int().describe('Number of exchange trades (trade basis) or ticks (quote basis)'),
  closed: z.boolean().describe('False only for the candle still forming'),
});

/** Converts a core candle to its tool shape. */
export function toCandleOutput(c: Candle): z.infer<typeof candleOutput> {
  return {
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quoteVolume: c.quoteVolume,
    trades: c.trades,
    closed: c.closed,
  };
}

/** Health of one source feeding a symbol, as every market answer carries it. */
export const sourceStatusOutput = z.object({
  source: z.string().describe('Price source: binance or mt5'),
  feed: z.string().describe('Feed id, e.g. binance-spot'),
  state: z.string().describe('Feed state: connected, replaying, disconnected, waiting, starting or stopped'),
  lastMessageAgeMs: z.number().nullable().describe('Milliseconds since the feed last delivered a frame, null if never'),
  droppedFrames: z.number().int().describe('Malformed frames counted and dropped by this feed since start'),
  reconnects: z.number().int().describe('Reconnects of this feed since start'),
  active: z.boolean().describe('True when this source feeds the unified (fused) stream of the symbol right now'),
});

const gapRange = z.object({
  from: z.number().describe('Start of the missing range, epoch ms'),
  to: z.number().describe('End of the missing range, epoch ms'),
  source: z.string().describe('Source that missed it'),
  reason: z.string().describe('Why the range is missing, or why it could not be filled'),
});

/** Gap flags every market answer carries. */
export const gapsOutput = z.object({
  open: z.array(gapRange).describe('Ranges with missing data being filled right now (answers may change once filled)'),
  filled: z.number().int().describe('Gaps detected and filled since start'),
  unfillable: z.array(gapRange).describe('Ranges that could not be filled: data there is missing for good'),
});

/** Gap flags of a symbol in the tool shape. */
export function gapsFor(ctx: ToolContext, symbol: string): z.infer<typeof gapsOutput> {
  const g = ctx.live.gaps(symbol);
  const range = (x: Gap) => ({ from: x.from, to: x.to, source: x.source, reason: x.reason });
  return { open: g.open.map(range), filled: g.filled, unfillable: g.unfillable.map(range) };
}

/** Feeds serving a symbol, in the tool shape. */
export function sourcesFor(ctx: ToolContext, symbol: string): z.infer<typeof sourceStatusOutput>[] {
  const now = ctx.clock.now();
  const active = ctx.live.activeSource(symbol);
  return ctx
    .facts()
    .feeds.filter((f: FeedStatus) => f.symbols.includes(symbol))
    .map((f) => ({
      source: f.source,
      feed: f.id,
      state: f.state,
      lastMessageAgeMs: f.lastMessageAt === null ? null : Math.max(0, now - f.lastMessageAt),
      droppedFrames: f.dropped,
      reconnects: f.reconnects,
      active: f.source === active,
    }));
}

/** ISO time or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The provenance fields every market answer carries: which feeds serve the symbol and its gap flags. */
export const provenanceOutput = {
  sources: z.array(sourceStatusOutput).describe('Feeds serving this symbol and their health'),
  gaps: gapsOutput.describe('Data gaps for this symbol'),
};

/** The provenance of a symbol, as `provenanceOutput` describes it. */
export function provenanceFor(ctx: ToolContext, symbol: string): { sources: z.infer<typeof sourceStatusOutput>[]; gaps: z.infer<typeof gapsOutput> } {
  return { sources: sourcesFor(ctx, symbol), gaps: gapsFor(ctx, symbol) };
}

/** Field of a market answer: milliseconds from its `asOf` to now, null without data. */
export const ageMsOutput = z.number().nullable().describe('Milliseconds from asOf (the newest data in the answer) to now; null without data');

/** Data age of an answer whose newest data is at `asOfMs` (epoch ms), as `ageMsOutput` describes it: never negative, null without data. */
export function ageMsFor(ctx: ToolContext, asOfMs: number | null | undefined): number | null {
  return asOfMs === null || asOfMs === undefined ? null : Math.max(0, ctx.clock.now() - asOfMs);
}
