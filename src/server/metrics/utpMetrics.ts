import type { Clock, Gap } from '../../core/index.js';
import type { LoopDelay, SystemFacts, ToolContext } from '../../tools/index.js';
import { LATENCY_BUCKETS_SECONDS, MetricsRegistry, type CollectedFamily, type Counter, type Histogram, type Sample } from './registry.js';

/** Where the scrape-time metrics read live state; every member but the clock is optional. */
export type UtpMetricsSource = Readonly<{
  /** Times tool calls (monotonic). */
  clock: Clock;
  /** Feeds, pipeline and store counters (the tool context's `facts`). */
  facts?: () => SystemFacts;
  /** Symbols whose gaps are reported, and where gaps are read. */
  symbols?: readonly string[];
  gaps?: (symbol: string) => Readonly<{ open: readonly Gap[]; filled: number; unfillable: readonly Gap[] }>;
  /** Event-loop delay as the coordinator's load monitor measures it. */
  eventLoop?: () => LoopDelay | null;
  /** Pending write requests awaiting a human; absent = the gauge is not exported. */
  pendingApprovals?: () => number;
}>;

/** How a tool call ended, as a metric label. */
export type ToolOutcome = 'ok' | 'error';

/** UTP's metrics: the registry plus the instruments the transports feed. */
export type UtpMetrics = Readonly<{
  registry: MetricsRegistry;
  clock: Clock;
  /** Tool call latency in seconds by tool, transport and outcome. */
  toolLatency: Histogram;
  /** HTTP answers by route class and status code. */
  httpRequests: Counter;
  /** Requests refused by the hardening layer, by reason (host, origin, auth, rate_limit, body_too_large). */
  httpRejected: Counter;
  /** Records one finished tool call. */
  observeTool(tool: string, transport: string, seconds: number, outcome: ToolOutcome): void;
  /** The Prometheus text exposition. */
  render(): string;
}>;

/** The metrics source of a tool context: facts, symbols, gaps and the event loop; `extra` adds pending approvals. */
export function metricsSourceFromContext(ctx: ToolContext, extra: Partial<UtpMetricsSource> = {}): UtpMetricsSource {
  return {
    clock: ctx.clock,
    facts: ctx.facts,
    symbols: ctx.symbols.map((s) => s.symbol),
    gaps: (symbol) => ctx.live.gaps(symbol),
    eventLoop: () => ctx.load?.delay() ?? ctx.trading?.loop() ?? null,
    ...extra,
  };
}

/**
 * Builds UTP's Prometheus metrics. Instruments (tool latency, HTTP answers)
 * are fed by `instrumentTools` and the HTTP app; feeds, ticks per source,
 * dropped frames, reconnects, gaps, pipeline and store counters, event-loop
 * delay and pending approvals are read from `source` at every scrape, so they
 * are never stale and cost nothing between scrapes.
 */
export function createUtpMetrics(source: UtpMetricsSource): UtpMetrics {
  const registry = new MetricsRegistry();
  const toolLatency = registry.histogram('utp_tool_duration_seconds', 'Tool call latency in seconds, by tool, transport (mcp or rest) and outcome', ['tool', 'transport', 'outcome'], LATENCY_BUCKETS_SECONDS);
  const httpRequests = registry.counter('utp_http_requests_total', 'HTTP answers by route class and status code', ['route', 'status']);
  const httpRejected = registry.counter('utp_http_rejected_total', 'HTTP requests refused by the hardening layer, by reason', ['reason']);
  registry.collector(() => collectFacts(source));
  registry.collector(() => collectGaps(source));
  registry.collector(() => collectLoop(source));
  return {
    registry,
    clock: source.clock,
    toolLatency,
    httpRequests,
    httpRejected,
    observeTool: (tool, transport, seconds, outcome) => toolLatency.observe({ tool, transport, outcome }, Math.max(0, seconds)),
    render: () => registry.render(),
  };
}

