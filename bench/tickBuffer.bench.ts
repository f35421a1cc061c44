// RAM tick buffer budgets: bytes per buffered tick (<= 64) and process RSS with 3 symbols x 3 h x 100 ticks/s (< 300 MB).
import type { Tick } from '../src/core/index.js';
import { BYTES_PER_TICK, TickRing } from '../src/pipeline/buffer/index.js';
import { AGG_TRADES_2026, fixtureRows } from '../test/fixtures/load.js';

/** Result of {@link tickBufferBench}. */
export type TickBufferBench = {
  /** Ticks held at the end (all of them when the cap was not reached). */
  ticks: number;
  /** Ticks offered. */
  offered: number;
  /** Allocated tick-storage bytes per buffered tick. */
  bytesPerTick: number;
  /** Fixed layout size of one tick. */
  layoutBytes: number;
  /** Process RSS after filling, MB (after a GC when exposed). */
  rssMb: number;
  /** RSS before the buffer was created, MB. */
  baseRssMb: number;
  heapUsedMb: number;
  arrayBuffersMb: number;
  /** Ticks added per second while filling (includes making the Tick objects). */
  addPerSecond: number;
  shortened: boolean;
  windowMs: number;
};

const MB = 1024 * 1024;

/**
 * Fills a TickRing with `symbols` x `hours` x `rate` ticks/s made from the
 * real BTCUSDT aggTrades of 2026-01-01 (prices, sizes, sides, ids cycled;
 * times respaced to the rate), with the default 3 h window and 256 MiB cap,
 * then measures bytes per tick and the process RSS. Throws when the ring does
 * not give back the last tick it took, so a broken ring cannot look small.
 */
export async function tickBufferBench(symbols = 3, hours = 3, rate = 100): Promise<TickBufferBench> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseRssMb = process.memoryUsage().rss / MB;
  const ring = new TickRing();
  const started = performance.now();
  let lastTick: Tick | null = null;
  for (const tick of syntheticTicks(symbols, hours, rate)) {
    ring.add(tick);
    lastTick = tick;
  }
  const names = ['BTCUSD', 'XAUUSD', 'GBPJPY'].slice(0, symbols);
  const perSymbol = hours * 3600 * rate;
  const seconds = (performance.now() - started) / 1000;
  const back = lastTick ? ring.ticks(lastTick.symbol, lastTick.tsEvent, lastTick.tsEvent + 1, 10) : [];
  if (!lastTick || JSON.stringify(back.at(-1)) !== JSON.stringify(lastTick)) throw new Error('tick ring did not give back the last tick');
  gc?.();
  const mem = process.memoryUsage();
  const status = ring.status();
  const result: TickBufferBench = {
    ticks: status.ticks,
    offered: perSymbol * names.length,
    bytesPerTick: status.bytesPerTick,
    layoutBytes: BYTES_PER_TICK,
    rssMb: mem.rss / MB,
    baseRssMb,
    heapUsedMb: mem.heapUsed / MB,
    arrayBuffersMb: mem.arrayBuffers / MB,
    addPerSecond: (perSymbol * names.length) / seconds,
    shortened: status.shortened,
    windowMs: status.windowMs,
  };
  ring.clear();
  return result;
}

/**
 * The bench's tick stream: `symbols` x `hours` x `rate` ticks/s made from the
 * real BTCUSDT aggTrades of 2026-01-01 (prices, sizes, sides, ids cycled;
 * times respaced to the rate; every second tick a quote), in time order.
 */
export function* syntheticTicks(symbols = 3, hours = 3, rate = 100): Generator<Tick> {
  const rows = fixtureRows(AGG_TRADES_2026).map((c) => ({ price: Number(c[1]), qty: Number(c[2]), trades: Number(c[4]) - Number(c[3]) + 1, sell: c[6] === 'True', id: Number(c[0]) }));
  const names = ['BTCUSD', 'XAUUSD', 'GBPJPY'].slice(0, symbols);
  const perSymbol = hours * 3600 * rate;
  const step = 1000 / rate;
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < perSymbol; i++) {
    const r = rows[i % rows.length] as (typeof rows)[number];
    const ts = t0 + Math.floor(i * step);
    for (const symbol of names) {
      const quote = i % 2 === 1;
      yield {
        symbol,
        source: symbol === 'GBPJPY' ? 'mt5' : 'binance',
        tsEvent: ts,
        tsInit: ts + 3,
        bid: quote ? r.price - 0.01 : null,
        ask: quote ? r.price + 0.01 : null,
        last: quote ? null : r.price,
        volume: quote ? 0 : r.qty,
        trades: quote ? 0 : r.trades,
        takerSide: quote ? null : r.sell ? 'sell' : 'buy',
        seq: r.id + i,
        offset: symbol === 'XAUUSD' ? 12.5 + Math.floor(i / 6000) * 0.01 : 0,
      };
    }
  }
}

/** The lines bench/run.ts prints for {@link tickBufferBench}. */
export function tickBufferLines(b: TickBufferBench): string[] {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    `\n[tick buffer] 3 symbols x 3 h x 100 ticks/s = ${fmt(b.offered)} ticks (from real aggTrades) in the RAM ring, held ${fmt(b.ticks)}`,
    `  bytes/tick ${b.bytesPerTick.toFixed(2)} (layout ${b.layoutBytes})   budget <= 64   ${b.bytesPerTick <= 64 ? 'PASS' : 'MISS'}`,
    `  ring alone: array buffers ${b.arrayBuffersMb.toFixed(0)} MB (the whole-process budget is measured in a fresh process: [process rss])`,
    `  add ${fmt(b.addPerSecond)} ticks/s   window shortened: ${b.shortened ? 'yes' : 'no'}`,
  ];
}
