import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  EventBus,
  LiveClock,
  type Clock,
  type FeedStatus,
  type SymbolSpec,
  type SystemEvent,
  type Tick,
} from '../core/index.js';
import { Pipeline, SleepDetector, type TickBuffer } from '../pipeline/index.js';
import { BinanceReplayServer, loadRecording } from '../sim/index.js';
import { AnalysisRepo, BusRecorder, DtmsActionRepo, openStore, recordDtmsActions, type Store } from '../store/index.js';
import type { TradingDesk } from '../engines/index.js';
import type { Mt5Bridge } from '../pipeline/feeds/mt5/index.js';
import { selectTools, type SystemFacts, type ToolContext, type ToolDefinition } from '../tools/index.js';
import { activeSymbolSpecs, symbolMode, type UtpConfig } from './config.js';
import { buildBinanceFeeds, buildMt5Bridge, type FeedSinks, type RecoverableFeed } from './feeds.js';
import { createMacroService } from './macro.js';
import type { Logger } from './logger.js';
import { VERSION } from './version.js';
import { DATABASE_FILE } from './cli/values.js';
import { createMemory } from './memory.js';
import { createTrading, type Trading } from './trading.js';
import { fusionView, tradingView, warmUpVolatility } from './views.js';

export { fusionView, loadCalendar, tradingView, warmUpVolatility } from './views.js';

