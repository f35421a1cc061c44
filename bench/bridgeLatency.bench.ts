// WS frame in → bridge command out, loopback, 10k ticks/s (DESIGN.md §9, issue 5; budget p99 <= 5 ms).
//
// The whole live chain in one process: the Binance replay server sends aggTrade frames at a uniform 10 000/s over
// a WebSocket; the real BinanceFeed (2 redundant connections, merged) maps them; the Pipeline filters, fuses and
// publishes `tick.fused`; the trading desk's coordinator decides on every tick (risk, DTMS, exits); its venue is an
// Mt5Venue talking NDJSON over real TCP to the Mt5Bridge, whose other end is the simulated MT5 terminal executing
// the commands with the paper venue's rules. One long position with a stop is open, and the frames carry a rising
// price, so DTMS moves the stop to breakeven, trails it (a `modify_sltp` about every 100 frames) and takes partials
// (`close`). Each sample: the send time of the frame whose price the decision used (the newest fused tick when the
// venue was called) → the time the terminal read the command line off its socket (the simulator's `tap`).
// Everything shares one event loop, so the terminal's read also waits for the loop: an upper bound of what a
// separate EA process would see. Synthetic prices (a straight rise) because only a rising path makes DTMS trail
// continuously; the ATR comes from 15 synthetic M5 warm-up candles published before the stream (range 100).
// Run alone: `node --import tsx bench/bridgeLatency.bench.ts`.
import { pathToFileURL } from 'node:url';
import { EventBus, LiveClock, type Candle, type ExecutionVenue, type SymbolSpec } from '../src/core/index.js';
import { createTradingDesk } from '../src/engines/index.js';
import type { ArchiveAggTrade } from '../src/pipeline/feeds/binance/archive.js';
import { BinanceFeed } from '../src/pipeline/feeds/binance/index.js';
import { Mt5Bridge, Mt5Venue } from '../src/pipeline/feeds/mt5/index.js';
import { Pipeline } from '../src/pipeline/index.js';
import { BinanceReplayServer, Mt5TerminalSim } from '../src/sim/index.js';

/** What to measure. */
export type BridgeLatencyOptions = {
  /** Frames per second (default 10 000). */
  rate?: number;
  /** Frames sent (default 60 000: 6 s). */
  frames?: number;
  /** Frames whose commands are not measured (default 5 000). */
  warmup?: number;
};

