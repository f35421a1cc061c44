// Tick to engine decision in process (issue 5 bench, budget p99 <= 1 ms): real BTCUSDT aggTrades of 2026-01-01
// (5000 trades) as fused ticks into the coordinator managing one long position at the paper venue; each sample is
// the time from `onTick` to the end of the decision it queued (risk equity update, DTMS step, arbitration, journal).
import { EventBus, TestClock, type Tick } from '../src/core/index.js';
import { createTradingDesk } from '../src/engines/coordinator/index.js';
import { AGG_TRADES_2026, fixtureRows } from '../test/fixtures/load.js';

/** Latency of tick to decision, ms. */
export type DecisionBenchResult = Readonly<{ p50: number; p99: number; max: number; ticks: number; journalRows: number }>;

/** Runs the bench `passes` times over the 5000 recorded trades (the first pass warms up and is not measured). */
export async function decisionBench(passes = 3): Promise<DecisionBenchResult> {
  const rows = fixtureRows(AGG_TRADES_2026).map((c) => ({ price: Number(c[1]), ts: Math.floor(Number(c[5]) / 1000) }));
  const first = rows[0]!;
  const clock = new TestClock(first.ts);
  const bus = new EventBus();
  let journalRows = 0;
  bus.subscribe('dtms.action', () => (journalRows += 1));
  const desk = createTradingDesk({ clock, bus, symbols: [{ symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' }], modeOf: () => 'replay', calendar: [], balance: 100_000, currency: 'USD' });
  desk.start();
  const tick = (price: number, ts: number): Tick => ({ symbol: 'BTCUSD', source: 'binance', tsEvent: ts, tsInit: ts, bid: price - 0.1, ask: price + 0.1, last: price, volume: 0, trades: 1, takerSide: null, seq: null, offset: 0 });
  bus.publish('tick.fused', tick(first.price, first.ts));
  await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((first.price - 200).toFixed(2)), tp: null, idempotencyKey: 'bench' });
  const samples: number[] = [];
  let shift = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (const r of rows) {
      const ts = r.ts + shift;
      if (ts > clock.now()) clock.advance(ts - clock.now());
      const t = tick(r.price, ts);
      const start = performance.now();
      bus.publish('tick.fused', t);
      await desk.coordinator.idle();
      if (pass > 0) samples.push(performance.now() - start);
    }
    shift += rows[rows.length - 1]!.ts - first.ts + 1;
  }
  desk.stop();
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1] ?? 0, ticks: samples.length, journalRows };
}
