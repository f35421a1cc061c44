/**
 * analyze_market under load (a fake `LoadView`): while busy it never computes
 * and answers the latest analysis of the symbol with `deferred: true` and the
 * cache age; after a restart (empty memory) the latest stored analyze_market
 * record stands in; with nothing cached it fails with a retry hint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporaryError } from '../../../src/core/index.js';
import { MarketDataAccess } from '../../../src/store/index.js';
import { analyzeMarket, type LoadView, type ToolContext } from '../../../src/tools/index.js';
import { BTC_AS_OF } from '../../pipeline/analysis/inputs.js';
import { callTool } from '../realContext.js';
import { analysisParts, type AnalysisParts } from './analysisContext.js';

const NOW = BTC_AS_OF + 1 + 250; // 2024-03-18 12:00:00.250 UTC

describe('analyze_market deferral under load', () => {
  let parts: AnalysisParts;
  let busy = false;
  let computes = 0;
  let ctx: ToolContext;
  const load: LoadView = { busy: () => busy, delay: () => ({ p50Ms: 1.2, p99Ms: 180, maxMs: 250, meanMs: 3.4 }) };
  beforeAll(async () => {
    parts = await analysisParts(NOW);
    const access = parts.ctx.access;
    // The same access object for every call (the cache is per access), counting the analysis' data reads.
    const counted = new Proxy(access, {
      get(target, prop, receiver) {
        if (prop === 'multiTimeframe') return (...args: Parameters<MarketDataAccess['multiTimeframe']>) => (computes++, target.multiTimeframe(...args));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    ctx = { ...parts.ctx, access: counted, load };
  });
  afterAll(() => parts.close());

  it('busy with nothing cached: a temporary error telling the model when to retry, nothing computed', async () => {
    busy = true;
    await expect(callTool(analyzeMarket, { symbol: 'BTCUSD' }, ctx)).rejects.toThrow(TemporaryError);
    await expect(callTool(analyzeMarket, { symbol: 'BTCUSD' }, ctx)).rejects.toThrow(
      'server under load (event-loop delay p99 180 ms): analyze_market is deferred so trade management keeps its latency, and no earlier analysis of BTCUSD is cached; retry in 5 seconds',
    );
    expect(computes).toBe(0);
    expect(parts.history.count()).toBe(0);
  });

  it('computed when not busy, then answered from the cache with its age while busy, never recomputed nor stored', async () => {
    busy = false;
    const fresh = await callTool(analyzeMarket, { symbol: 'BTCUSD' }, ctx);
    expect(fresh).toMatchObject({ deferred: false, cacheAgeMs: null, ageMs: 251, history: { stored: true, id: 1, note: null } });
    expect(computes).toBe(1);
    parts.clock.advance(1500);
    busy = true;
    const cached = await callTool(analyzeMarket, { symbol: 'btcusd' }, ctx);
    expect(computes).toBe(1);
    expect(parts.history.count()).toBe(1);
    expect(cached).toEqual({
      ...fresh,
      ageMs: 251 + 1500,
      history: { stored: false, id: 1, note: 'server under load: this is the analysis computed 1500 ms ago (history id 1), not recomputed nor stored again' },
      deferred: true,
      cacheAgeMs: 1500,
      // Feed health is read now, not cached.
      sources: fresh.sources.map((x) => ({ ...x, lastMessageAgeMs: x.lastMessageAgeMs! + 1500 })),
    });
    // Load gone: computed again (same data, same analysis), stored as id 2.
    busy = false;
    const again = await callTool(analyzeMarket, { symbol: 'BTCUSD' }, ctx);
    expect(again).toMatchObject({ deferred: false, cacheAgeMs: null, history: { stored: true, id: 2 } });
    expect(again.analysis).toEqual(fresh.analysis);
    expect(computes).toBe(2);
  });

  it('after a restart (empty memory) the latest stored analyze_market record is answered, its age from the store', async () => {
    parts.clock.advance(2000);
    busy = true;
    const restarted: ToolContext = { ...parts.ctx, access: new MarketDataAccess(parts.store.candles, parts.pipeline), load };
    const out = await callTool(analyzeMarket, { symbol: 'BTCUSD' }, restarted);
    const [stored] = parts.history.list({ symbol: 'BTCUSD', limit: 1 });
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      source: 'binance',
      asOf: '2024-03-18T11:59:59.999Z',
      ageMs: null,
      deferred: true,
      cacheAgeMs: 2000,
      history: { stored: false, id: 2 },
    });
    expect(out.analysis).toEqual(stored?.answer);
    // Without a history and nothing in memory: the retry hint.
    const bare: ToolContext = { ...parts.bare, access: new MarketDataAccess(parts.store.candles, parts.pipeline), load };
    await expect(callTool(analyzeMarket, { symbol: 'BTCUSD' }, bare)).rejects.toThrow(/retry in 5 seconds/);
  });
});