/** Latency of frame in → command at the terminal. */
export type BridgeLatencyResult = Readonly<{
  rate: number;
  frames: number;
  /** Commands measured (after warm-up), by type. */
  commands: number;
  byType: Readonly<Record<string, number>>;
  /** Answers that were not success (e.g. 10016), over every command. */
  rejected: number;
  /** The first three rejections, `retcode message`. */
  rejections: readonly string[];
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Frame sent → its fused tick on the bus (feed + pipeline, no engine): the floor the command latency sits on. */
  fusedP50Ms: number;
  fusedP99Ms: number;
  /** Venue call → answer back (TCP round trip through bridge and terminal), over every command. */
  rttP50Ms: number;
  rttP99Ms: number;
  /** Frames the feed delivered to the pipeline. */
  delivered: number;
}>;

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };
const START_PRICE = 50_000;
/** Price rise per frame: 0.25 (2 500 USD/s at 10k frames/s); the trail moves in steps of 0.25 ATR = 25, i.e. every 100 frames. */
const STEP = 0.25;
const ATR = 100;

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Runs the chain once and answers the latency figures. */
export async function bridgeLatency(options: BridgeLatencyOptions = {}): Promise<BridgeLatencyResult> {
  const rate = options.rate ?? 10_000;
  const total = options.frames ?? 60_000;
  const warmup = options.warmup ?? 5_000;
  const clock = new LiveClock();
  const bus = new EventBus();
  const t0 = clock.now();

  // The terminal side: a bridge on 127.0.0.1:0 and the simulated terminal. Its quote is 50 000 for the entry, then
  // (after 1.5 s of its clock) far above every stop DTMS will send, so each command is valid and none stops out.
  const bridge = new Mt5Bridge({ clock, symbols: { BTCUSD: 'BTCUSD' }, barTimeframes: [], onTick: () => {} });
  await bridge.start();
  const arrivals: { at: number; type: string }[] = [];
  const sim = new Mt5TerminalSim({
    port: bridge.port,
    clock,
    speed: 1,
    paceMs: 10,
    trading: { balance: 1_000_000 },
    symbols: [
      {
        sym: 'BTCUSD',
        digits: 2,
        point: 0.01,
        stopsLevel: 0,
        volumeStep: 0.01,
        volumeMin: 0.01,
        volumeMax: 100,
        ticks: [
          { utcMs: t0, bid: START_PRICE - 0.5, ask: START_PRICE, last: 0, vol: 0, flags: 6 },
          { utcMs: t0 + 1_500, bid: 1_000_000, ask: 1_000_000.5, last: 0, vol: 0, flags: 6 },
        ],
      },
    ],
    tap: (direction, line) => {
      if (direction !== 'in') return;
      const at = performance.now();
      const type = /"type":"(order|modify_sltp|close)"/.exec(line)?.[1];
      if (type !== undefined) arrivals.push({ at, type });
    },
  });
  await sim.start();
  await waitFor(() => sim.stats().subscribed, 'terminal subscribed');

  // The desk over the Mt5Venue; every venue call notes the newest fused tick (its frame caused the decision).
  // Also frame sent → fused tick on the bus (feed + pipeline, no engine), per frame after warm-up: the chain's floor.
  let newestSeq = -1;
  const firstId = 1_000_000;
  const fused: number[] = [];
  let sentRef: Float64Array | null = null;
  bus.subscribe('tick.fused', (t) => {
    newestSeq = t.seq ?? -1;
    const i = newestSeq - firstId;
    const s0 = sentRef?.[i];
    if (i >= warmup && s0 !== undefined && Number.isFinite(s0)) fused.push(performance.now() - s0);
  });
  const mt5 = new Mt5Venue({ bridge, clock, symbols: { BTCUSD: 'BTCUSD' }, timeoutMs: 5_000 });
  const causes: number[] = [];
  let rejected = 0;
  const rtts: number[] = [];
  const rejections: string[] = [];
  const note = async (p: Promise<{ ok: boolean; retcode: number; message: string }>) => {
    const c0 = performance.now();
    const r = await p;
    rtts.push(performance.now() - c0);
    if (!r.ok) {
      rejected++;
      if (rejections.length < 3) rejections.push(`${r.retcode} ${r.message}`);
    }
    return r;
  };
  const venue: ExecutionVenue = {
    id: mt5.id,
    positions: () => mt5.positions(),
    account: () => mt5.account(),
    placeOrder: (req) => (causes.push(newestSeq), note(mt5.placeOrder(req))) as ReturnType<ExecutionVenue['placeOrder']>,
    modifyPosition: (t, sl, tp) => (causes.push(newestSeq), note(mt5.modifyPosition(t, sl, tp))) as ReturnType<ExecutionVenue['modifyPosition']>,
    closePosition: (t, v) => (causes.push(newestSeq), note(mt5.closePosition(t, v))) as ReturnType<ExecutionVenue['closePosition']>,
  };
  const desk = createTradingDesk({ clock, bus, symbols: [SPEC], modeOf: () => 'live', calendar: [], balance: 0, currency: 'USD', venue });
  desk.start();
  await waitFor(() => mt5.account().balance > 0, 'account snapshot');

  // ATR(14) warm-up: 15 closed M5 candles of range 100 around 50 000 (the pipeline's own candles come later).
  const m5 = Math.floor(t0 / 300_000) * 300_000;
  for (let i = 15; i >= 1; i--) bus.publish('candle.closed', warmCandle(m5 - i * 300_000, t0));
  await waitFor(() => sim.stats().ticksSent >= 1, 'terminal quote'); // the terminal fills at its own quote: none before its first tick
  const entry = await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: START_PRICE - 200, tp: null, idempotencyKey: 'bench-entry' });
  if (!entry.sent) throw new Error(`entry refused: ${entry.message}`);
  await waitFor(() => sim.stats().ticksSent >= 2, 'terminal quote moved away');
  const entryCommands = arrivals.length;
  causes.length = 0;
  arrivals.length = 0;

  // The stream: the replay server (rate-paced) → BinanceFeed → Pipeline → bus.
  const rows: ArchiveAggTrade[] = Array.from({ length: total }, (_, i) => ({ kind: 'aggTrades', a: firstId + i, p: (START_PRICE + STEP * i).toFixed(2), q: '0.01000000', f: 5_000_000 + i, l: 5_000_000 + i, T: t0 + 2_000 + i / 10, m: false, M: true }));
  const sentAt = new Float64Array(total).fill(Number.NaN);
  sentRef = sentAt;
  const server = new BinanceReplayServer({ recordings: { kind: 'aggTrades', symbol: 'btcusdt', rows }, clock, rate, loop: false, onEmit: (id) => (sentAt[id - firstId] = performance.now()) });
  await server.start();
  const pipeline = new Pipeline({ bus, clock, symbols: [SPEC] });
  pipeline.start();
  let delivered = 0;
  let lastSeq = firstId - 1;
  const feed = new BinanceFeed({
    id: 'bench-bridge',
    market: 'spot',
    wsUrls: [server.url],
    connections: 2,
    kinds: ['aggTrade'],
    symbols: { btcusdt: 'BTCUSD' },
    clock,
    checkSymbols: false,
    onTick: (tick) => {
      delivered++;
      lastSeq = Math.max(lastSeq, tick.seq ?? 0);
      pipeline.ingest(tick);
    },
  });
  await feed.start();
  await waitFor(() => lastSeq >= firstId + total - 1, 'every frame delivered', 60_000);
  await desk.coordinator.idle();
  await waitFor(() => arrivals.length >= causes.length, 'every command at the terminal');

  const samples: number[] = [];
  const byType: Record<string, number> = {};
  for (let k = 0; k < causes.length; k++) {
    const i = (causes[k] ?? -1) - firstId;
    const arrival = arrivals[k];
    if (arrival === undefined || i < warmup || !Number.isFinite(sentAt[i] ?? Number.NaN)) continue;
    samples.push(arrival.at - (sentAt[i] as number));
    byType[arrival.type] = (byType[arrival.type] ?? 0) + 1;
  }
  await feed.stop();
  await server.close();
  pipeline.stop();
  desk.stop();
  await sim.stop();
  await bridge.stop();
  if (entryCommands !== 1) throw new Error(`expected the entry order only before the stream, saw ${entryCommands} commands`);
  const sorted = Float64Array.from(samples).sort();
  const fusedSorted = Float64Array.from(fused).sort();
  const rttSorted = Float64Array.from(rtts).sort();
  return {
    rate,
    frames: total,
    commands: sorted.length,
    byType,
    rejected,
    rejections,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    fusedP50Ms: quantile(fusedSorted, 0.5),
    fusedP99Ms: quantile(fusedSorted, 0.99),
    rttP50Ms: quantile(rttSorted, 0.5),
    rttP99Ms: quantile(rttSorted, 0.99),
    delivered,
  };
}

function warmCandle(openTime: number, now: number): Candle {
  return { symbol: 'BTCUSD', timeframe: 'M5', openTime, open: START_PRICE, high: START_PRICE + ATR / 2, low: START_PRICE - ATR / 2, close: START_PRICE, volume: 1, quoteVolume: START_PRICE, trades: 1, takerBuyVolume: 0, takerBuyQuoteVolume: 0, basis: 'trade', sources: ['binance'], closed: true, tsEvent: openTime + 299_999, tsInit: now };
}

/** Polls real I/O (no fixed sleeps) until `ok`, or throws after `timeoutMs`. */
async function waitFor(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`bridge bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await bridgeLatency();
  console.log(JSON.stringify(r, null, 2));
}
