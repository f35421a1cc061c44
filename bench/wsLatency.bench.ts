// WS frame in → tick delivered by the redundant feed, on loopback: the replay server sends the real
// BTCUSDT aggTrades recording (looped, ids shifted) at a uniform pace; both run in this process, so
// send and delivery are stamped with the same performance.now(). Then the primary connection is cut
// and the time to the next delivered tick is measured. Run alone: `node --import tsx bench/wsLatency.bench.ts`.
import { pathToFileURL } from 'node:url';
import { LiveClock } from '../src/core/index.js';
import { BinanceFeed } from '../src/pipeline/feeds/binance/index.js';
import { BinanceReplayServer, loadRecording } from '../src/sim/index.js';
import { RECORDING } from './frames.js';

/** What to measure. */
export type WsLatencyOptions = {
  /** Frames per second the simulator sends (default 10 000). */
  rate?: number;
  /** Frames to measure after warm-up (default 30 000). */
  frames?: number;
  /** Frames ignored at the start (default 3 000). */
  warmup?: number;
  /** Connections of the feed (default 2). */
  connections?: number;
};

/** Latency and failover figures of one run. */
export type WsLatencyResult = {
  rate: number;
  /** Frames measured (each delivered exactly once). */
  frames: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** From cutting the primary connection to the delivery of the first tick sent after the cut, ms. */
  failoverMs: number;
  /** Latency of that tick (its send → delivery), ms. */
  failoverTickMs: number;
  /** Ids missing or delivered twice over the whole run (must be 0). */
  lost: number;
  duplicates: number;
};

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Measures frame-in → tick-out latency p50/p99 at `rate` frames/s, then the failover time after losing the primary. */
export async function wsLatency(options: WsLatencyOptions = {}): Promise<WsLatencyResult> {
  const rate = options.rate ?? 10_000;
  const frames = options.frames ?? 30_000;
  const warmup = options.warmup ?? 3_000;
  const total = warmup + frames + 2_000; // the tail covers the failover
  const rec = await loadRecording(RECORDING, { symbol: 'btcusdt' });
  const first = (rec.rows[0] as { a: number }).a;
  const sentAt = new Float64Array(total + 10_000).fill(Number.NaN);
  const clock = new LiveClock();
  const server = new BinanceReplayServer({
    recordings: rec,
    clock,
    rate,
    onEmit: (id) => {
      const i = id - first;
      if (i < sentAt.length) sentAt[i] = performance.now();
    },
  });
  await server.start();
  const latency = new Float64Array(frames);
  let measured = 0;
  let lastSeq = first - 1;
  let lost = 0;
  let doubled = 0;
  let dropAt = Number.NaN;
  let failoverMs = Number.NaN;
  let failoverTickMs = Number.NaN;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const feed = new BinanceFeed({
    id: 'bench',
    market: 'spot',
    wsUrls: [server.url],
    connections: options.connections ?? 2,
    kinds: ['aggTrade'],
    symbols: { btcusdt: 'BTCUSD' },
    clock,
    onTick: (tick) => {
      const now = performance.now();
      const seq = tick.seq as number;
      const i = seq - first;
      if (seq <= lastSeq) doubled++;
      else {
        lost += seq - lastSeq - 1;
        lastSeq = seq;
      }
      if (Number.isNaN(failoverMs) && (sentAt[i] ?? 0) > dropAt) {
        failoverMs = now - dropAt;
        failoverTickMs = now - (sentAt[i] ?? now);
      }
      if (i >= warmup && measured < frames) latency[measured++] = now - (sentAt[i] ?? now);
      if (i === warmup + frames && Number.isNaN(dropAt)) {
        dropAt = performance.now();
        server.dropClients(server.clientList()[0]?.id ?? 1);
      }
      if (i >= total - 1) done();
    },
  });
  await feed.start();
  await finished;
  await feed.stop();
  await server.close();
  const sorted = latency.slice(0, measured).sort();
  return {
    rate,
    frames: measured,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    failoverMs,
    failoverTickMs,
    lost,
    duplicates: doubled,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await wsLatency();
  const f = (n: number) => n.toFixed(3);
  process.stdout.write(
    `[ws latency] ${r.frames} frames at ${r.rate}/s over loopback, 2 connections merged\n` +
      `  frame in -> tick delivered  p50 ${f(r.p50Ms)} ms  p99 ${f(r.p99Ms)} ms  max ${f(r.maxMs)} ms\n` +
      `  failover: primary cut -> next tick ${f(r.failoverMs)} ms (that tick ${f(r.failoverTickMs)} ms after it was sent)\n` +
      `  lost ${r.lost}, doubled ${r.duplicates}\n`,
  );
}
