import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError, TemporaryError } from '../../../src/core/index.js';
import { analyzeMarket as analyzePure, type MarketAnalysis } from '../../../src/pipeline/index.js';
import { AnalysisRepo } from '../../../src/store/index.js';
import { analyzeMarket, getAnalysisHistory } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { BTC_AS_OF, btcInput } from '../../pipeline/analysis/inputs.js';
import { callTool, realParts, type RealParts } from '../realContext.js';
import { analysisParts, type AnalysisParts } from './analysisContext.js';

const NOW = BTC_AS_OF + 1 + 250; // 2024-03-18 12:00:00.250 UTC, a quarter second after the 11:59 minute closed

type Answer = {
  symbol: string;
  source: string;
  asOf: string;
  ageMs: number | null;
  analysis: MarketAnalysis;
  history: { stored: boolean; id: number | null; note: string | null };
  sources: { source: string; feed: string; lastMessageAgeMs: number | null; active: boolean }[];
  gaps: { open: unknown[]; filled: number; unfillable: unknown[] };
};

describe('analyze_market over an in-memory store of real BTCUSD and GBPJPY history', () => {
  let parts: AnalysisParts;
  beforeAll(async () => {
    parts = await analysisParts(NOW);
  });
  afterAll(() => parts.close());

  it('gathers exactly the input of the pure analysis (300 closed bars per timeframe, last close, session) and answers it', async () => {
    const out = (await callTool(analyzeMarket, { symbol: 'btcusd' }, parts.ctx)) as Answer;
    expect(out.analysis).toEqual(analyzePure(await btcInput()));
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      source: 'binance',
      asOf: '2024-03-18T11:59:59.999Z',
      ageMs: 251, // candles are stamped at their close time
      history: { stored: true, id: 1, note: null },
      gaps: { open: [], filled: 0, unfillable: [] },
    });
    expect(out.sources.map((s) => [s.feed, s.lastMessageAgeMs])).toEqual([
      ['binance-spot', 400],
      ['mt5', 900],
    ]);
    expect(out.analysis.plan.bias).toBe('bullish');
  });

  it('stores the call: question analyze_market, the answer JSON, model utp-deterministic-v1, the server time', async () => {
    const before = parts.history.list({ limit: 100 }).length;
    const out = (await callTool(analyzeMarket, { symbol: 'BTCUSD' }, parts.ctx)) as Answer;
    const [stored] = parts.history.list({ symbol: 'BTCUSD', limit: 1 });
    expect(parts.history.list({ limit: 100 })).toHaveLength(before + 1);
    expect(stored).toEqual({
      id: out.history.id,
      symbol: 'BTCUSD',
      timeframes: ['M1', 'M5', 'M15', 'H1', 'H4'],
      question: 'analyze_market',
      answer: JSON.parse(JSON.stringify(out.analysis)),
      model: 'utp-deterministic-v1',
      ts: NOW,
    });
  });

  it('a symbol with H4 history only is analysed on H4, the other timeframes flagged', async () => {
    const out = (await callTool(analyzeMarket, { symbol: 'GBPJPY' }, parts.ctx)) as Answer;
    expect(out.source).toBe('mt5');
    expect(out.analysis.timeframes.map((t) => [t.timeframe, t.bars])).toEqual([
      ['M1', 0],
      ['M5', 0],
      ['M15', 0],
      ['H1', 0],
      ['H4', 300],
    ]);
    expect(out.analysis.price.basis).toBe('last_close');
    // Broker H4 bars open at server 00/04/08 h; the server runs UTC+3 in US daylight time (the eet rule), so the bar of
    // server 08:00 opens 05:00 UTC and is the last one closed by 12:00 UTC.
    expect(out.asOf).toBe('2024-03-18T08:59:59.999Z');
    expect(out.analysis.map[0]?.score).not.toBeNull();
    expect(out.analysis.plan.score).toBe(out.analysis.map[0]?.score);
  });

  it('errors: an unknown symbol lists the valid ones; a configured symbol without data is a temporary error', async () => {
    await expect(callTool(analyzeMarket, { symbol: 'EURUSD' }, parts.ctx)).rejects.toThrow(InvalidRequestError);
    await expect(callTool(analyzeMarket, { symbol: 'EURUSD' }, parts.ctx)).rejects.toThrow('unknown symbol "EURUSD"; valid symbols: BTCUSD, XAUUSD, GBPJPY');
    await expect(callTool(analyzeMarket, { symbol: 'XAUUSD' }, parts.ctx)).rejects.toThrow(TemporaryError);
    await expect(callTool(analyzeMarket, { symbol: 'XAUUSD' }, parts.ctx)).rejects.toThrow('no candles and no price for XAUUSD yet');
  });

  it('without an analysis history it still answers, and says the call was not stored', async () => {
    const out = (await callTool(analyzeMarket, { symbol: 'BTCUSD' }, parts.bare)) as Answer;
    expect(out.history).toEqual({ stored: false, id: null, note: 'analysis history is not configured on this server: the analysis was answered but not stored' });
    await expect(callTool(getAnalysisHistory, {}, parts.bare)).rejects.toMatchObject({ code: 'not_configured' });
  });
});

describe('analyze_market with a live price, over the pipeline fed the first BTCUSDT trades (2017-08-17)', () => {
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(() => parts.close());

  it('measures from the last trade and dates the answer by it', async () => {
    const repo = new AnalysisRepo(parts.store.db);
    const out = (await callTool(analyzeMarket, { symbol: 'BTCUSD' }, { ...parts.ctx, analysisHistory: repo })) as Answer;
    expect(out.analysis.price).toEqual({ value: 4349.99, basis: 'live', at: '2017-08-17T07:59:42.846Z' });
    expect(out.asOf).toBe('2017-08-17T07:59:42.846Z');
    expect(out.ageMs).toBe(1_000);
    expect(out.analysis.session?.label).toBe('asia_london'); // 07:59 UTC, 2017-08-17 (BST: London from 07:00 UTC)
    const m1 = out.analysis.timeframes[0]!;
    expect(m1.bars + m1.skippedEmpty).toBeGreaterThan(0);
    expect(out.analysis.timeframes.every((t) => t.lastClose === null || t.lastCloseAt! <= '2017-08-17T07:59:42.846Z')).toBe(true);
    expect(repo.list({ limit: 10 }).map((r) => r.id)).toEqual([out.history.id]);
  });
});