function collectFacts(source: UtpMetricsSource): CollectedFamily[] {
  if (!source.facts) return [];
  const f = source.facts();
  const feedLabels = (x: SystemFacts['feeds'][number]) => ({ feed: x.id, source: x.source });
  const perSource = new Map<string, number>();
  for (const feed of f.feeds) perSource.set(feed.source, (perSource.get(feed.source) ?? 0) + feed.ticks);
  const families: CollectedFamily[] = [
    { name: 'utp_ticks_total', help: 'Ticks produced by the feeds since start, by source', type: 'counter', samples: [...perSource].map(([s, v]) => ({ labels: { source: s }, value: v })) },
    { name: 'utp_feed_frames_total', help: 'Wire frames received by a feed since start', type: 'counter', samples: f.feeds.map((x) => ({ labels: feedLabels(x), value: x.frames })) },
    { name: 'utp_feed_ticks_total', help: 'Ticks produced by a feed since start', type: 'counter', samples: f.feeds.map((x) => ({ labels: feedLabels(x), value: x.ticks })) },
    { name: 'utp_feed_dropped_frames_total', help: 'Malformed frames counted and dropped by a feed since start', type: 'counter', samples: f.feeds.map((x) => ({ labels: feedLabels(x), value: x.dropped })) },
    { name: 'utp_feed_reconnects_total', help: 'Reconnects of a feed since start', type: 'counter', samples: f.feeds.map((x) => ({ labels: feedLabels(x), value: x.reconnects })) },
    { name: 'utp_feed_up', help: '1 when the feed is connected or replaying, else 0; the state label names the state', type: 'gauge', samples: f.feeds.map((x) => ({ labels: { ...feedLabels(x), state: x.state }, value: x.state === 'connected' || x.state === 'replaying' ? 1 : 0 })) },
    { name: 'utp_pipeline_accepted_ticks_total', help: 'Ticks accepted into the unified stream', type: 'counter', samples: [{ value: f.pipeline.accepted }] },
    { name: 'utp_pipeline_rejected_ticks_total', help: 'Ticks rejected by validation, by reason', type: 'counter', samples: Object.entries(f.pipeline.rejectReasons).map(([reason, v]) => ({ labels: { reason }, value: v })) },
    { name: 'utp_pipeline_fused_ticks_total', help: 'Ticks that entered the fused stream', type: 'counter', samples: [{ value: f.pipeline.fused }] },
    { name: 'utp_pipeline_late_ticks_total', help: 'Ticks that arrived after their candle closed', type: 'counter', samples: [{ value: f.pipeline.lateTicks }] },
    { name: 'utp_pipeline_candles_closed_total', help: 'Candles closed since start, all timeframes', type: 'counter', samples: [{ value: f.pipeline.candlesClosed }] },
    { name: 'utp_store_size_bytes', help: 'SQLite database size including the WAL', type: 'gauge', samples: [{ value: f.store.sizeBytes }] },
    { name: 'utp_store_pending_writes', help: 'Facts buffered and not yet written', type: 'gauge', samples: [{ value: f.store.pendingWrites }] },
    { name: 'utp_store_write_errors_total', help: 'Failed write batches since start (retried)', type: 'counter', samples: [{ value: f.store.writeErrors }] },
    { name: 'utp_start_time_seconds', help: 'Process start, Unix epoch seconds', type: 'gauge', samples: [{ value: f.startedAt / 1000 }] },
  ];
  if (source.pendingApprovals) {
    families.push({ name: 'utp_pending_approvals', help: 'Write requests waiting for a human approval', type: 'gauge', samples: [{ value: source.pendingApprovals() }] });
  }
  return families;
}

function collectGaps(source: UtpMetricsSource): CollectedFamily[] {
  if (!source.gaps || !source.symbols) return [];
  const open: Sample[] = [];
  const filled: Sample[] = [];
  const unfillable: Sample[] = [];
  for (const symbol of source.symbols) {
    const g = source.gaps(symbol);
    open.push({ labels: { symbol }, value: g.open.length });
    filled.push({ labels: { symbol }, value: g.filled });
    unfillable.push({ labels: { symbol }, value: g.unfillable.length });
  }
  return [
    { name: 'utp_gaps_open', help: 'Data gaps being filled right now, by symbol', type: 'gauge', samples: open },
    { name: 'utp_gaps_filled_total', help: 'Data gaps detected and filled since start, by symbol', type: 'counter', samples: filled },
    { name: 'utp_gaps_unfillable', help: 'Data gaps that could not be filled (missing for good), by symbol', type: 'gauge', samples: unfillable },
  ];
}

function collectLoop(source: UtpMetricsSource): CollectedFamily[] {
  const d = source.eventLoop?.() ?? null;
  if (d === null) return [];
  const q = (quantile: string, ms: number): Sample => ({ labels: { quantile }, value: ms / 1000 });
  return [
    { name: 'utp_event_loop_delay_seconds', help: 'Event-loop delay since start (p50, p99, max) from the load monitor', type: 'gauge', samples: [q('0.5', d.p50Ms), q('0.99', d.p99Ms), q('1', d.maxMs)] },
    { name: 'utp_event_loop_delay_mean_seconds', help: 'Mean event-loop delay since start', type: 'gauge', samples: [{ value: d.meanMs / 1000 }] },
  ];
}
