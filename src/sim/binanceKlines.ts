/**
 * Klines as Binance's REST API serves them, built from the replay's played
 * trades: UTC-aligned buckets (weeks open Monday 00:00, months on the 1st),
 * exact decimal sums (BigInt, no float drift), empty intervals carried at the
 * previous close with zero volume, and the still-forming last kline included.
 */
import type { ReplayHistory } from './binanceHistory.js';

const FIXED: Readonly<Record<string, number>> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
};
const WEEK = 604_800_000;
const MONDAY = 345_600_000; // 1970-01-05T00:00Z

/** True when `interval` is a kline interval of the market (USD-M has no `1s`). */
export function isKlineInterval(interval: string, market: 'spot' | 'usdm'): boolean {
  if (interval === '1s') return market === 'spot';
  return interval in FIXED || interval === '1w' || interval === '1M';
}

/** Open time of the bucket of `interval` that contains `t` (epoch ms). */
export function bucketOf(interval: string, t: number): number {
  const size = FIXED[interval];
  if (size !== undefined) return Math.floor(t / size) * size;
  if (interval === '1w') return Math.floor((t - MONDAY) / WEEK) * WEEK + MONDAY;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Open time of the bucket after the one opening at `open`. */
export function nextBucket(interval: string, open: number): number {
  const size = FIXED[interval];
  if (size !== undefined) return open + size;
  if (interval === '1w') return open + WEEK;
  const d = new Date(open);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** A decimal string as an integer scaled by 10^scale (truncating extra digits). */
export function scaled(s: string, scale: number): bigint {
  const dot = s.indexOf('.');
  const int = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  return BigInt(int + frac.slice(0, scale).padEnd(scale, '0'));
}

/** Formats an integer scaled by 10^scale with `digits` decimals (truncating). */
export function formatScaled(v: bigint, scale: number, digits: number): string {
  const cut = scale > digits ? v / 10n ** BigInt(scale - digits) : v * 10n ** BigInt(digits - scale);
  const s = cut.toString().padStart(digits + 1, '0');
  return digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** Decimal places used for kline volumes of a recording: as many as its quantities, quote volume up to 8. */
export type KlineFormat = Readonly<{ volDigits: number; quoteDigits: number }>;

/** Looks at a sample of played trades to choose the decimal places of kline volumes. */
export function klineFormat(h: ReplayHistory, r: number): KlineFormat {
  let p = 0;
  let q = 0;
  const n = Math.min(h.count(r), 2000);
  for (let g = 0; g < n; g++) {
    const t = h.trade(r, g);
    p = Math.max(p, t.p.length - (t.p.indexOf('.') + 1 || t.p.length));
    q = Math.max(q, t.q.length - (t.q.indexOf('.') + 1 || t.q.length));
  }
  return { volDigits: q, quoteDigits: Math.min(8, p + q) };
}

/** Which klines to return: Binance semantics of startTime / endTime / limit (open times, inclusive). */
export type KlineQuery = Readonly<{ interval: string; startTime: number | null; endTime: number | null; limit: number; timeUnitUs: boolean }>;

const S = 16; // internal scale for prices, sizes (8 + 8 for products)

/**
 * Klines of played trades `[first, end)` of recording `r`: open times from the
 * bucket of the first served trade to the bucket of the latest one, filtered by
 * the query, at most `limit` (the latest `limit` when no startTime is given).
 */
export function buildKlines(h: ReplayHistory, r: number, first: number, end: number, q: KlineQuery, fmt: KlineFormat): unknown[][] {
  if (first >= end) return [];
  const lo = bucketOf(q.interval, h.msAt(r, first));
  const hi = bucketOf(q.interval, h.msAt(r, end - 1));
  const opens: number[] = [];
  if (q.startTime !== null) {
    let t = bucketOf(q.interval, q.startTime);
    if (t < q.startTime) t = nextBucket(q.interval, t);
    if (t < lo) t = lo;
    for (; t <= hi && opens.length < q.limit && (q.endTime === null || t <= q.endTime); t = nextBucket(q.interval, t)) opens.push(t);
  } else {
    const top = q.endTime === null ? hi : Math.min(hi, bucketOf(q.interval, q.endTime));
    const all: number[] = [];
    for (let t = lo; t <= top; t = nextBucket(q.interval, t)) all.push(t);
    opens.push(...all.slice(Math.max(0, all.length - q.limit)));
  }
  const out: unknown[][] = [];
  const unit = q.timeUnitUs ? 1000 : 1;
  for (const open of opens) {
    const close = nextBucket(q.interval, open);
    let g = Math.max(first, h.firstByTime(r, open));
    const stop = Math.min(end, h.firstByTime(r, close));
    let o = '';
    let hiP = 0n;
    let loP = 0n;
    let c = '';
    let vol = 0n;
    let quote = 0n;
    let buyVol = 0n;
    let buyQuote = 0n;
    let n = 0;
    for (; g < stop; g++) {
      const t = h.trade(r, g);
      const p = scaled(t.p, 8);
      const qty = scaled(t.q, 8);
      if (n === 0) {
        o = t.p;
        hiP = p;
        loP = p;
      }
      if (p > hiP) hiP = p;
      if (p < loP) loP = p;
      c = t.p;
      n += t.l - t.f + 1;
      vol += qty;
      quote += p * qty;
      if (!t.m) {
        buyVol += qty;
        buyQuote += p * qty;
      }
    }
    let oS = o;
    let hS = '';
    let lS = '';
    if (n === 0) {
      const prev = Math.max(first, h.firstByTime(r, open)) - 1;
      oS = prev >= 0 ? h.trade(r, prev).p : h.trade(r, first).p;
      c = oS;
      hS = oS;
      lS = oS;
    } else {
      const digits = o.indexOf('.') < 0 ? 0 : o.length - o.indexOf('.') - 1;
      hS = formatScaled(hiP, 8, digits);
      lS = formatScaled(loP, 8, digits);
    }
    out.push([
      open * unit,
      oS,
      hS,
      lS,
      c,
      formatScaled(vol, 8, fmt.volDigits),
      (close - 1) * unit + (unit - 1),
      formatScaled(quote, S, fmt.quoteDigits),
      n,
      formatScaled(buyVol, 8, fmt.volDigits),
      formatScaled(buyQuote, S, fmt.quoteDigits),
      '0',
    ]);
  }
  return out;
}
