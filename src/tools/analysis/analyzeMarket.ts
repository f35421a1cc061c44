import * as z from 'zod';
import { ANALYSIS_TIMEFRAMES, candleCloseTime, TemporaryError, TIMEFRAME_MS, type Candle } from '../../core/index.js';
import { ANALYSED_TIMEFRAMES, ANALYSIS_MODEL, analyzeMarket as analyze, midPrice, tradingSession, type AnalysedTimeframe, type MarketAnalysis } from '../../pipeline/index.js';
import type { ToolContext } from '../context.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { gapsOutput, resolveSymbol, sourceStatusOutput, symbolInput, provenanceFor } from '../market/shared.js';
import { marketAnalysisOutput } from './schema.js';
import { DEFER_RETRY_SECONDS, latestAnalysis, rememberAnalysis } from './analysisCache.js';

/** Closed candles per timeframe the analysis reads (M1: 5 h, more than the 3 h RAM buffer; H4: 50 days). */
export const ANALYSIS_BARS = 300;

/** The question stored with every analyze_market call in the analysis history. */
export const ANALYZE_MARKET_QUESTION = 'analyze_market';

/** The deterministic multi-timeframe analysis of one symbol, stored in the analysis history. */
export const analyzeMarket = defineTool({
  name: 'analyze_market',
  title: 'Market analysis',
  description:
    'Deterministic multi-timeframe analysis of a symbol (M1, M5, M15, H1, H4, 300 closed candles each): per timeframe ATR, range expansion, ' +
    'volatility regime, session VWAP, EMAs, causal structure (trend from the last BOS/CHOCH, swings, sweeps, open order blocks and fair-value gaps) ' +
    'and a scored bias with reasons; then a weighted map (H4 > H1 > M15 > M5 > M1), key levels sorted by distance to price, and a plan: ' +
    'overall bias, invalidation level, zones where entries would be considered, targets. Analysis only, never an order. ' +
    'The same data always gives the same answer; every call is stored (read them back with get_analysis_history). ' +
    'While the server is under load (trade management first), the latest analysis of the symbol is answered instead, with deferred: true ' +
    'and its age in cacheAgeMs; with nothing cached the call fails with a retry hint.',
  input: z.object({ symbol: symbolInput }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    source: z.string().describe('Candle stream analysed, e.g. binance'),
    asOf: z.string().describe('Venue time of the newest data analysed, ISO 8601 UTC'),
    ageMs: z.number().nullable().describe('Milliseconds since UTP received the newest data analysed; null when unknown'),
    analysis: marketAnalysisOutput.describe('The analysis'),
    history: z
      .object({
        stored: z.boolean().describe('True when this analysis was stored in the analysis history'),
        id: z.number().int().nullable().describe('Id of the stored analysis, null when not stored'),
        note: z.string().nullable().describe('Why it was not stored, null when it was'),
      })
      .describe('Where this call was recorded'),
    sources: z.array(sourceStatusOutput).describe('Feeds serving this symbol and their health'),
    gaps: gapsOutput.describe('Data gaps for this symbol (an open gap means candles may still change)'),
    deferred: z.boolean().describe('True when the server was under load and this is the latest earlier analysis of the symbol, not recomputed (see cacheAgeMs)'),
    cacheAgeMs: z.number().nullable().describe('When deferred: milliseconds since that earlier analysis was computed; null when computed for this call'),
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: ({ symbol }, ctx) => {
    const spec = resolveSymbol(ctx, symbol);
    if (ctx.load?.busy()) return deferred(ctx, spec.symbol);
    const gathered = gather(ctx, spec.symbol);
    const analysis = analyze({
      symbol: spec.symbol,
      asOf: gathered.asOf,
      candles: gathered.candles,
      lastPrice: gathered.price?.value ?? null,
      lastPriceAt: gathered.price?.at ?? null,
      session: tradingSession(gathered.asOf),
      macro: ctx.macro?.snapshot(ctx.clock.now()) ?? null,
    });
    let history: { stored: boolean; id: number | null; note: string | null };
    if (ctx.analysisHistory) {
      const record = ctx.analysisHistory.append({
        symbol: spec.symbol,
        timeframes: ANALYSED_TIMEFRAMES,
        question: ANALYZE_MARKET_QUESTION,
        answer: analysis,
        model: ANALYSIS_MODEL,
        ts: ctx.clock.now(),
      });
      history = { stored: true, id: record.id, note: null };
    } else {
      history = { stored: false, id: null, note: 'analysis history is not configured on this server: the analysis was answered but not stored' };
    }
    const ageMs = gathered.receivedAt === null ? null : Math.max(0, ctx.clock.now() - gathered.receivedAt);
    rememberAnalysis(ctx, spec.symbol, { source: gathered.source, asOf: analysis.asOf, ageMs, analysis, id: history.id, at: ctx.clock.now() });
    return {
      symbol: spec.symbol,
      source: gathered.source,
      asOf: analysis.asOf,
      ageMs,
      analysis: analysis as Writable<MarketAnalysis>,
      history,
      ...provenanceFor(ctx, spec.symbol),
      deferred: false,
      cacheAgeMs: null,
    };
  },
});

/**
 * The answer under load: the latest analysis of the symbol (in memory, else
 * the analysis history) with its age, never a computation.
 * @throws TemporaryError with a retry hint when there is none.
 */
function deferred(ctx: ToolContext, symbol: string) {
  const cached = latestAnalysis(ctx, symbol, ANALYZE_MARKET_QUESTION);
  if (cached === null) {
    const p99 = ctx.load?.delay()?.p99Ms;
    const load = p99 === undefined ? '' : ` (event-loop delay p99 ${p99} ms)`;
    throw new TemporaryError(
      `server under load${load}: analyze_market is deferred so trade management keeps its latency, and no earlier analysis of ${symbol} is cached; retry in ${DEFER_RETRY_SECONDS} seconds`,
    );
  }
  const cacheAgeMs = Math.max(0, ctx.clock.now() - cached.at);
  return {
    symbol,
    source: cached.source,
    asOf: cached.asOf,
    ageMs: cached.ageMs === null ? null : cached.ageMs + cacheAgeMs,
    analysis: cached.analysis as Writable<MarketAnalysis>,
    history: { stored: false, id: cached.id, note: `server under load: this is the analysis computed ${cacheAgeMs} ms ago${cached.id === null ? '' : ` (history id ${cached.id})`}, not recomputed nor stored again` },
    ...provenanceFor(ctx, symbol),
    deferred: true,
    cacheAgeMs,
  };
}

/** `T` with every readonly modifier removed, deeply: the analysis as the (mutable) zod output type sees it, checked structurally. */
type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;

type Gathered = {
  candles: Record<AnalysedTimeframe, Candle[]>;
  price: { value: number; at: number; receivedAt: number } | null;
  asOf: number;
  receivedAt: number | null;
  source: string;
};

/**
 * The analysis input from the data access layer and the live view: the
 * latest `ANALYSIS_BARS` closed candles per timeframe (the forming one left
 * out), the price (the newer of quote mid and last trade; else the forming M1
 * close), and `asOf` = the newest of the last close time and the price time.
 * @throws TemporaryError when the symbol has no candle and no price yet.
 */
function gather(ctx: ToolContext, symbol: string): Gathered {
  const pages = ctx.access.multiTimeframe(symbol, ANALYSIS_TIMEFRAMES, ANALYSIS_BARS + 1);
  const candles = {} as Record<AnalysedTimeframe, Candle[]>;
  let source = ctx.live.primaryCandleSource(symbol);
  let newestClose: number | null = null;
  let receivedAt: number | null = null;
  for (const tf of ANALYSED_TIMEFRAMES) {
    const page = pages[tf];
    if (page) source = page.source;
    const closed = (page?.candles ?? []).filter((c) => c.closed).slice(-ANALYSIS_BARS);
    candles[tf] = closed;
    const last = closed[closed.length - 1];
    if (last === undefined) continue;
    const closeTime = candleCloseTime(last.openTime, TIMEFRAME_MS[tf]);
    if (newestClose === null || closeTime > newestClose) newestClose = closeTime;
    if (receivedAt === null || last.tsInit > receivedAt) receivedAt = last.tsInit;
  }
  const price = livePrice(ctx, symbol);
  if (price === null && newestClose === null) {
    throw new TemporaryError(`no candles and no price for ${symbol} yet: nothing to analyse (get_system_status shows the feeds)`);
  }
  if (price !== null && (receivedAt === null || price.receivedAt > receivedAt)) receivedAt = price.receivedAt;
  const asOf = Math.max(newestClose ?? Number.NEGATIVE_INFINITY, price?.at ?? Number.NEGATIVE_INFINITY);
  return { candles, price, asOf, receivedAt, source };
}

function livePrice(ctx: ToolContext, symbol: string): Gathered['price'] {
  const snap = ctx.live.snapshot(symbol);
  const quote = snap.lastQuote;
  const trade = snap.lastTrade;
  if (quote && (!trade || quote.tsEvent >= trade.tsEvent)) return { value: midPrice(quote.bid, quote.ask), at: quote.tsEvent, receivedAt: quote.tsInit };
  if (trade) return { value: trade.price, at: trade.tsEvent, receivedAt: trade.tsInit };
  const open = ctx.live.openCandle(symbol, 'M1');
  return open ? { value: open.close, at: open.tsEvent, receivedAt: open.tsInit } : null;
}
