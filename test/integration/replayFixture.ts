/**
 * Shared helpers of the integration and server tests: an independent reading of
 * the recording `utp start` replays (real Binance BTCUSDT spot aggTrades,
 * 2026-01-01 00:00-00:12 UTC, 5000 rows with µs times), an independent
 * group-by-interval candle computation with exact decimal sums, and a composed
 * app replaying that recording at max speed on a TestClock.
 *
 * Nothing here uses the code under test to compute expectations.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { vi } from 'vitest';
import { TestClock } from '../../src/core/clock/TestClock.js';
import type { Candle } from '../../src/core/types/Candle.js';
import { composeApp, type App } from '../../src/server/compose.js';
import { configSchema } from '../../src/server/config.js';

/** Root of the repository (holds bin/, dist/, recordings/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The recording replayed by default. */
export const RECORDING = path.join(REPO_ROOT, 'recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv');

/** The `utp` command. */
export const UTP_BIN = path.join(REPO_ROOT, 'bin/utp.js');

/** Wall time of the TestClock the composed apps run on: one hour after the recording starts. */
export const CLOCK_START = Date.UTC(2026, 0, 1, 1, 0, 0);

/** One aggTrade row of the archive, read with plain string handling. */
export type AggRow = Readonly<{
  a: number;
  price: number;
  qty: number;
  /** Price in 1e-8 units, exact. */
  priceUnits: bigint;
  /** Quantity in 1e-8 units, exact. */
  qtyUnits: bigint;
  f: number;
  l: number;
  /** Trade time in whole ms (archive µs floored), as Binance's ms stream sends it. */
  tsEvent: number;
  buyerMaker: boolean;
}>;

/** A decimal text as exact 1e-8 units (the archive has 8 decimals). */
export function decimalUnits(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * 100_000_000n + BigInt(frac.padEnd(8, '0').slice(0, 8));
}

/** 1e-8 units as the double nearest to the decimal (what parseFloat of the 8-decimal text gives). */
export function unitsToNumber(units: bigint): number {
  return Number(units) / 1e8;
}

/** Reads the aggTrades CSV (no header): a,p,q,f,l,T(µs),m,M. */
export function readAggTrades(file = RECORDING): AggRow[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const c = line.trim().split(',');
      const us = Number(c[5]);
      return {
        a: Number(c[0]),
        price: Number(c[1]),
        qty: Number(c[2]),
        priceUnits: decimalUnits(c[1] as string),
        qtyUnits: decimalUnits(c[2] as string),
        f: Number(c[3]),
        l: Number(c[4]),
        tsEvent: Math.floor(us / 1000),
        buyerMaker: c[6] === 'True',
      };
    });
}

/**
 * A candle computed independently from trade rows: the OHLCV fields of a
 * Candle, `tsEvent` the time of the last trade (or the interval's close time
 * for an empty interval), and whether the interval was empty.
 */
export type ExpectedCandle = Pick<
  Candle,
  'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'quoteVolume' | 'trades' | 'takerBuyVolume' | 'takerBuyQuoteVolume' | 'tsEvent'
> & { empty: boolean };

/**
 * Group-by-interval OHLCV of trade rows, every interval from the first row's
 * to the last row's (empty ones as O=H=L=C = previous close, zero volume, the
 * way Binance emits empty klines). Sums are exact (BigInt), then converted once.
 */
export function expectedCandles(rows: readonly AggRow[], sizeMs: number): ExpectedCandle[] {
  type Acc = { o: number; h: number; l: number; c: number; v: bigint; q: bigint; tv: bigint; tq: bigint; n: number; ts: number };
  const buckets = new Map<number, Acc>();
  for (const r of rows) {
    const key = Math.floor(r.tsEvent / sizeMs) * sizeMs;
    const product = r.priceUnits * r.qtyUnits; // 1e-16 units
    if (product % 100_000_000n !== 0n) throw new Error(`quote of agg ${r.a} has more than 8 decimals`);
    const quote = product / 100_000_000n;
    let acc = buckets.get(key);
    if (!acc) {
      acc = { o: r.price, h: r.price, l: r.price, c: r.price, v: 0n, q: 0n, tv: 0n, tq: 0n, n: 0, ts: r.tsEvent };
      buckets.set(key, acc);
    }
    acc.h = Math.max(acc.h, r.price);
    acc.l = Math.min(acc.l, r.price);
    acc.c = r.price;
    acc.v += r.qtyUnits;
    acc.q += quote;
    if (!r.buyerMaker) {
      acc.tv += r.qtyUnits;
      acc.tq += quote;
    }
    acc.n += r.l - r.f + 1;
    acc.ts = r.tsEvent;
  }
  const keys = [...buckets.keys()].sort((x, y) => x - y);
  const out: ExpectedCandle[] = [];
  let prevClose = Number.NaN;
  for (let t = keys[0] as number; t <= (keys[keys.length - 1] as number); t += sizeMs) {
    const acc = buckets.get(t);
    if (!acc) {
      out.push({
        openTime: t,
        open: prevClose,
        high: prevClose,
        low: prevClose,
        close: prevClose,
        volume: 0,
        quoteVolume: 0,
        trades: 0,
        takerBuyVolume: 0,
        takerBuyQuoteVolume: 0,
        tsEvent: t + sizeMs - 1,
        empty: true,
      });
      continue;
    }
    out.push({
      openTime: t,
      open: acc.o,
      high: acc.h,
      low: acc.l,
      close: acc.c,
      volume: unitsToNumber(acc.v),
      quoteVolume: unitsToNumber(acc.q),
      trades: acc.n,
      takerBuyVolume: unitsToNumber(acc.tv),
      takerBuyQuoteVolume: unitsToNumber(acc.tq),
      tsEvent: acc.ts,
      empty: false,
    });
    prevClose = acc.c;
  }
  return out;
}

/** A fresh folder under the OS temp dir and its remover. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Composes UTP in replay mode (speed max, no loop, silent logger) over `dataDir`
 * on a TestClock that never moves unless the test advances it: no candle is
 * closed by the clock and the recorder writes only when told (clock or stop).
 */
export async function startReplayApp(dataDir: string, clock = new TestClock(CLOCK_START)): Promise<{ app: App; clock: TestClock }> {
  // The loop monitor measures the real event loop: on a loaded CI machine its p99 passes the default 50 ms and /health
  // would say "analysis deferred". These tests are about data, so the load threshold is set out of reach (load is tested with fakes).
  const config = configSchema.parse({ dataDir, logLevel: 'silent', replay: { speed: 'max', loop: false }, trading: { loadThresholdMs: 10_000 } });
  const app = await composeApp(config, { clock, logger: pino({ level: 'silent' }) });
  await app.start();
  return { app, clock };
}

/** Waits (bounded) until the pipeline has accepted `n` ticks. */
export async function waitForAccepted(app: App, n: number, timeout = 20_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (app.pipeline.stats().accepted < n) throw new Error(`accepted ${app.pipeline.stats().accepted} of ${n}`);
    },
    { timeout, interval: 10 },
  );
}

/** Throws a clear message when the build the CLI runs is missing. */
export function requireBuild(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist/server/cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the tests that spawn bin/utp.js');
  }
}
