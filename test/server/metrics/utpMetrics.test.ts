/**
 * UTP's metric set over hand-built facts: ticks per source, dropped frames,
 * reconnects, gaps, event-loop delay, pending approvals, and tool latency
 * recorded by `instrumentTools` on a TestClock (exact durations).
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { InvalidRequestError } from '../../../src/core/index.js';
import { createUtpMetrics, instrumentTools } from '../../../src/server/metrics/index.js';
import { defineTool, type ToolContext } from '../../../src/tools/index.js';
import { facts, feed, gap } from '../http/fakeFacts.js';
import { parsePromText, type PromFamily } from './promText.js';

const sample = (families: PromFamily[], name: string, labels: Record<string, string> = {}) => {
  for (const f of families) for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
  return undefined;
};

describe('createUtpMetrics', () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1, 1));
  const feeds = [
    feed('binance-spot', 'binance', 'connected', { frames: 500, ticks: 480, dropped: 3, reconnects: 1 }),
    feed('binance-usdm-market', 'binance', 'disconnected', { frames: 20, ticks: 20, dropped: 0, reconnects: 4 }),
    feed('mt5', 'mt5', 'waiting', { frames: 7, ticks: 5, dropped: 1, reconnects: 0 }),
  ];
  let pending = 2;
  const metrics = createUtpMetrics({
    clock,
    facts: () => facts(feeds),
    symbols: ['BTCUSD', 'XAUUSD'],
    gaps: (symbol) =>
      symbol === 'BTCUSD'
        ? { open: [gap('BTCUSD', 'open', 1)], filled: 3, unfillable: [gap('BTCUSD', 'unfillable', 5), gap('BTCUSD', 'unfillable', 9)] }
        : { open: [], filled: 0, unfillable: [] },
    eventLoop: () => ({ p50Ms: 1.5, p99Ms: 12, maxMs: 40, meanMs: 2 }),
    pendingApprovals: () => pending,
  });

  it('reports feeds, ticks per source, gaps, loop delay and pending approvals', () => {
    const families = parsePromText(metrics.render());
    expect(sample(families, 'utp_ticks_total', { source: 'binance' })).toBe(500);
    expect(sample(families, 'utp_ticks_total', { source: 'mt5' })).toBe(5);
    expect(sample(families, 'utp_feed_dropped_frames_total', { feed: 'binance-spot', source: 'binance' })).toBe(3);
    expect(sample(families, 'utp_feed_reconnects_total', { feed: 'binance-usdm-market' })).toBe(4);
    expect(sample(families, 'utp_feed_up', { feed: 'binance-spot', state: 'connected' })).toBe(1);
    expect(sample(families, 'utp_feed_up', { feed: 'mt5', state: 'waiting' })).toBe(0);
    expect(sample(families, 'utp_gaps_open', { symbol: 'BTCUSD' })).toBe(1);
    expect(sample(families, 'utp_gaps_filled_total', { symbol: 'BTCUSD' })).toBe(3);
    expect(sample(families, 'utp_gaps_unfillable', { symbol: 'BTCUSD' })).toBe(2);
    expect(sample(families, 'utp_gaps_open', { symbol: 'XAUUSD' })).toBe(0);
    expect(sample(families, 'utp_event_loop_delay_seconds', { quantile: '0.99' })).toBe(0.012);
    expect(sample(families, 'utp_event_loop_delay_seconds', { quantile: '1' })).toBe(0.04);
    expect(sample(families, 'utp_pipeline_rejected_ticks_total', { reason: 'spike' })).toBe(2);
    expect(sample(families, 'utp_store_pending_writes')).toBe(12);
    expect(sample(families, 'utp_pending_approvals')).toBe(2);
    pending = 0;
    expect(sample(parsePromText(metrics.render()), 'utp_pending_approvals')).toBe(0);
    for (const f of families) {
      expect(f.type, f.name).not.toBeNull();
      expect(f.help, f.name).not.toBeNull();
      if (f.type === 'counter') expect(f.name.endsWith('_total'), f.name).toBe(true);
    }
  });

  it('times tool calls by tool, transport and outcome (instrumentTools)', async () => {
    const slow = defineTool({
      name: 'slow_tool',
      title: 'Slow',
      description: 'Takes 30 ms of the test clock, or fails',
      input: z.object({ fail: z.boolean().default(false).describe('Fail instead') }),
      output: z.object({ ok: z.boolean().describe('Always true') }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      scope: 'read',
      handler: ({ fail }) => {
        clock.advance(30);
        if (fail) throw new InvalidRequestError('asked to fail');
        return { ok: true };
      },
    });
    const [wrapped] = instrumentTools([slow as never], metrics);
    expect(wrapped!.name).toBe('slow_tool');
    expect(wrapped!.input).toBe(slow.input);
    expect(wrapped!.annotations).toBe(slow.annotations);
    const ctx = {} as ToolContext;
    expect(await wrapped!.handler({ fail: false }, ctx)).toEqual({ ok: true });
    expect(await wrapped!.handler({ fail: false }, ctx, {})).toEqual({ ok: true });
    await expect(wrapped!.handler({ fail: true }, ctx, {})).rejects.toThrow('asked to fail');
    const families = parsePromText(metrics.render());
    const h = families.find((f) => f.name === 'utp_tool_duration_seconds')!;
    expect(h.type).toBe('histogram');
    expect(sample(families, 'utp_tool_duration_seconds_count', { tool: 'slow_tool', transport: 'rest', outcome: 'ok' })).toBe(1);
    expect(sample(families, 'utp_tool_duration_seconds_count', { tool: 'slow_tool', transport: 'mcp', outcome: 'ok' })).toBe(1);
    expect(sample(families, 'utp_tool_duration_seconds_count', { tool: 'slow_tool', transport: 'mcp', outcome: 'error' })).toBe(1);
    expect(sample(families, 'utp_tool_duration_seconds_sum', { tool: 'slow_tool', transport: 'rest' })).toBeCloseTo(0.03, 12);
    expect(sample(families, 'utp_tool_duration_seconds_bucket', { tool: 'slow_tool', transport: 'rest', le: '0.025' })).toBe(0);
    expect(sample(families, 'utp_tool_duration_seconds_bucket', { tool: 'slow_tool', transport: 'rest', le: '0.05' })).toBe(1);
    const [stdio] = instrumentTools([slow as never], metrics, 'stdio');
    await stdio!.handler({ fail: false }, ctx, {});
    expect(sample(parsePromText(metrics.render()), 'utp_tool_duration_seconds_count', { tool: 'slow_tool', transport: 'stdio' })).toBe(1);
  });
});
