import * as z from 'zod';
import { midPrice } from '../../pipeline/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { iso, resolveSymbol, symbolInput, provenanceOutput, provenanceFor } from './shared.js';

/** The current price of one symbol: quote, last trade, freshness and provenance. */
export const getMarketState = defineTool({
  name: 'get_market_state',
  title: 'Market state',
  description:
    'Current bid, ask, mid and spread of a symbol, its last trade, how old the data is, and which sources are feeding it. ' +
    'bid/ask are null when no quote source is live (for example a trades-only Binance recording); quoteNote then says why.',
  input: z.object({ symbol: symbolInput }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    bid: z.number().nullable().describe('Best bid, null when no quote source is live'),
    ask: z.number().nullable().describe('Best ask, null when no quote source is live'),
    mid: z.number().nullable().describe('(bid + ask) / 2, null without a quote'),
    spread: z.number().nullable().describe('ask - bid, null without a quote'),
    quoteNote: z.string().nullable().describe('Why there is no quote, or null when there is one'),
    last: z
      .object({
        price: z.number().describe('Price of the last trade'),
        size: z.number().describe('Size of the last trade, base units'),
        time: z.string().describe('Venue time of the last trade, ISO 8601 UTC'),
        source: z.string().describe('Source of the last trade'),
      })
      .nullable()
      .describe('Last trade print, null when none arrived yet'),
    asOf: z.string().nullable().describe('Venue time of the newest fact in this answer, ISO 8601 UTC; null when no data yet'),
    ageMs: z.number().nullable().describe('Milliseconds since UTP received the newest fact; null when no data yet'),
    ...provenanceOutput,
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: ({ symbol }, ctx) => {
    const spec = resolveSymbol(ctx, symbol);
    const snap = ctx.live.snapshot(spec.symbol);
    const quote = snap.lastQuote;
    const trade = snap.lastTrade;
    const newest = [quote, trade].filter((x) => x !== null).sort((a, b) => b.tsInit - a.tsInit)[0];
    return {
      symbol: spec.symbol,
      bid: quote?.bid ?? null,
      ask: quote?.ask ?? null,
      mid: quote ? midPrice(quote.bid, quote.ask) : null,
      spread: quote ? Math.round((quote.ask - quote.bid) * 1e8) / 1e8 : null,
      quoteNote: quote
        ? null
        : trade
          ? 'no quote source is live for this symbol: the feed delivers trades only (Binance publishes no spot bookTicker archive, and no MT5 bridge is connected)'
          : 'no data received for this symbol yet',
      last: trade ? { price: trade.price, size: trade.size, time: iso(trade.tsEvent) as string, source: trade.source } : null,
      asOf: iso(newest ? Math.max(quote?.tsEvent ?? 0, trade?.tsEvent ?? 0) : null),
      ageMs: newest ? Math.max(0, ctx.clock.now() - newest.tsInit) : null,
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});
