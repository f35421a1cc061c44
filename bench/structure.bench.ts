import type { Candle } from '../src/core/index.js';
import { importFile } from '../src/pipeline/importers/index.js';
import type { ImportOptions } from '../src/pipeline/importers/index.js';
import { StructureDetector } from '../src/pipeline/structure/index.js';

const FIXTURES = new URL('../test/fixtures/', import.meta.url).pathname;

async function load(path: string, options: Omit<ImportOptions, 'onError'>): Promise<Candle[]> {
  const out: Candle[] = [];
  for await (const batch of importFile(path, { ...options, onError: 'stop' })) out.push(...batch.candles);
  return out;
}

/** The real series the structure tests replay: Binance BTCUSDT 1m klines (8 days) and the MT5 XAUUSD H1 export. */
async function realSeries(): Promise<{ symbol: string; timeframe: Candle['timeframe']; candles: Candle[] }[]> {
  const btc: Candle[] = [];
  for (let day = 11; day <= 18; day++) {
    btc.push(...(await load(`${FIXTURES}binance/BTCUSDT-1m-2024-03-${day}.csv`, { source: 'binance', symbol: 'BTCUSD' })));
  }
  const xau = await load(`${FIXTURES}mt5/XAUUSD_H1_from_2025-11-16.csv`, { source: 'mt5', symbol: 'XAUUSD', serverOffset: 'eet' });
  return [
    { symbol: 'BTCUSD', timeframe: 'M1', candles: btc },
    { symbol: 'XAUUSD', timeframe: 'H1', candles: xau },
  ];
}

/**
 * Structure detection throughput: closed candles per second through the
 * streaming `StructureDetector` (swings, BOS/CHOCH, order blocks, gaps and
 * fills, sweeps, event log), fresh detectors per pass over the real series
 * (11,520 BTCUSD M1 + 2,908 XAUUSD H1 bars), best of `rounds`. Throws if a
 * pass does not confirm the event count the tests assert, so a broken detector
 * cannot look fast.
 */
export async function structureBench(passes = 10, rounds = 5): Promise<{ barsPerSecond: number; bars: number }> {
  const series = await realSeries();
  const expectedEvents = 17_683 + 3_432;
  let best = 0;
  let bars = 0;
  for (let r = 0; r < rounds; r++) {
    let count = 0;
    let events = 0;
    const t0 = performance.now();
    for (let p = 0; p < passes; p++) {
      for (const { symbol, timeframe, candles } of series) {
        const detector = new StructureDetector({ symbol, timeframe, maxEvents: 100_000 });
        for (const candle of candles) detector.add(candle);
        count += candles.length;
        events += detector.events().length;
      }
    }
    const ms = performance.now() - t0;
    if (events !== expectedEvents * passes) throw new Error(`structure bench: ${events} events, expected ${expectedEvents * passes}`);
    best = Math.max(best, (count / ms) * 1000);
    bars = count;
  }
  return { barsPerSecond: best, bars };
}
