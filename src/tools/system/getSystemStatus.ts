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
    ram: z
      .object({
        bytes: z.number().int().describe('Bytes allocated for buffered ticks'),
        capBytes: z.number().int().describe('Hard cap of the buffer, bytes'),
        ticks: z.number().int().describe('Ticks held in RAM'),
        bytesPerTick: z.number().describe('Allocated bytes per buffered tick'),
        windowMs: z.number().int().describe('Shortest window any symbol holds now, ms'),
        configuredWindowMs: z.number().int().describe('Configured rolling window, ms (3 h by default)'),
        shortened: z.boolean().describe('True when memory pressure shortened the window of at least one symbol'),
        reason: z.string().nullable().describe('Why the window is shorter than configured, or null'),
        refused: z.number().int().describe('Ticks refused because the cap left no room at all'),
        symbols: z
          .array(
            z.object({
              symbol: z.string().describe('Symbol'),
              ticks: z.number().int().describe('Ticks held'),
              bytes: z.number().int().describe('Bytes held'),
              coveredFrom: z.string().nullable().describe('Venue time from which every tick is held (ISO 8601), null when empty'),
              newest: z.string().nullable().describe('Newest buffered tick (ISO 8601), null when empty'),
              windowMs: z.number().int().describe('Window held, ms'),
              shortened: z.boolean().describe('True when the cap cut this symbol below the configured window'),
              late: z.number().int().describe('Ticks refused as older than the covered window'),
            }),
          )
          .describe('Per symbol'),
      })
      .nullable()
      .describe('RAM tick buffer (3 h rolling window, hard byte cap), null when not running'),
    archive: z
      .object({
        dir: z.string().describe('Archive folder (<dataDir>/archive/<kind>/<SYMBOL>/<YYYY-MM-DD>.parquet)'),
        files: z.number().int().describe('Verified day files'),
        bytes: z.number().int().describe('Bytes on disk'),
        passes: z.number().int().describe('Passes of the layer mover since start'),
        lastPassAt: z.string().nullable().describe('End of the last mover pass (ISO 8601), null before any'),
        running: z.boolean().describe('True while a pass is archiving or pruning'),
      })
      .nullable()
      .describe('Parquet archive and the mover that archives finished days and prunes SQLite, null when not running'),
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
      ram: facts.ram ? { ...facts.ram, symbols: facts.ram.symbols.map((x) => ({ ...x, coveredFrom: iso(x.coveredFrom), newest: iso(x.newest) })) } : null,
      archive: facts.archive ? { ...facts.archive, lastPassAt: iso(facts.archive.lastPassAt) } : null,
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
