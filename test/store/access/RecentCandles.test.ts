import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/importers/index.js';
import { openStore, RecentCandles } from '../../../src/store/index.js';

async function klines(): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const b of importFile('test/fixtures/binance/BTCUSDT-1m-2017-08-17.csv', { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) out.push(...b.candles);
  return out;
}

describe('RecentCandles', () => {
  it('answers the latest bars from RAM exactly as the store does, including candles closed after seeding', async () => {
    const all = await klines();
    expect(all).toHaveLength(1200);
    const store = openStore({ path: ':memory:' });
    store.candles.upsertCandles(all.slice(0, 1100));
    const recent = new RecentCandles(store.candles, 500);
    recent.add(all[1100]!); // closed before the first question: not yet written by the recorder
    const first = recent.latest('BTCUSD', 'binance', 'M1', 200);
    expect(first?.hasMore).toBe(true);
    expect(first?.rows).toEqual(all.slice(901, 1101));
    for (const c of all.slice(1101)) recent.add(c);
    store.candles.upsertCandles(all.slice(1100));
    const latest = recent.latest('BTCUSD', 'binance', 'M1', 300);
    expect(latest?.rows).toEqual(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', source: 'binance', limit: 300, order: 'desc' }));
    const bounded = recent.latest('BTCUSD', 'binance', 'M1', 10, all[1000]!.openTime);
    expect(bounded?.rows).toEqual(all.slice(991, 1001));
    store.close();
  });

  it('says it cannot answer (null) when RAM may not hold everything asked for', async () => {
    const all = await klines();
    const store = openStore({ path: ':memory:' });
    store.candles.upsertCandles(all);
    const recent = new RecentCandles(store.candles, 100);
    expect(recent.latest('BTCUSD', 'binance', 'M1', 150)).toBeNull();
    expect(recent.latest('BTCUSD', 'binance', 'M1', 50, all[1150]!.openTime - 1)).toBeNull();
    store.close();
  });

  it('knows when it holds the whole history (fewer candles than capacity): no more to page', async () => {
    const all = (await klines()).slice(0, 30);
    const store = openStore({ path: ':memory:' });
    store.candles.upsertCandles(all);
    const recent = new RecentCandles(store.candles, 100);
    expect(recent.latest('BTCUSD', 'binance', 'M1', 50)).toEqual({ rows: all, hasMore: false });
    store.close();
  });
});
