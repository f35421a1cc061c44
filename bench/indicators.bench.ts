// Indicator update cost per candle (issue 4 bench): each streaming indicator of src/pipeline/indicators against a
// tight textbook batch loop over the same real candles (official Binance BTCUSDT 1m klines, 2024-03-11..18).
import type { Candle } from '../src/core/index.js';
import { Atr, Ema, RangeExpansion, Vwap } from '../src/pipeline/indicators/index.js';
import type { StreamingCalculator } from '../src/pipeline/indicators/index.js';
import { binanceM1 } from '../test/contract/inputs.js';

/** One row of the indicator bench. */
export type IndicatorBenchRow = {
  /** Indicator and parameters. */
  name: string;
  /** Streaming `add` cost per closed candle, ns. */
  perCandleNs: number;
  /** The textbook batch loop over arrays (the reference the tests compare with), per candle, ns. */
  referenceNs: number;
  /** The live open-candle path: `add(forming version)` then `replace(closed version)`, per candle, ns. */
  addReplaceNs: number;
};

const DAY = 86_400_000;
let sink = 0;

function atrLoop(c: readonly Candle[], n: number): Float64Array {
  const out = new Float64Array(c.length).fill(Number.NaN);
  let sum = 0;
  let atr = 0;
  for (let i = 0; i < c.length; i++) {
    const x = c[i]!;
    const tr = i === 0 ? x.high - x.low : Math.max(x.high - x.low, Math.abs(x.high - c[i - 1]!.close), Math.abs(x.low - c[i - 1]!.close));
    if (i < n) {
      sum += tr;
      if (i === n - 1) out[i] = atr = sum / n;
    } else out[i] = atr = (atr * (n - 1) + tr) / n;
  }
  return out;
}

function emaLoop(c: readonly Candle[], n: number): Float64Array {
  const out = new Float64Array(c.length).fill(Number.NaN);
  const k = 2 / (n + 1);
  let sum = 0;
  let ema = 0;
  for (let i = 0; i < c.length; i++) {
    const close = c[i]!.close;
    if (i < n) {
      sum += close;
      if (i === n - 1) out[i] = ema = sum / n;
    } else out[i] = ema = k * close + (1 - k) * ema;
  }
  return out;
}

function vwapLoop(c: readonly Candle[]): Float64Array {
  const out = new Float64Array(c.length);
  let day = Number.NaN;
  let pv = 0;
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    const x = c[i]!;
    const d = Math.floor(x.openTime / DAY);
    if (d !== day) {
      day = d;
      pv = 0;
      v = 0;
    }
    if (x.volume > 0) {
      pv += ((x.high + x.low + x.close) / 3) * x.volume;
      v += x.volume;
    }
    out[i] = v > 0 ? pv / v : Number.NaN;
  }
  return out;
}

function rangeExpansionLoop(c: readonly Candle[], n: number): Float64Array {
  const atr = atrLoop(c, n);
  const out = new Float64Array(c.length).fill(Number.NaN);
  for (let i = n; i < c.length; i++) out[i] = (c[i]!.high - c[i]!.low) / atr[i - 1]!;
  return out;
}

function meanRangeLoop(c: readonly Candle[], n: number): Float64Array {
  const out = new Float64Array(c.length).fill(Number.NaN);
  for (let i = n; i < c.length; i++) {
    let sum = 0;
    for (let j = i - n; j < i; j++) sum += c[j]!.high - c[j]!.low;
    out[i] = (c[i]!.high - c[i]!.low) / (sum / n);
  }
  return out;
}

function bestNs(rounds: number, count: number, fn: () => void): number {
  fn(); // warm the JIT
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / count);
  }
  return best;
}

/** The forming version of a candle a live aggregator would show mid-interval: open, the half-way close, no volume yet. */
function formingOf(c: Candle): Candle {
  const mid = (c.open + c.close) / 2;
  return { ...c, high: Math.max(c.open, mid), low: Math.min(c.open, mid), close: mid, volume: c.volume / 2, closed: false };
}

/**
 * Measures every indicator on `passes` passes over the eight days of real 1m klines (open times shifted so the
 * series stays ascending): streaming `add` per candle, the textbook batch loop per candle, and the live path
 * `add(forming)` + `replace(closed)` per candle, best of `rounds`.
 */
export async function indicatorBench(passes = 20, rounds = Number(process.env.UTP_BENCH_ROUNDS ?? 3)): Promise<IndicatorBenchRow[]> {
  const days = await binanceM1();
  const span = days.length * 60_000;
  const candles: Candle[] = [];
  for (let p = 0; p < passes; p++) for (const c of days) candles.push(p === 0 ? c : { ...c, openTime: c.openTime + p * span });
  const forming = candles.map(formingOf);
  const n = candles.length;
  const cases: [string, () => StreamingCalculator<Candle, number>, () => Float64Array][] = [
    ['ATR(14) Wilder', () => new Atr(14), () => atrLoop(candles, 14)],
    ['EMA(20) SMA-seeded', () => new Ema(20), () => emaLoop(candles, 20)],
    ['VWAP UTC day', () => new Vwap(), () => vwapLoop(candles)],
    ['range expansion / ATR(14)', () => new RangeExpansion(), () => rangeExpansionLoop(candles, 14)],
    ['range expansion / mean range(14)', () => new RangeExpansion({ baseline: 'meanRange' }), () => meanRangeLoop(candles, 14)],
  ];
  const rows: IndicatorBenchRow[] = [];
  for (const [name, make, reference] of cases) {
    const perCandleNs = bestNs(rounds, n, () => {
      const calc = make();
      for (let i = 0; i < n; i++) calc.add(candles[i]!);
      sink += calc.getResult() ?? 0;
    });
    const referenceNs = bestNs(rounds, n, () => {
      const out = reference();
      sink += out[n - 1]!;
    });
    const addReplaceNs = bestNs(rounds, n, () => {
      const calc = make();
      for (let i = 0; i < n; i++) {
        calc.add(forming[i]!);
        calc.replace(candles[i]!);
      }
      sink += calc.getResult() ?? 0;
    });
    rows.push({ name, perCandleNs, referenceNs, addReplaceNs });
  }
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return rows;
}
