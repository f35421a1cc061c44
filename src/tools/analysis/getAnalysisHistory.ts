import * as z from 'zod';
import { InvalidRequestError, UtpError } from '../../core/index.js';
import type { AnalysisPosition, AnalysisRecord } from '../../store/index.js';
import { defineTool } from '../defineTool.js';
import { iso } from '../market/shared.js';

/** Most analyses one page may hold (each carries its whole answer). */
export const MAX_ANALYSES_PER_PAGE = 50;

/** Stored analyses, newest first, paged. */
export const getAnalysisHistory = defineTool({
  name: 'get_analysis_history',
  title: 'Analysis history',
  description:
    'Analyses stored by analyze_market, newest first, optionally of one symbol, each with its bias, score, summary and the whole stored answer. ' +
    'When more exist than limit, hasMore is true and nextCursor fetches the next (older) page; nothing is cut silently. ' +
    'A symbol with no stored analysis answers an empty list.',
  input: z.object({
    symbol: z.string().min(1).max(20).optional().describe('Canonical symbol, e.g. BTCUSD (case-insensitive); omit for every symbol'),
    limit: z.number().int().min(1).max(MAX_ANALYSES_PER_PAGE).default(10).describe('Most analyses to return (1-50, default 10)'),
    cursor: z.string().max(200).optional().describe('nextCursor from a previous answer, to fetch the following (older) page'),
  }),
  output: z.object({
    symbol: z.string().nullable().describe('Symbol filter applied (upper-cased), null for every symbol'),
    analyses: z
      .array(
        z.object({
          id: z.number().int().describe('Id of the stored analysis'),
          symbol: z.string().describe('Symbol analysed'),
          at: z.string().describe('When the analysis was made (server clock), ISO 8601 UTC'),
          question: z.string().nullable().describe('What was asked, e.g. analyze_market'),
          model: z.string().nullable().describe('Model that answered, e.g. utp-deterministic-v1'),
          timeframes: z.array(z.string()).describe('Timeframes analysed'),
          asOf: z.string().nullable().describe('Data time the analysis describes, ISO 8601 UTC (from the answer)'),
          bias: z.string().nullable().describe('Overall bias of the answer: bullish, bearish or neutral'),
          score: z.number().nullable().describe('Overall score of the answer, in [-1, 1]'),
          summary: z.string().nullable().describe('One-paragraph reading of the answer'),
          answer: z.record(z.string(), z.unknown()).describe('The whole stored answer (the analysis object of analyze_market)'),
        }),
      )
      .describe('Stored analyses, newest first'),
    count: z.number().int().describe('Analyses in this page'),
    hasMore: z.boolean().describe('True when older analyses match beyond this page'),
    nextCursor: z.string().nullable().describe('Pass as cursor to get the next (older) page; null when there is none'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  scope: 'read',
  handler: (args, ctx) => {
    const history = ctx.analysisHistory;
    if (!history) throw new UtpError('analysis history is not configured on this server (no store is attached to the tools)', 'not_configured');
    const symbol = args.symbol === undefined ? null : args.symbol.trim().toUpperCase();
    const before = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
    const rows = history.list({ ...(symbol !== null ? { symbol } : {}), ...(before ? { before } : {}), limit: args.limit + 1 });
    const hasMore = rows.length > args.limit;
    const page = hasMore ? rows.slice(0, args.limit) : rows;
    const last = page[page.length - 1];
    return {
      symbol,
      analyses: page.map(toEntry),
      count: page.length,
      hasMore,
      nextCursor: hasMore && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  },
});

function toEntry(r: AnalysisRecord) {
  const answer = r.answer as Record<string, unknown>;
  const plan = (answer.plan ?? null) as Record<string, unknown> | null;
  return {
    id: r.id,
    symbol: r.symbol,
    at: iso(r.ts) as string,
    question: r.question,
    model: r.model,
    timeframes: [...r.timeframes],
    asOf: typeof answer.asOf === 'string' ? answer.asOf : null,
    bias: typeof plan?.bias === 'string' ? plan.bias : null,
    score: typeof plan?.score === 'number' ? plan.score : null,
    summary: typeof plan?.summary === 'string' ? plan.summary : null,
    answer,
  };
}

function encodeCursor(position: AnalysisPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(text: string): AnalysisPosition {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as AnalysisPosition;
    if (Number.isSafeInteger(value.ts) && Number.isSafeInteger(value.id)) return { ts: value.ts, id: value.id };
  } catch {
    // fall through
  }
  throw new InvalidRequestError('cursor is not one this server issued; pass the nextCursor of a previous answer or omit it');
}
