import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  EventBus,
  LiveClock,
  type Clock,
  type FeedStatus,
  type MarketDataSource,
  type SymbolSpec,
  type SystemEvent,
  type Tick,
} from '../core/index.js';
import { Pipeline } from '../pipeline/index.js';
import { BinanceStream, type DropReason } from '../pipeline/feeds/binance/index.js';
import { BinanceReplayServer, loadRecording } from '../sim/index.js';
import { BusRecorder, MarketDataAccess, openStore, type Store } from '../store/index.js';
import { selectTools, type SystemFacts, type ToolContext, type ToolDefinition } from '../tools/index.js';
import { activeSymbolSpecs, type UtpConfig } from './config.js';
import { buildBinanceFeeds } from './feeds.js';
import type { Logger } from './logger.js';
import { VERSION } from './version.js';

/** The running system: every component, started in dependency order and stopped in reverse. */
export type App = Readonly<{
  config: UtpConfig;
  bus: EventBus;
  store: Store;
  pipeline: Pipeline;
  ctx: ToolContext;
  tools: readonly ToolDefinition[];
  /** Replay server in replay mode, else null. */
  replay: BinanceReplayServer | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}>;

/** What the composition root may be handed instead of the real thing (tests). */
export type ComposeDeps = Readonly<{ clock?: Clock; logger: Logger }>;

/** File name of the SQLite database inside the data folder. */
export const DATABASE_FILE = 'utp.sqlite';

/**
 * The composition root: the only place that constructs the database, the
 * sockets and the replay server, and wires them over the bus.
 *
 * replay (default): a local Binance replay server streams the recording over
 * the real WebSocket protocol and the real Binance client connects to it.
 * paper/shadow/live: the Binance client connects to the configured endpoints.
 */
