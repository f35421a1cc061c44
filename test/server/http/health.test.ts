/**
 * Per-component health from hand-built facts: feed states, store backlog,
 * rejected share, coordinator load, approvals, extra components, and a facts
 * source that throws.
 */
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { computeHealth } from '../../../src/server/http/health.js';
import type { SystemFacts, ToolContext } from '../../../src/tools/index.js';
import { facts, feed } from './fakeFacts.js';

const INFO = { name: 'utp', version: 't' };
const clock = new TestClock(Date.UTC(2026, 0, 1, 1));
const ctxWith = (f: () => SystemFacts, extra: Partial<ToolContext> = {}) => ({ clock, facts: f, ...extra }) as unknown as ToolContext;
const statusOf = (report: ReturnType<typeof computeHealth>) => Object.fromEntries(report.components.map((c) => [c.name, c.status]));

describe('computeHealth', () => {
  it('is ok when every feed is connected or replaying', () => {
    const report = computeHealth(ctxWith(() => facts([feed('a', 'binance', 'connected', { lastMessageAt: clock.now() - 3000 }), feed('b', 'binance', 'replaying')])), INFO);
    expect(report).toMatchObject({ status: 'ok', ok: true, checkedAt: '2026-01-01T01:00:00.000Z' });
    expect(report.components).toEqual([
      { name: 'feed:a', status: 'ok', reason: 'connected (last frame 3 s ago, 0 reconnects, 0 dropped frames)' },
      { name: 'feed:b', status: 'ok', reason: 'replaying (no frame yet, 0 reconnects, 0 dropped frames)' },
      { name: 'store', status: 'ok', reason: '1000 ticks, 40 candles, 12 pending writes, 0 failed batches since start' },
      { name: 'pipeline', status: 'ok', reason: '1000 ticks accepted, 3 rejected, 40 candles closed' },
    ]);
  });

  it('grades feed states: starting and waiting degraded, disconnected and stopped down; no feed degraded', () => {
    const states = ['starting', 'waiting', 'disconnected', 'stopped'] as const;
    const report = computeHealth(ctxWith(() => facts(states.map((s) => feed(s, 'mt5', s)))), INFO);
    expect(report.ok).toBe(false);
    expect(report.status).toBe('degraded');
    expect(statusOf(report)).toMatchObject({ 'feed:starting': 'degraded', 'feed:waiting': 'degraded', 'feed:disconnected': 'down', 'feed:stopped': 'down' });
    expect(statusOf(computeHealth(ctxWith(() => facts([])), INFO)).feeds).toBe('degraded');
  });

  it('degrades the store on a write backlog and the pipeline when most ticks are rejected', () => {
    const f = facts([feed('a', 'binance', 'connected')], {
      store: { path: 'x', sizeBytes: 1, ticks: 0, candles: 0, pendingWrites: 101, writeErrors: 2 },
      pipeline: { accepted: 40, rejected: 60, unknownSymbol: 0, lateTicks: 0, candlesClosed: 0, rejectReasons: { spike: 60 }, spikes: 60, fused: 40 },
    });
    const report = computeHealth(ctxWith(() => f), INFO, { maxPendingWrites: 100 });
    expect(report.components.find((c) => c.name === 'store')).toEqual({ name: 'store', status: 'degraded', reason: 'write backlog above 100 rows: 0 ticks, 0 candles, 101 pending writes, 2 failed batches since start' });
    expect(report.components.find((c) => c.name === 'pipeline')).toEqual({ name: 'pipeline', status: 'degraded', reason: '60% of ticks rejected: 40 ticks accepted, 60 rejected, 0 candles closed' });
  });

  it('reports the coordinator (busy load, optional delay threshold), approvals and extra components', () => {
    let busy = false;
    const load = { busy: () => busy, delay: () => ({ p50Ms: 1, p99Ms: 80, maxMs: 120, meanMs: 2 }) };
    const ctx = ctxWith(() => facts([feed('a', 'binance', 'connected')]), { load, approvals: {} as never });
    const extra = () => [{ name: 'analyst', status: 'ok' as const, reason: 'last run 2 min ago' }];
    const ok = computeHealth(ctx, INFO, { pendingApprovals: () => 3, extra });
    expect(ok.ok).toBe(true);
    expect(ok.components.slice(-3)).toEqual([
      { name: 'coordinator', status: 'ok', reason: 'no trading wired, event-loop delay p99 80.0 ms' },
      { name: 'approvals', status: 'ok', reason: 'writes enabled, each needs a human; 3 pending approvals' },
      { name: 'analyst', status: 'ok', reason: 'last run 2 min ago' },
    ]);
    expect(statusOf(computeHealth(ctx, INFO, { maxLoopDelayP99Ms: 50 })).coordinator).toBe('degraded');
    busy = true;
    expect(computeHealth(ctx, INFO).components.find((c) => c.name === 'coordinator')).toEqual({
      name: 'coordinator',
      status: 'degraded',
      reason: 'event loop busy, analysis deferred; no trading wired, event-loop delay p99 80.0 ms',
    });
  });

  it('turns a throwing facts source or extra check into a down line, never an exception', () => {
    const report = computeHealth(
      ctxWith(() => {
        throw new Error('store closed');
      }),
      INFO,
      {
        extra: () => {
          throw new Error('no analyst');
        },
      },
    );
    expect(report.ok).toBe(false);
    expect(report.components).toEqual([
      { name: 'facts', status: 'down', reason: 'system facts unavailable: store closed' },
      { name: 'extra', status: 'down', reason: 'health check failed: no analyst' },
    ]);
  });
});
