import type { FeedStatus } from '../../core/index.js';
import type { SystemFacts, ToolContext } from '../../tools/index.js';

/** Health of one component: `ok`, `degraded` (serving, impaired) or `down` (not serving). */
export type ComponentStatus = 'ok' | 'degraded' | 'down';

/** One line of the health report. */
export type HealthComponent = Readonly<{ name: string; status: ComponentStatus; reason: string }>;

/** What `GET /health` answers: 200 when every component is ok, 503 otherwise. */
export type HealthReport = Readonly<{
  status: 'ok' | 'degraded';
  ok: boolean;
  name: string;
  version: string;
  checkedAt: string;
  components: readonly HealthComponent[];
}>;

/** Thresholds and extra components of the health check. */
export type HealthOptions = Readonly<{
  /** Buffered, unwritten store rows above which the store is degraded (default 100,000). */
  maxPendingWrites?: number;
  /** Event-loop delay p99 (since start, as the load monitor reports it) above which the coordinator is degraded, ms; default none: only the monitor's own `busy()` verdict degrades it. */
  maxLoopDelayP99Ms?: number;
  /** Share of rejected ticks (with at least 100 ticks seen) above which the pipeline is degraded (default 0.5). */
  maxRejectedShare?: number;
  /** Pending approvals, shown in the approvals component when writes are wired. */
  pendingApprovals?: () => number;
  /** Components other parts add (the approvals store, the analyst loop); a throwing callback makes one `down` line. */
  extra?: () => readonly HealthComponent[];
}>;

/**
 * Per-component health computed from the live facts: one line per feed
 * (connected or replaying = ok; starting or waiting = degraded; disconnected
 * or stopped = down), the store (write backlog), the pipeline (rejected
 * share), the coordinator (event-loop delay, load shedding) and approvals when
 * wired. A component whose check throws is `down` with the error as reason.
 */
export function computeHealth(ctx: ToolContext, info: Readonly<{ name: string; version: string }>, options: HealthOptions = {}): HealthReport {
  const components: HealthComponent[] = [];
  const check = (name: string, fn: () => readonly HealthComponent[]) => {
    try {
      components.push(...fn());
    } catch (error) {
      components.push({ name, status: 'down', reason: `health check failed: ${(error as Error)?.message ?? String(error)}` });
    }
  };
  const now = ctx.clock.now();
  let f: SystemFacts | null = null;
  try {
    f = ctx.facts();
  } catch (error) {
    components.push({ name: 'facts', status: 'down', reason: `system facts unavailable: ${(error as Error)?.message ?? String(error)}` });
  }
  if (f !== null) {
    const facts: SystemFacts = f;
    check('feeds', () => (facts.feeds.length === 0 ? [{ name: 'feeds', status: 'degraded', reason: 'no feed is running' }] : facts.feeds.map((x) => feedHealth(x, now))));
    check('store', () => {
      const s = facts.store;
      const max = options.maxPendingWrites ?? 100_000;
      const tail = `${s.ticks} ticks, ${s.candles} candles, ${s.pendingWrites} pending writes, ${s.writeErrors} failed batches since start`;
      return [{ name: 'store', status: s.pendingWrites > max ? 'degraded' : 'ok', reason: s.pendingWrites > max ? `write backlog above ${max} rows: ${tail}` : tail }];
    });
    check('pipeline', () => {
      const p = facts.pipeline;
      const seen = p.accepted + p.rejected;
      const share = seen === 0 ? 0 : p.rejected / seen;
      const max = options.maxRejectedShare ?? 0.5;
      const tail = `${p.accepted} ticks accepted, ${p.rejected} rejected, ${p.candlesClosed} candles closed`;
      const bad = seen >= 100 && share > max;
      return [{ name: 'pipeline', status: bad ? 'degraded' : 'ok', reason: bad ? `${Math.round(share * 100)}% of ticks rejected: ${tail}` : tail }];
    });
  }
  if (ctx.trading || ctx.load) {
    check('coordinator', () => {
      const delay = ctx.load?.delay() ?? ctx.trading?.loop() ?? null;
      const max = options.maxLoopDelayP99Ms;
      const state = ctx.trading ? `trading state ${ctx.trading.riskStatus().tradingState}` : 'no trading wired';
      const loop = delay ? `event-loop delay p99 ${delay.p99Ms.toFixed(1)} ms` : 'no event-loop sample yet';
      if (ctx.load?.busy()) return [{ name: 'coordinator', status: 'degraded', reason: `event loop busy, analysis deferred; ${state}, ${loop}` }];
      if (delay && max !== undefined && delay.p99Ms > max) return [{ name: 'coordinator', status: 'degraded', reason: `${loop} above ${max} ms; ${state}` }];
      return [{ name: 'coordinator', status: 'ok', reason: `${state}, ${loop}` }];
    });
  }
  if (ctx.approvals) {
    check('approvals', () => {
      const pending = options.pendingApprovals?.();
      const writes = ctx.approvals?.readOnly ? 'read-only (writes disabled)' : 'writes enabled, each needs a human';
      return [{ name: 'approvals', status: 'ok', reason: pending === undefined ? writes : `${writes}; ${pending} pending approvals` }];
    });
  }
  if (options.extra) check('extra', options.extra);
  const ok = components.every((c) => c.status === 'ok');
  return { status: ok ? 'ok' : 'degraded', ok, name: info.name, version: info.version, checkedAt: new Date(now).toISOString(), components };
}

function feedHealth(feed: FeedStatus, now: number): HealthComponent {
  const age = feed.lastMessageAt === null ? 'no frame yet' : `last frame ${Math.max(0, Math.round((now - feed.lastMessageAt) / 1000))} s ago`;
  const reason = `${feed.state}${feed.detail ? `: ${feed.detail}` : ''} (${age}, ${feed.reconnects} reconnects, ${feed.dropped} dropped frames)`;
  const status: ComponentStatus = feed.state === 'connected' || feed.state === 'replaying' ? 'ok' : feed.state === 'starting' || feed.state === 'waiting' ? 'degraded' : 'down';
  return { name: `feed:${feed.id}`, status, reason };
}
