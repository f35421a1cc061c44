import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus, LiveClock } from '../src/core/index.js';
import { BinanceMapper } from '../src/pipeline/feeds/binance/index.js';
import { Pipeline } from '../src/pipeline/index.js';
import { BusRecorder, openStore } from '../src/store/index.js';
import { DEFAULT_SYMBOLS } from '../src/server/config.js';

/** Result of one measured run. */
export type Rate = { perSecond: number; ms: number };

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Floor: JSON.parse of every frame, nothing else. */
export function parseOnly(frames: readonly string[]): Rate {
  let sink = 0;
  const t0 = performance.now();
  for (const frame of frames) sink += (JSON.parse(frame) as { data: { a: number } }).data.a & 1;
  const ms = performance.now() - t0;
  if (sink < 0) throw new Error('unreachable');
  return { perSecond: (frames.length / ms) * 1000, ms };
}

/**
 * The whole ingest path as `utp start` runs it, minus the socket: map the
 * frame (Binance mapper), validate, update state, aggregate candles of all 7
 * timeframes, publish on the bus, and persist ticks and candles to a
 * file-backed SQLite database in WAL mode through the batching recorder, with
 * its store writer thread as `utp start` runs it. The clock stops after
 * `recorder.stop()` resolved, i.e. once the writer acknowledged every batch,
 * so persistence is fully counted.
 */
export async function fullPipeline(frames: readonly string[], chunk = 5000): Promise<Rate & { stored: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-bench-'));
  const clock = new LiveClock();
  const bus = new EventBus();
  const store = openStore({ path: path.join(dir, 'utp.sqlite') });
  const recorder = new BusRecorder(bus, store, clock, { maxBatch: 5000, flushMs: 50, writer: 'worker' });
  await recorder.start();
  const pipeline = new Pipeline({ bus, clock, symbols: DEFAULT_SYMBOLS });
  const mapper = new BinanceMapper({ symbols: { btcusdt: 'BTCUSD' }, clock });
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i += chunk) {
    const end = Math.min(frames.length, i + chunk);
    for (let j = i; j < end; j++) {
      const out = mapper.map(frames[j] as string);
      if (out.kind === 'tick') pipeline.ingest(out.tick);
    }
    await turn();
  }
  await recorder.stop();
  const ms = performance.now() - t0;
  const stored = store.ticks.countTicks();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (frames.length / ms) * 1000, ms, stored };
}
