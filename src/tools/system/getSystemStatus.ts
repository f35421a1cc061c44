import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { iso } from '../market/shared.js';

/** Health of the whole process: feeds, counters, store, uptime. */
export const getSystemStatus = defineTool({
  name: 'get_system_status',
  title: 'System status',
  description:
    'Health of UTP: mode, uptime, configured symbols, every feed (state, frames, ticks, dropped frames, reconnects, last message age), ' +
    'pipeline counters (accepted and rejected ticks with reasons), replay progress, and the SQLite store (size, rows, pending writes).',
  input: z.object({}),
  output: z.object({
    mode: z.string().describe('Run mode: replay (recorded data, paper venue), paper, shadow or live'),
    version: z.string().describe('UTP version'),
    startedAt: z.string().describe('Process start, ISO 8601 UTC'),
    uptimeMs: z.number().describe('Milliseconds since start'),
    symbols: z
      .array(
        z.object({
          symbol: z.string().describe('Canonical symbol'),
          binance: z.string().nullable().describe('Binance instrument and market, e.g. btcusdt (spot); null when none'),
          mt5: z.string().nullable().describe('MT5 symbol at the broker, null when none'),
          primary: z.string().describe('Primary candle source'),
          ticks: z.number().int().describe('Ticks accepted for this symbol since start'),
        }),
      )
      .describe('Configured symbols'),
    feeds: z
      .array(
        z.object({
          id: z.string().describe('Feed id'),
          source: z.string().describe('binance or mt5'),
          state: z.string().describe('connected, replaying, disconnected, waiting, starting or stopped'),
          detail: z.string().describe('Human-readable detail'),
          symbols: z.array(z.string()).describe('Symbols served'),
          frames: z.number().int().describe('Frames received'),
          ticks: z.number().int().describe('Ticks produced'),
          dropped: z.number().int().describe('Malformed frames counted and dropped'),
          reconnects: z.number().int().describe('Reconnects since start'),
          lastMessageAgeMs: z.number().nullable().describe('Milliseconds since the last frame, null if never'),
        }),
      )
      .describe('Every feed and its health'),
    pipeline: z
      .object({
        accepted: z.number().int().describe('Ticks accepted into the unified stream'),
        rejected: z.number().int().describe('Ticks rejected by validation'),
        rejectReasons: z.record(z.string(), z.number().int()).describe('Rejected ticks by reason'),
        unknownSymbol: z.number().int().describe('Ticks for symbols not configured'),
        lateTicks: z.number().int().describe('Ticks that arrived after their candle closed (dropped from candles)'),
        candlesClosed: z.number().int().describe('Candles closed since start, all timeframes'),
        spikes: z.number().int().describe('Ticks rejected by the spike controller (part of rejected)'),
        fused: z.number().int().describe('Ticks that entered the unified (fused) stream'),
      })
      .describe('Pipeline counters'),
    replay: z
      .object({
        file: z.string().describe('Recording being replayed'),
        speed: z.string().describe('Replay speed (x real time, or max)'),
        loops: z.number().int().describe('Completed passes over the recording (timestamps shift forward each pass)'),
        framesSent: z.number().int().describe('Frames sent by the replay server'),
      })
      .nullable()
      .describe('Replay progress, null when not replaying'),
    store: z
      .object({
        path: z.string().describe('SQLite file'),
        sizeBytes: z.number().int().describe('Database size including the WAL'),
        ticks: z.number().int().describe('Rows in unified_ticks'),
        candles: z.number().int().describe('Rows in candles'),
        pendingWrites: z.number().int().describe('Facts buffered, not yet written'),
        writeErrors: z.number().int().describe('Failed write batches since start (retried)'),
      })
      .describe('SQLite store'),
    trading: z
      .object({
        modes: z.record(z.string(), z.string()).describe('Trading mode per symbol: replay, paper, shadow (logged, not sent) or live'),
        venue: z.string().describe('Execution venue id'),
        tradingState: z.string().describe('Risk trading state: active, reducing or halted'),
        openPositions: z.number().int().describe('Open positions at the venue'),
        eventLoopDelayP99Ms: z.number().nullable().describe('Event-loop delay p99 since start, ms (null before any sample)'),
      })
      .nullable()
      .describe('Trading (coordinator, venue, risk), null when not wired'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  scope: 'read',
  handler: (_args, ctx) => {
    const facts = ctx.facts();
    const now = ctx.clock.now();
    return {
      mode: facts.mode,
      version: facts.version,
      startedAt: iso(facts.startedAt) as string,
      uptimeMs: Math.max(0, now - facts.startedAt),
      symbols: ctx.symbols.map((s) => ({
        symbol: s.symbol,
        binance: s.binance ? `${s.binance.instrument} (${s.binance.market})` : null,
        mt5: s.mt5,
        primary: s.primary,
        ticks: ctx.live.snapshot(s.symbol).ticks,
      })),
      feeds: facts.feeds.map((f) => ({
        id: f.id,
        source: f.source,
        state: f.state,
        detail: f.detail,
        symbols: [...f.symbols],
        frames: f.frames,
        ticks: f.ticks,
        dropped: f.dropped,
        reconnects: f.reconnects,
        lastMessageAgeMs: f.lastMessageAt === null ? null : Math.max(0, now - f.lastMessageAt),
      })),
      pipeline: {
        accepted: facts.pipeline.accepted,
        rejected: facts.pipeline.rejected,
        rejectReasons: { ...facts.pipeline.rejectReasons },
        unknownSymbol: facts.pipeline.unknownSymbol,
        lateTicks: facts.pipeline.lateTicks,
        candlesClosed: facts.pipeline.candlesClosed,
        spikes: facts.pipeline.spikes,
        fused: facts.pipeline.fused,
      },
      replay: facts.replay,
      store: facts.store,
      trading: ctx.trading
        ? {
            modes: { ...ctx.trading.modes() },
            venue: ctx.trading.venueId,
            tradingState: ctx.trading.riskStatus().tradingState,
            openPositions: ctx.trading.positions().length,
            eventLoopDelayP99Ms: ctx.trading.loop()?.p99Ms ?? null,
          }
        : null,
    };
  },
});
