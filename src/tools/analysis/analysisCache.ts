/**
 * Load deferral of analyze_market: the latest analysis answered per symbol is
 * kept in memory (per data access layer, i.e. per running server), so that
 * while the event loop is busy (`ToolContext.load.busy()`) the tool answers
 * from it, with its age, instead of computing; after a restart the latest
 * stored `analyze_market` record of the analysis history stands in.
 */
import type { ToolContext } from '../context.js';

/** The analysis answer fields a deferred answer reuses. */
export type CachedAnalysis = Readonly<{
  source: string;
  asOf: string;
  /** Data age when it was computed, ms, or null. */
  ageMs: number | null;
  analysis: Readonly<Record<string, unknown>>;
  /** Id in the analysis history, or null when it was not stored. */
  id: number | null;
  /** Server time when it was computed, epoch ms. */
  at: number;
}>;

/** Seconds the model is told to wait when the server is busy and nothing is cached. */
export const DEFER_RETRY_SECONDS = 5;

/** Answers of the last `HISTORY_SCAN` stored analyses of a symbol are searched for an analyze_market record. */
const HISTORY_SCAN = 20;

const caches = new WeakMap<object, Map<string, CachedAnalysis>>();

function cacheOf(ctx: ToolContext): Map<string, CachedAnalysis> {
  let c = caches.get(ctx.access);
  if (!c) caches.set(ctx.access, (c = new Map()));
  return c;
}

/** Remembers the analysis just answered for `symbol`. */
export function rememberAnalysis(ctx: ToolContext, symbol: string, cached: CachedAnalysis): void {
  cacheOf(ctx).set(symbol, cached);
}

/** The latest analysis of `symbol`: the in-memory one, else the latest stored with `question`, else null. */
export function latestAnalysis(ctx: ToolContext, symbol: string, question: string): CachedAnalysis | null {
  const mem = cacheOf(ctx).get(symbol);
  if (mem) return mem;
  const stored = ctx.analysisHistory?.list({ symbol, limit: HISTORY_SCAN }).find((r) => r.question === question);
  if (!stored) return null;
  const asOf = typeof stored.answer.asOf === 'string' ? stored.answer.asOf : new Date(stored.ts).toISOString();
  return { source: ctx.live.primaryCandleSource(symbol), asOf, ageMs: null, analysis: stored.answer, id: stored.id, at: stored.ts };
}