/** The running system: every component, started in dependency order and stopped in reverse. */
export type App = Readonly<{
  config: UtpConfig;
  bus: EventBus;
  store: Store;
  pipeline: Pipeline;
  /** Venues, risk engine and coordinator (see `createTradingDesk`). */
  desk: TradingDesk;
  /** The desk, versioned parameters and approval flow (see `createTrading`). */
  trading: Trading;
  /** The RAM tick buffer (3 h window, byte cap). */
  tickBuffer: TickBuffer;
  ctx: ToolContext;
  tools: readonly ToolDefinition[];
  /** Replay server in replay mode, else null. */
  replay: BinanceReplayServer | null;
  /** The running feeds (Binance feeds, the MT5 bridge), for status and tests. */
  feeds(): readonly RecoverableFeed[];
  start(): Promise<void>;
  /** Resolves once every fact published so far is written to SQLite. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}>;

/** What the composition root may be handed instead of the real thing (tests). */
export type ComposeDeps = Readonly<{ clock?: Clock; logger: Logger }>;

export { DATABASE_FILE } from './cli/values.js';

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
    writer: config.store.writer,
    onError: (error, info) => log.error({ err: error, ...info }, 'store write failed'),
  });
  const pipeline = new Pipeline({ bus, clock, symbols });
  const event = eventFactory(clock);
  const dropLog = rateLimitedDropLog(log, bus, clock);
  const lastState = new Map<string, string>();
  const watchFeed = (status: FeedStatus) => {
    const previous = lastState.get(status.id);
    if (previous === status.state) return;
    lastState.set(status.id, status.state);
    const live = status.state === 'connected' || status.state === 'replaying';
    for (const symbol of status.symbols) pipeline.setSourceLive(symbol, status.source, live, `${status.id} ${status.state}`);
    if (status.state === 'disconnected' && (previous === undefined || previous === 'starting')) return; // still connecting
    if (status.source === 'mt5') return; // the bridge logs its own link events (terminal, reason)
    log.info({ feed: status.id, state: status.state, detail: status.detail }, 'feed state');
    bus.publish('system.event', event(`feed.${status.state}`, status.state === 'disconnected' ? 'warn' : 'info', status.id, `feed ${status.id} ${status.state}`, { detail: status.detail }));
  };

  const macro = createMacroService(config.macro, clock, bus, log);
  const sinks: FeedSinks = {
    onTick: (tick: Tick) => {
      if (tick.source === 'mt5' && macro.store.isMacroSymbol(tick.symbol)) macro.store.fromTick(tick);
      else pipeline.ingest(tick);
    },
    onCandle: (candle) => bus.publish('candle.closed', candle),
    onGap: (gap) => {
      bus.publish('gap.updated', gap);
      const level = gap.state === 'unfillable' ? 'warn' : 'info';
      bus.publish('system.event', { ...event(`gap.${gap.state}`, level, gap.feed, `${gap.symbol} ${gap.source} gap ${gap.state}: ${gap.reason}`, { ...gap }), symbol: gap.symbol });
    },
    onEvent: (e) => bus.publish('system.event', e),
    onDrop: (feed: string, reason: string, sample: string) => dropLog(feed, reason, sample),
    onError: (feed: string, error: unknown) => log.error({ err: error, feed }, 'feed callback failed'),
    onStatus: watchFeed,
  };

  let replay: BinanceReplayServer | null = null;
  let feeds: RecoverableFeed[] = [];
  let replayFile = '';
  let bridge: Mt5Bridge | null = null;
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
    const endpoints = {
      spot: { ws: config.binance.spotWs, rest: config.binance.spotRest },
      usdm: { ws: config.binance.usdmWs, rest: config.binance.usdmRest },
    };
    feeds = buildBinanceFeeds(symbols, endpoints, clock, sinks);
    bridge = buildMt5Bridge(
      symbols,
      config.mt5.bridgePort,
      clock,
      sinks,
      (symbol) => store.ticks.lastTick(symbol, 'mt5')?.tsEvent ?? null,
      macro.store.mt5Symbols(),
    );
    if (bridge) feeds.push(bridge);
  }
  const sleep = new SleepDetector(clock, (jump) => {
    bus.publish('clock.jumped', jump);
    bus.publish('system.event', event('clock.jumped', 'warn', 'recovery', `wall clock jumped ${Math.round(jump.jumpMs / 1000)} s against the monotonic clock: recovering every feed`, { ...jump }));
    log.warn({ jumpMs: jump.jumpMs }, 'clock jump: recovering feeds');
    for (const feed of feeds) feed.recover?.(`clock jumped ${Math.round(jump.jumpMs / 1000)} s (sleep or pause)`);
  });

  // Tick rows at start plus the rows the recorder inserted since (duplicates excluded): no COUNT(*) over the tick table per status call.
  const baseTicks = store.ticks.countTicks();
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
        ticks: baseTicks + rs.written.ticks,
        candles: store.isOpen ? countCandles(store) : 0,
        pendingWrites: rs.buffered.ticks + rs.buffered.candles + rs.buffered.events + rs.buffered.structures + rs.pending.rows,
        writeErrors: rs.failures,
      },
      replay: replay
        ? { file: replayFile, speed: String(config.replay.speed), loops: replay.status().loops, framesSent: replay.status().framesSent }
        : null,
      ...memory.facts(),
    };
  };
  const startedAt = clock.now();
  const memory = createMemory({ config, clock, bus, store, pipeline, symbols, log });
  const { tickBuffer, access } = memory;
  bus.subscribe('offset.updated', (u) => log.debug({ symbol: u.symbol, offset: u.offset, pairs: u.pairs, held: u.held }, 'offset calibrated'));
  bus.subscribe('offset.discrepancy', (e) => log.warn({ symbol: e.symbol, phase: e.phase, jump: e.jump, threshold: e.threshold }, 'offset discrepancy'));
  const dtmsActions = new DtmsActionRepo(store.db);
  const stopJournal = recordDtmsActions(bus, dtmsActions, (error) => log.error({ err: error }, 'dtms action write failed'));
  const trading = createTrading({ config, clock, bus, symbols, store, pipeline, macro: macro.store, bridge, log });
  const desk = trading.desk;
  bus.subscribe('dtms.action', (r) => log.debug({ ticket: r.ticket, action: r.action, outcome: r.outcome, reason: r.reason }, 'dtms action'));
  const ctx: ToolContext = {
    clock,
    symbols,
    live: pipeline,
    access,
    facts,
    fusion: fusionView(pipeline),
    structures: store.structures,
    analysisHistory: new AnalysisRepo(store.db),
    macro: macro.store,
    trading: tradingView(desk, dtmsActions, symbols.map((x) => x.symbol), (symbol) => symbolMode(config, symbol)),
    approvals: trading.approvals.view,
    parameters: trading.parameters.view,
    load: trading.load,
  };
  const tools = selectTools({ allowWrites: config.allowWrites });
  let stopped = false;
  return {
    config,
    bus,
    store,
    pipeline,
    desk,
    trading,
    tickBuffer,
    ctx,
    tools,
    replay,
    feeds: () => feeds,
    async start() {
      await recorder.start();
      await memory.start();
      warmUpVolatility(pipeline, store, symbols, clock.now());
      pipeline.start();
      trading.start();
      if (replay) {
        await replay.start();
        const endpoint = { ws: [replay.url, replay.url], rest: [replay.restUrl] };
        const spec = symbols.filter((s) => s.binance?.instrument === config.replay.instrument);
        feeds = buildBinanceFeeds(spec, { spot: endpoint, usdm: endpoint }, clock, sinks);
        log.info({ file: replayFile, speed: config.replay.speed, url: replay.url }, 'replaying recorded Binance data over the real WebSocket protocol');
      }
      sleep.start();
      macro.start();
      bus.publish('system.event', event('system.started', 'info', 'server', `UTP ${VERSION} started in ${config.mode} mode`, { symbols: symbols.map((s: SymbolSpec) => s.symbol) }));
      for (const feed of feeds) await feed.start();
    },
    async flush() {
      await recorder.drain();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      sleep.stop();
      macro.stop();
      for (const feed of [...feeds].reverse()) await safe(() => feed.stop(), log, 'feed stop');
      if (replay) await safe(() => replay!.close(), log, 'replay stop');
      pipeline.stop();
      trading.stop();
      await safe(() => desk.coordinator.idle(), log, 'coordinator drain');
      stopJournal();
      bus.publish('system.event', event('system.stopped', 'info', 'server', 'UTP stopped', {}));
      await safe(() => memory.stop(), log, 'memory layers stop');
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
