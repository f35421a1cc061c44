import { EventBus, TestClock, TIMEFRAME_MS, type Candle, type SymbolSpec, type Timeframe } from '../src/core/index.js';
import { aggregateCandles, analyzeMarket as analyzePure, importFile, Pipeline, tradingSession, type AnalysisInput } from '../src/pipeline/index.js';
import { AnalysisRepo, MarketDataAccess, openStore } from '../src/store/index.js';
import { analyzeMarket, type ToolContext } from '../src/tools/index.js';

const FIXTURES = new URL('../test/fixtures/', import.meta.url).pathname;
const SYMBOLS: readonly SymbolSpec[] = [{ symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' }];
/** 2024-03-18 12:00:00.250 UTC: the analysis reads the 8 days of history before it. */
const NOW = Date.UTC(2024, 2, 18, 12) + 250;

/** Latency of one analysis path, ms. */
export type LatencyStats = Readonly<{ p50: number; p99: number; max: number; calls: number }>;

/** What `analysisBench` measured. */
export type AnalysisBenchResult = Readonly<{
  /** The `analyze_market` tool handler: data access (5 timeframes x 301 bars), analysis, history insert. */
  tool: LatencyStats;
  /** The pure `analyzeMarket` alone over the same candles. */
  pure: LatencyStats;
  /** Closed candles analysed per call, by timeframe. */
  bars: Readonly<Record<string, number>>;
}>;

function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0, calls: sorted.length };
}

async function btcM1(): Promise<Candle[]> {
  const out: Candle[] = [];
  for (let day = 11; day <= 18; day++) {
    for await (const batch of importFile(`${FIXTURES}binance/BTCUSDT-1m-2024-03-${day}.csv`, { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) {
      out.push(...batch.candles);
    }
  }
  return out;
}

/**
 * `analyze_market` latency (the budget: under 50 ms on a full 3 h
 * buffer): an in-memory store holding the official BTCUSDT 1m klines of
 * 2024-03-11..18 up to 12:00 UTC (3,960 M1, far more than the 3 h = 180 bars
 * the RAM buffer holds) with their M5, M15, H1 and H4 roll-ups, the data access
 * layer, a pipeline with no live tick, and the store's analysis history. Each
 * call reads 300 closed bars per timeframe (M1: 5 h), analyses them and
 * stores the answer. `warmup` calls are discarded, then `calls` are timed.
 * Throws if an answer is not the expected one, so a broken analysis cannot
 * look fast.
 */
export async function analysisBench(calls = 300, warmup = 30): Promise<AnalysisBenchResult> {
  const clock = new TestClock(NOW);
  const store = openStore({ path: ':memory:', clock, primarySource: () => 'binance' });
  const pipeline = new Pipeline({ bus: new EventBus(), clock, symbols: SYMBOLS });
  const m1 = (await btcM1()).filter((c) => c.openTime + TIMEFRAME_MS.M1 <= NOW);
  const frames: Record<string, Candle[]> = { M1: m1 };
  for (const tf of ['M5', 'M15', 'H1', 'H4'] as Timeframe[]) frames[tf] = aggregateCandles(m1, tf).filter((c) => c.openTime + TIMEFRAME_MS[tf] <= NOW);
  store.candles.upsertCandles(Object.values(frames).flat());
  const ctx: ToolContext = {
    clock,
    symbols: SYMBOLS,
    live: pipeline,
    access: new MarketDataAccess(store.candles, pipeline),
    facts: () => ({
      mode: 'bench',
      startedAt: NOW,
      version: 'bench',
      feeds: [],
      pipeline: pipeline.stats(),
      store: { path: ':memory:', sizeBytes: 0, ticks: 0, candles: 0, pendingWrites: 0, writeErrors: 0 },
      replay: null,
    }),
    analysisHistory: new AnalysisRepo(store.db),
  };
  const input: AnalysisInput = {
    symbol: 'BTCUSD',
    asOf: NOW - 251,
    candles: { M1: m1.slice(-300), M5: frames.M5!.slice(-300), M15: frames.M15!.slice(-300), H1: frames.H1!.slice(-300), H4: frames.H4!.slice(-300) },
    lastPrice: null,
    session: tradingSession(NOW - 251),
  };
  const expected = JSON.stringify(analyzePure(input));
  const tool: number[] = [];
  const pure: number[] = [];
  let bars: Record<string, number> = {};
  try {
    for (let i = 0; i < warmup + calls; i++) {
      const t0 = performance.now();
      const out = await analyzeMarket.handler({ symbol: 'BTCUSD' }, ctx);
      const t1 = performance.now();
      analyzePure(input);
      const t2 = performance.now();
      if (i === 0) {
        if (JSON.stringify(out.analysis) !== expected) throw new Error('analysis bench: the tool answered another analysis than the pure function');
        bars = Object.fromEntries(out.analysis.timeframes.map((t) => [t.timeframe, t.bars]));
      }
      if (i >= warmup) {
        tool.push(t1 - t0);
        pure.push(t2 - t1);
      }
    }
  } finally {
    store.close();
  }
  return { tool: stats(tool), pure: stats(pure), bars };
}
