import { describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { SpikeFilter } from '../../../src/pipeline/filters/SpikeFilter.js';
import { importFile, type ImportOptions } from '../../../src/pipeline/importers/index.js';

async function ticksOf(file: string, options: Omit<ImportOptions, 'onError'>): Promise<Tick[]> {
  const out: Tick[] = [];
  for await (const batch of importFile(file, { ...options, onError: 'stop' })) out.push(...batch.ticks);
  return out;
}

const REAL: Array<[string, Omit<ImportOptions, 'onError'>, number]> = [
  ['test/fixtures/binance/BTCUSDT-trades-2017-08-17_0400-0800.csv', { source: 'binance', symbol: 'BTCUSD' }, 334],
  ['recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv', { source: 'binance', symbol: 'BTCUSD' }, 5000],
  ['test/fixtures/dukascopy/dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv', { source: 'dukascopy', symbol: 'BTCUSD' }, 8523],
  ['test/fixtures/oanda/20140506_xauusd_tick_quote.csv.gz', { source: 'oanda', symbol: 'XAUUSD' }, 161_552],
];

describe('SpikeFilter', () => {
  it.each(REAL)('passes every tick of the real recording %s (no false positive)', async (file, options, count) => {
    const filter = new SpikeFilter();
    const ticks = await ticksOf(file, options);
    expect(ticks).toHaveLength(count);
    const rejected = ticks.map((t) => filter.check(t)).filter((r) => r !== null);
    expect(rejected).toEqual([]);
  });

  it('rejects a 3% print injected into the real aggTrades stream, and the stream goes on', async () => {
    const filter = new SpikeFilter();
    const ticks = await ticksOf('recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv', { source: 'binance', symbol: 'BTCUSD' });
    const reasons: Array<string | null> = [];
    ticks.forEach((t, i) => {
      if (i === 2500) {
        const bad = { ...t, last: (t.last as number) * 1.03 };
        reasons.push(filter.check(bad));
      }
      reasons.push(filter.check(t));
    });
    const hits = reasons.flatMap((r, i) => (r === null ? [] : [[i, r] as const]));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.[0]).toBe(2500);
    expect(hits[0]?.[1]).toMatch(/^trade jump of 29[0-9.]+ bps exceeds 50\.0 bps$/);
  });

  it('accepts a real repricing once several consecutive ticks agree, and rejects only the first of them', () => {
    const filter = new SpikeFilter({ warmup: 3, confirmAfter: 3 });
    const base: Tick = { symbol: 'BTCUSD', source: 'binance', tsEvent: 0, tsInit: 0, bid: null, ask: null, last: 100, volume: 1, trades: 1, takerSide: 'buy', seq: 1, offset: 0 };
    const at = (i: number, last: number): Tick => ({ ...base, tsEvent: i * 100, seq: i, last });
    const verdicts = [100, 100.01, 100, 100.02, 110, 110.01, 110, 110.02].map((p, i) => filter.check(at(i + 1, p)) === null);
    expect(verdicts).toEqual([true, true, true, true, false, false, true, true]);
  });

  it('widens the band with the square root of the silence before a tick', () => {
    const filter = new SpikeFilter({ warmup: 2 });
    const t = (ts: number, last: number): Tick => ({ symbol: 'X', source: 'mt5', tsEvent: ts, tsInit: ts, bid: null, ask: null, last, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0 });
    filter.check(t(0, 100));
    filter.check(t(100, 100));
    filter.check(t(200, 100));
    expect(filter.check(t(300, 101))).toMatch(/exceeds 50\.0 bps/);
    expect(filter.check(t(100_200, 101))).toBeNull();
  });
});
