import type * as z from 'zod';
import { EventBus, TestClock, type FeedStatus, type Tick } from '../../src/core/index.js';
import { Pipeline } from '../../src/pipeline/index.js';
import { fusionView } from '../../src/server/compose.js';
import { BusRecorder, MarketDataAccess, openStore, type Store } from '../../src/store/index.js';
import type { SystemFacts, ToolContext, ToolDefinition } from '../../src/tools/index.js';
import { SYMBOLS } from '../fixtures/load.js';

/** Everything a tool test needs, built from the real parts the server composes. */
export type RealParts = {
  clock: TestClock;
  bus: EventBus;
  pipeline: Pipeline;
  store: Store;
  recorder: BusRecorder;
  ctx: ToolContext;
  feed: FeedStatus;
  startedAt: number;
  /** Errors bus listeners threw (should stay empty). */
  listenerErrors: unknown[];
  close(): Promise<void>;
};

/**
 * Composes clock, bus, pipeline, in-memory store with the bus recorder, and
 * the data access layer as `composeApp` does, then feeds `ticks` at their
 * receive times (the clock advances to each `tsInit`, so the pipeline's close
 * timer and the recorder's flush timer run as they would live), then lets
 * `settleMs` pass. `facts()` is a stub with one replaying Binance feed.
 */
export async function realParts(ticks: readonly Tick[], options: { settleMs?: number; extra?: readonly Tick[] } = {}): Promise<RealParts> {
  const startedAt = (ticks[0]?.tsInit ?? Date.UTC(2017, 7, 17, 4)) - 60_000;
  const clock = new TestClock(startedAt);
  const listenerErrors: unknown[] = [];
  const bus = new EventBus((error) => listenerErrors.push(error));
  const store = openStore({ path: ':memory:', clock, primarySource: (s) => SYMBOLS.find((x) => x.symbol === s)?.primary });
  const recorder = new BusRecorder(bus, store, clock, { flushMs: 250 });
  const pipeline = new Pipeline({ bus, clock, symbols: SYMBOLS });
  await recorder.start();
  pipeline.start();
  let frames = 0;
  let lastMessageAt: number | null = null;
  for (const tick of [...ticks, ...(options.extra ?? [])]) {
    const wait = tick.tsInit - clock.now();
    if (wait > 0) clock.advance(wait);
    frames++;
    lastMessageAt = clock.now();
    pipeline.ingest(tick);
  }
  clock.advance(options.settleMs ?? 1_000);
  const feed: FeedStatus = {
    id: 'binance-spot',
    source: 'binance',
    state: 'replaying',
    symbols: ['BTCUSD'],
    detail: 'replaying BTCUSDT-trades-2017-08-17_0400-0800.csv at max speed',
    frames: frames + 2,
    ticks: frames,
    dropped: 2,
    reconnects: 0,
    lastMessageAt,
    tsInit: clock.now(),
  };
  const facts = (): SystemFacts => ({
    mode: 'replay',
    startedAt,
    version: '0.1.0-test',
    feeds: [feed],
    pipeline: pipeline.stats(),
    store: {
      path: store.path,
      sizeBytes: store.sizeBytes(),
      ticks: store.ticks.countTicks(),
      candles: (store.db.prepare('SELECT COUNT(*) AS n FROM candles').get() as { n: number }).n,
      pendingWrites: recorder.stats().buffered.ticks + recorder.stats().buffered.candles,
      writeErrors: recorder.stats().failures,
    },
    replay: { file: 'BTCUSDT-trades-2017-08-17_0400-0800.csv', speed: 'max', loops: 0, framesSent: frames },
  });
  const ctx: ToolContext = {
    clock,
    symbols: SYMBOLS,
    live: pipeline,
    access: new MarketDataAccess(store.candles, pipeline),
    fusion: fusionView(pipeline),
    structures: store.structures,
    facts,
  };
  return {
    clock,
    bus,
    pipeline,
    store,
    recorder,
    ctx,
    feed,
    startedAt,
    listenerErrors,
    async close() {
      pipeline.stop();
      await recorder.stop();
      store.close();
    },
  };
}

/**
 * Calls a tool the way the transports do: arguments through `tool.input`
 * (defaults applied, invalid input rejected), the handler with the context,
 * and the answer through `tool.output` (throws when it breaks the contract).
 */
export async function callTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<I, O>,
  args: unknown,
  ctx: ToolContext,
): Promise<z.infer<O>> {
  const input = tool.input.parse(args);
  const output = await tool.handler(input, ctx);
  return tool.output.parse(output);
}
