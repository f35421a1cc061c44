import type { Tick } from '../../core/index.js';

/** Tuning of the offset calibrator. */
export type OffsetCalibratorOptions = Readonly<{
  /** A Binance and an MT5 mid pair only when they are at most this far apart in venue time, ms (default 1000). */
  pairWindowMs?: number;
  /** Pairs kept for the robust centre (default 600). */
  maxPairs?: number;
  /** Pairs needed before an offset is published (default 10). */
  minPairs?: number;
}>;

/** The calibrated Binance-to-broker offset of one symbol. */
export type OffsetEstimate = Readonly<{
  symbol: string;
  /** Add to a Binance price to express it in broker terms. */
  offset: number;
  /** Pairs the median was taken over. */
  pairs: number;
  /** Venue time of the newest pair, epoch ms. */
  tsEvent: number;
}>;

type Side = { ts: Float64Array; mid: Float64Array; head: number; size: number };
type SymbolState = { binance: Side; pairs: number[]; pairTs: number };

const HISTORY = 256;

/**
 * Pairs Binance and MT5 mids (or trade prices where a venue has no quote)
 * that fall within a short window of venue time and takes the median of
 * (broker - Binance) over the recent pairs: a robust centre that a burst of
 * stale quotes cannot drag. Streaming and bounded in memory.
 */
export class OffsetCalibrator {
  private readonly state = new Map<string, SymbolState>();
  private readonly window: number;
  private readonly maxPairs: number;
  private readonly minPairs: number;

  constructor(options: OffsetCalibratorOptions = {}) {
    this.window = options.pairWindowMs ?? 1_000;
    this.maxPairs = options.maxPairs ?? 600;
    this.minPairs = options.minPairs ?? 10;
  }

  /** Feeds one accepted tick of any source. */
  add(tick: Tick): void {
    const price = tick.bid !== null && tick.ask !== null ? (tick.bid + tick.ask) / 2 : tick.last;
    if (price === null) return;
    const s = this.symbol(tick.symbol);
    if (tick.source === 'binance') {
      const side = s.binance;
      side.ts[side.head] = tick.tsEvent;
      side.mid[side.head] = price;
      side.head = (side.head + 1) % HISTORY;
      side.size = Math.min(HISTORY, side.size + 1);
      return;
    }
    if (tick.source !== 'mt5') return;
    const near = nearest(s.binance, tick.tsEvent, this.window);
    if (near === null) return;
    s.pairs.push(price - near);
    if (s.pairs.length > this.maxPairs) s.pairs.shift();
    s.pairTs = tick.tsEvent;
  }

  /** Current estimate, or null until enough pairs exist. */
  estimate(symbol: string): OffsetEstimate | null {
    const s = this.state.get(symbol);
    if (!s || s.pairs.length < this.minPairs) return null;
    return { symbol, offset: median(s.pairs), pairs: s.pairs.length, tsEvent: s.pairTs };
  }

  private symbol(symbol: string): SymbolState {
    let s = this.state.get(symbol);
    if (!s) {
      s = { binance: { ts: new Float64Array(HISTORY), mid: new Float64Array(HISTORY), head: 0, size: 0 }, pairs: [], pairTs: 0 };
      this.state.set(symbol, s);
    }
    return s;
  }
}

function nearest(side: Side, ts: number, window: number): number | null {
  let best: number | null = null;
  let bestDist = window + 1;
  for (let i = 0; i < side.size; i++) {
    const d = Math.abs((side.ts[i] as number) - ts);
    if (d < bestDist) {
      bestDist = d;
      best = side.mid[i] as number;
    }
  }
  return bestDist <= window ? best : null;
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
