import { TIMEFRAMES } from '../../core/index.js';
import type { AnalysisRecordInput } from '../../store/index.js';
import type { AnalystLoopResult, AnalystToolCall } from './loop.js';
import { parseBias } from './prompt.js';

/** `answer.source` of every analysis the analyst stores (analyze_market's answers have none). */
export const ANALYST_SOURCE = 'analyst';

/** The data-quality facts of one tool answer, as stored with the analysis. */
export type AnalystDataCheck = Readonly<{
  tool: string;
  /** Venue time of the newest fact in the answer, ISO 8601 UTC; null when the answer has none. */
  asOf: string | null;
  /** Data age the server reported, ms; null when unknown. */
  ageMs: number | null;
  /** Open gaps the answer flagged (count); null when the answer carries no gap flags. */
  openGaps: number | null;
  /** Sources the answer listed that were not active/connected, e.g. `binance-usdm disconnected`. */
  inactiveSources: readonly string[];
}>;

/** What the stored record needs beyond the loop's result. */
export type AnalystRecordMeta = Readonly<{
  symbol: string;
  question: string;
  model: string;
  at: number;
  server: Readonly<{ url: string; inProcess: boolean }>;
  offered: readonly string[];
}>;

/**
 * The analysis-history row of one analyst run, shaped so get_analysis_history
 * reads it like analyze_market's: `answer.asOf` (newest asOf the tools
 * reported), `answer.plan.bias` (from the model's `Bias:` line) and
 * `answer.plan.summary` (the model's answer). `answer.source` is
 * `analyst`; the answer also lists the tool calls made and the data checks.
 */
export function analystRecord(result: AnalystLoopResult, meta: AnalystRecordMeta): AnalysisRecordInput {
  const checks = result.toolCalls.filter((c) => !c.isError && c.output !== null).map(dataCheck);
  return {
    symbol: meta.symbol,
    timeframes: timeframesRead(result.toolCalls),
    question: meta.question,
    model: meta.model,
    ts: meta.at,
    answer: {
      source: ANALYST_SOURCE,
      symbol: meta.symbol,
      asOf: newestAsOf(checks),
      text: result.text,
      plan: { bias: parseBias(result.text), score: null, summary: result.text },
      model: meta.model,
      responseModel: result.responseModel,
      rounds: result.rounds,
      usage: result.usage,
      server: meta.server,
      offered: [...meta.offered],
      toolCalls: result.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments, round: c.round, isError: c.isError, error: c.error })),
      dataChecks: checks,
    },
  };
}

/** The freshness and completeness fields of one structured tool answer. */
export function dataCheck(call: AnalystToolCall): AnalystDataCheck {
  const out = call.output ?? {};
  const gaps = out.gaps as { open?: unknown } | undefined;
  const sources = Array.isArray(out.sources) ? (out.sources as Record<string, unknown>[]) : [];
  return {
    tool: call.name,
    asOf: typeof out.asOf === 'string' ? out.asOf : null,
    ageMs: typeof out.ageMs === 'number' ? out.ageMs : null,
    openGaps: gaps && Array.isArray(gaps.open) ? gaps.open.length : null,
    inactiveSources: sources
      .filter((s) => s.active === false || (typeof s.state === 'string' && s.state !== 'connected' && s.state !== 'replaying'))
      .map((s) => `${String(s.feed ?? s.source)} ${String(s.state)}`),
  };
}

function newestAsOf(checks: readonly AnalystDataCheck[]): string | null {
  let best: string | null = null;
  for (const c of checks) if (c.asOf !== null && (best === null || Date.parse(c.asOf) > Date.parse(best))) best = c.asOf;
  return best;
}

/** Timeframes the calls read: a `timeframe` argument, or the keys of a `timeframes` object in the answer; in canonical order. */
function timeframesRead(calls: readonly AnalystToolCall[]): string[] {
  const seen = new Set<string>();
  for (const c of calls) {
    if (c.isError) continue;
    if (typeof c.arguments === 'object' && typeof c.arguments.timeframe === 'string') seen.add(c.arguments.timeframe.toUpperCase());
    const tfs = c.output?.timeframes;
    if (tfs && typeof tfs === 'object' && !Array.isArray(tfs)) for (const k of Object.keys(tfs)) seen.add(k);
  }
  return TIMEFRAMES.filter((tf) => seen.has(tf));
}