export async function composeApp(config: UtpConfig, deps: ComposeDeps): Promise<App> {
  const clock = deps.clock ?? new LiveClock();
  const log = deps.logger;
  const symbols = activeSymbolSpecs(config);
  const bus = new EventBus((error, topic) => log.error({ err: error, topic }, 'bus listener failed'));
  mkdirSync(config.dataDir, { recursive: true });
  const dbPath = path.join(config.dataDir, DATABASE_FILE);
  const store = openStore({ path: dbPath, clock, primarySource: (symbol) => symbols.find((s) => s.symbol === symbol)?.primary });
  const recorder = new BusRecorder(bus, store, clock, {
    flushMs: config.store.flushMs,
    maxBatch: config.store.maxBatch,
    onError: (error, info) => log.error({ err: error, ...info }, 'store write failed'),
  });
  const pipeline = new Pipeline({ bus, clock, symbols });
  const event = eventFactory(clock);
  const dropLog = rateLimitedDropLog(log, bus, clock);
  const lastState = new Map<string, string>();
  const watchFeed = (status: FeedStatus) => {
    if (lastState.get(status.id) === status.state) return;
    lastState.set(status.id, status.state);
    log.info({ feed: status.id, state: status.state, detail: status.detail }, 'feed state');
    bus.publish('system.event', event(`feed.${status.state}`, status.state === 'disconnected' ? 'warn' : 'info', status.id, `feed ${status.id} ${status.state}`, { detail: status.detail }));
  };

  const sinks = {
    onTick: (tick: Tick) => pipeline.ingest(tick),
    onDrop: (feed: string, reason: DropReason, sample: string) => dropLog(feed, reason, sample),
    onError: (feed: string, error: unknown) => log.error({ err: error, feed }, 'feed callback failed'),
    onStatus: watchFeed,
  };

  let replay: BinanceReplayServer | null = null;
  let feeds: MarketDataSource[] = [];
  let replayFile = '';
  if (config.mode === 'replay') {
    replayFile = config.replay.file;
    const spec = symbols.find((s) => s.binance?.instrument === config.replay.instrument);
    if (!spec) throw new Error(`replay instrument ${config.replay.instrument} maps to no active symbol`);
    const recording = await loadRecording(replayFile, { symbol: config.replay.instrument });
    replay = new BinanceReplayServer({
      recordings: recording,
      clock,
      speed: config.replay.speed,
      port: config.replay.port,
      loop: config.replay.loop,
    });
  } else {
    feeds = buildBinanceFeeds(config, symbols, clock, sinks);
  }

  const facts = (): SystemFacts => {
    const rs = recorder.stats();
    return {
      mode: config.mode,
      startedAt,
      version: VERSION,
      feeds: feeds.map((f) => f.status()),
      pipeline: pipeline.stats(),
      store: {
        path: dbPath,
        sizeBytes: store.isOpen ? store.sizeBytes() : 0,
        ticks: store.isOpen ? store.ticks.countTicks() : 0,
        candles: store.isOpen ? countCandles(store) : 0,
        pendingWrites: rs.buffered.ticks + rs.buffered.candles + rs.buffered.events,
        writeErrors: rs.failures,
      },
      replay: replay
        ? { file: replayFile, speed: String(config.replay.speed), loops: replay.status().loops, framesSent: replay.status().framesSent }
        : null,
    };
  };
  const startedAt = clock.now();
  const ctx: ToolContext = { clock, symbols, live: pipeline, access: new MarketDataAccess(store.candles, pipeline), facts };
  const tools = selectTools({ allowWrites: config.allowWrites });
  let stopped = false;
  return {
    config,
    bus,
    store,
    pipeline,
    ctx,
    tools,
    replay,
    async start() {
      await recorder.start();
      pipeline.start();
      if (replay) {
        await replay.start();
        const instrument = config.replay.instrument;
        const symbol = symbols.find((s) => s.binance?.instrument === instrument)?.symbol as string;
        feeds = [
          new BinanceStream({
            id: 'binance-spot',
            baseUrl: replay.url,
            streams: [`${instrument}@aggTrade`, `${instrument}@bookTicker`],
            symbols: { [instrument]: symbol },
            clock,
            onTick: sinks.onTick,
            onDrop: (reason, sample) => sinks.onDrop('binance-spot', reason, sample),
            onError: (error) => sinks.onError('binance-spot', error),
            onStatus: sinks.onStatus,
          }),
        ];
        log.info({ file: replayFile, speed: config.replay.speed, url: replay.url }, 'replaying recorded Binance data over the real WebSocket protocol');
      }
      bus.publish('system.event', event('system.started', 'info', 'server', `UTP ${VERSION} started in ${config.mode} mode`, { symbols: symbols.map((s: SymbolSpec) => s.symbol) }));
      for (const feed of feeds) await feed.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const feed of [...feeds].reverse()) await safe(() => feed.stop(), log, 'feed stop');
      if (replay) await safe(() => replay!.close(), log, 'replay stop');
      pipeline.stop();
      bus.publish('system.event', event('system.stopped', 'info', 'server', 'UTP stopped', {}));
      await safe(() => recorder.stop(), log, 'recorder stop');
      store.close();
    },
  };
}

function countCandles(store: Store): number {
  return (store.db.prepare('SELECT COUNT(*) AS n FROM candles').get() as { n: number }).n;
}

async function safe(fn: () => Promise<void> | void, log: Logger, what: string): Promise<void> {
  try {
    await fn();
  } catch (error) {
    log.error({ err: error }, `${what} failed`);
  }
}

function eventFactory(clock: Clock) {
  return (kind: string, level: SystemEvent['level'], component: string, message: string, data: Record<string, unknown>): SystemEvent => {
    const now = clock.now();
    return { kind, level, component, symbol: null, message, data, tsEvent: now, tsInit: now };
  };
}

/** Logs dropped frames: the first ten per feed and reason, then every thousandth, so a flood cannot flood the log. */
function rateLimitedDropLog(log: Logger, bus: EventBus, clock: Clock) {
  const counts = new Map<string, number>();
  return (feed: string, reason: string, sample: string) => {
    const key = `${feed}|${reason}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    bus.publish('frame.dropped', { feed, reason, sample, tsInit: clock.now() });
    if (n <= 10 || n % 1000 === 0) log.warn({ feed, reason, count: n, sample: sample.slice(0, 120) }, 'malformed frame dropped');
  };
}
