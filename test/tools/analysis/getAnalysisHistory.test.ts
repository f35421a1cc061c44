import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import type { MarketAnalysis } from '../../../src/pipeline/index.js';
import { analyzeMarket, getAnalysisHistory } from '../../../src/tools/index.js';
import { BTC_AS_OF } from '../../pipeline/analysis/inputs.js';
import { callTool } from '../realContext.js';
import { analysisParts, type AnalysisParts } from './analysisContext.js';

const NOW = BTC_AS_OF + 1 + 250;

type Entry = {
  id: number;
  symbol: string;
  at: string;
  question: string | null;
  model: string | null;
  timeframes: string[];
  asOf: string | null;
  bias: string | null;
  score: number | null;
  summary: string | null;
  answer: Record<string, unknown>;
};
type Page = { symbol: string | null; analyses: Entry[]; count: number; hasMore: boolean; nextCursor: string | null };

describe('get_analysis_history: the analyses analyze_market stored, newest first, paged', () => {
  let parts: AnalysisParts;
  const answers: MarketAnalysis[] = [];
  beforeAll(async () => {
    parts = await analysisParts(NOW);
    // Four calls: BTCUSD, GBPJPY a second later, then BTCUSD twice at the same instant (same ts: the id orders them).
    for (const [symbol, wait] of [['BTCUSD', 0], ['GBPJPY', 1_000], ['BTCUSD', 1_000], ['BTCUSD', 0]] as const) {
      parts.clock.advance(wait);
      answers.push(((await callTool(analyzeMarket, { symbol }, parts.ctx)) as { analysis: MarketAnalysis }).analysis);
    }
  });
  afterAll(() => parts.close());

  it('lists every stored analysis newest first, with its bias, score, summary and the whole answer', async () => {
    const page = (await callTool(getAnalysisHistory, {}, parts.ctx)) as Page;
    expect(page.analyses.map((e) => [e.id, e.symbol, e.at])).toEqual([
      [4, 'BTCUSD', '2024-03-18T12:00:02.250Z'],
      [3, 'BTCUSD', '2024-03-18T12:00:02.250Z'],
      [2, 'GBPJPY', '2024-03-18T12:00:01.250Z'],
      [1, 'BTCUSD', '2024-03-18T12:00:00.250Z'],
    ]);
    expect(page).toMatchObject({ symbol: null, count: 4, hasMore: false, nextCursor: null });
    const first = page.analyses[3]!;
    expect(first).toMatchObject({
      question: 'analyze_market',
      model: 'utp-deterministic-v1',
      timeframes: ['M1', 'M5', 'M15', 'H1', 'H4'],
      asOf: '2024-03-18T11:59:59.999Z',
      bias: 'bullish',
      score: 0.2325,
      summary: answers[0]!.plan.summary,
    });
    expect(first.answer).toEqual(JSON.parse(JSON.stringify(answers[0])));
    expect(page.analyses[2]!.answer).toEqual(JSON.parse(JSON.stringify(answers[1])));
  });

  it('filters by symbol (case-insensitive) and pages with a cursor, never cutting silently', async () => {
    const p1 = (await callTool(getAnalysisHistory, { symbol: 'btcusd', limit: 2 }, parts.ctx)) as Page;
    expect(p1.symbol).toBe('BTCUSD');
    expect(p1.analyses.map((e) => e.id)).toEqual([4, 3]);
    expect(p1).toMatchObject({ count: 2, hasMore: true });
    const p2 = (await callTool(getAnalysisHistory, { symbol: 'BTCUSD', limit: 2, cursor: p1.nextCursor }, parts.ctx)) as Page;
    expect(p2.analyses.map((e) => e.id)).toEqual([1]);
    expect(p2).toMatchObject({ count: 1, hasMore: false, nextCursor: null });
  });

  it('pages one at a time through records that share a timestamp without skipping or repeating any', async () => {
    const seen: number[] = [];
    let cursor: string | null | undefined;
    for (let i = 0; i < 10; i++) {
      const page = (await callTool(getAnalysisHistory, { limit: 1, ...(cursor ? { cursor } : {}) }, parts.ctx)) as Page;
      seen.push(...page.analyses.map((e) => e.id));
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    expect(seen).toEqual([4, 3, 2, 1]);
  });

  it('a symbol with no stored analysis (even an unknown one) is an empty list, not an error', async () => {
    for (const symbol of ['XAUUSD', 'EURUSD']) {
      const page = (await callTool(getAnalysisHistory, { symbol }, parts.ctx)) as Page;
      expect(page).toEqual({ symbol, analyses: [], count: 0, hasMore: false, nextCursor: null });
    }
  });

  it('rejects a cursor it did not issue and a limit out of range', async () => {
    await expect(callTool(getAnalysisHistory, { cursor: 'not-a-cursor' }, parts.ctx)).rejects.toThrow(InvalidRequestError);
    await expect(callTool(getAnalysisHistory, { limit: 0 }, parts.ctx)).rejects.toThrow();
    await expect(callTool(getAnalysisHistory, { limit: 51 }, parts.ctx)).rejects.toThrow();
  });

  it('defaults to 10 per page', async () => {
    for (let i = 0; i < 8; i++) await callTool(analyzeMarket, { symbol: 'BTCUSD' }, parts.ctx);
    const page = (await callTool(getAnalysisHistory, {}, parts.ctx)) as Page;
    expect(page.count).toBe(10);
    expect(page.hasMore).toBe(true);
    const rest = (await callTool(getAnalysisHistory, { cursor: page.nextCursor }, parts.ctx)) as Page;
    expect(rest.analyses.map((e) => e.id)).toEqual([2, 1]);
  });
});
