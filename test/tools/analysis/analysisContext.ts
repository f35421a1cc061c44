import { EventBus, TestClock, type Candle, type FeedStatus } from '../../../src/core/index.js';
import { Pipeline } from '../../../src/pipeline/index.js';
import { AnalysisRepo, MarketDataAccess, openStore, type Store } from '../../../src/store/index.js';
import type { MacroView, SystemFacts, ToolContext } from '../../../src/tools/index.js';
import { binanceM1, mt5Bars } from '../../contract/inputs.js';
import { SYMBOLS } from '../../fixtures/load.js';
import { closedBy, rollUp } from '../../pipeline/analysis/inputs.js';

/** A tool context over an in-memory store holding real candle history, composed like the server does. */
export type AnalysisParts = {
  clock: TestClock;
  store: Store;
  pipeline: Pipeline;
  history: AnalysisRepo;
  ctx: ToolContext;
  /** The same context without an analysis history nor a macro source. */
  bare: ToolContext;
  /** The context with a macro source. */
  withMacro(macro: MacroView): ToolContext;
  close(): void;
};

const feed = (id: string, source: 'binance' | 'mt5', symbols: string[], lastMessageAt: number): FeedStatus => ({
  id,
  source,
  state: 'connected',
  symbols,
  detail: `${id} (test)`,
  frames: 0,
  ticks: 0,
  dropped: 0,
  reconnects: 0,
  lastMessageAt,
  tsInit: lastMessageAt,
});

/**
 * Clock at `now`; an in-memory store seeded with the official BTCUSDT 1m klines of 2024-03-11..18 and their M5..H4
 * roll-ups (BTCUSD, source binance) and the MT5 GBPJPY H4 export (source mt5), each cut at the candles closed by
 * `now`; a pipeline that received no tick (no live price: the analysis uses the last close); the data access layer;
 * and the store's analysis history.
 */
export async function analysisParts(now: number): Promise<AnalysisParts> {
  const clock = new TestClock(now);
  const bus = new EventBus();
  const store = openStore({ path: ':memory:', clock, primarySource: (s) => SYMBOLS.find((x) => x.symbol === s)?.primary });
  const pipeline = new Pipeline({ bus, clock, symbols: SYMBOLS });
  const btc = rollUp(await binanceM1(), now - 1, Number.MAX_SAFE_INTEGER);
  const gbp: Candle[] = closedBy(await mt5Bars('GBPJPY_H4_from_2023-07-01.csv', 'GBPJPY'), now - 1, Number.MAX_SAFE_INTEGER);
  store.candles.upsertCandles([...btc.M1, ...btc.M5, ...btc.M15, ...btc.H1, ...btc.H4, ...gbp]);
  const history = new AnalysisRepo(store.db);
  const feeds = [feed('binance-spot', 'binance', ['BTCUSD'], now - 400), feed('mt5', 'mt5', ['BTCUSD', 'XAUUSD', 'GBPJPY'], now - 900)];
  const facts = (): SystemFacts => ({
    mode: 'replay',
    startedAt: now - 60_000,
    version: '0.1.0-test',
    feeds,
    pipeline: pipeline.stats(),
    store: { path: store.path, sizeBytes: store.sizeBytes(), ticks: 0, candles: 0, pendingWrites: 0, writeErrors: 0 },
    replay: null,
  });
  const bare: ToolContext = { clock, symbols: SYMBOLS, live: pipeline, access: new MarketDataAccess(store.candles, pipeline), facts };
  const ctx: ToolContext = { ...bare, analysisHistory: history };
  return { clock, store, pipeline, history, ctx, bare, withMacro: (macro) => ({ ...ctx, macro }), close: () => store.close() };
}
