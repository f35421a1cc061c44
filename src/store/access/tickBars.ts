import type { Tick } from '../../core/index.js';

/** Resolution of a tick query: raw ticks, or 1-second / 1-minute aggregates. */
export type TickResolution = 'raw' | '1s' | '1m';

/** Length of an aggregate bar, ms. */
export const RESOLUTION_MS: Readonly<Record<Exclude<TickResolution, 'raw'>, number>> = { '1s': 1_000, '1m': 60_000 };

/**
 * One aggregate of the ticks in a UTC-aligned second or minute. Prices are
 * trade prints when the interval has any trade, otherwise quote mids
 * (`basis` says which); intervals without ticks produce no bar.
 */
export type TickBar = Readonly<{
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base volume traded, rounded to 8 decimals (exchange precision, as stored candles sum it). */
  volume: number;
  /** Ticks aggregated (trades and quotes); null when the bar was answered from a stored candle (candles do not count ticks). */
  ticks: number | null;
  /** Exchange trades aggregated (sum of tick.trades). */
  trades: number;
  /** Last bid and ask seen in the interval, null when it had no quote or the bar was answered from a stored candle. */
  bid: number | null;
  ask: number | null;
  basis: 'trade' | 'mid';
}>;

type Acc = {
  openTime: number;
  t: [number, number, number, number] | null;
  m: [number, number, number, number] | null;
  volume: number;
  ticks: number;
  trades: number;
  bid: number | null;
  ask: number | null;
};

/**
 * Folds ticks (in time order, in chunks tagged with their layer) into bars
 * of `resolution`, the first `limit` ones, counting the ticks used per layer
 * in `counts`; `nextOpen` is the open time of the bar after them, or null
 * when the ticks ran out first.
 */
export async function aggregateTicks(
  chunks: AsyncIterable<Readonly<{ layer: string; ticks: readonly Tick[] }>>,
  resolution: Exclude<TickResolution, 'raw'>,
  limit: number,
  counts: Record<string, number> = {},
): Promise<{ bars: TickBar[]; nextOpen: number | null }> {
  const size = RESOLUTION_MS[resolution];
  const bars: TickBar[] = [];
  let acc: Acc | null = null;
  for await (const { layer, ticks } of chunks) {
    for (const t of ticks) {
      const open = Math.floor(t.tsEvent / size) * size;
      if (acc === null || open !== acc.openTime) {
        if (acc !== null) bars.push(finish(acc));
        if (bars.length === limit) return { bars, nextOpen: open };
        acc = { openTime: open, t: null, m: null, volume: 0, ticks: 0, trades: 0, bid: null, ask: null };
      }
      add(acc, t);
      counts[layer] = (counts[layer] ?? 0) + 1;
    }
  }
  if (acc !== null) bars.push(finish(acc));
  return { bars, nextOpen: null };
}

function add(a: Acc, t: Tick): void {
  a.ticks++;
  a.trades += t.trades;
  a.volume += t.volume;
  if (t.last !== null) a.t = ohlc(a.t, t.last);
  if (t.bid !== null && t.ask !== null) {
    a.bid = t.bid;
    a.ask = t.ask;
    a.m = ohlc(a.m, (t.bid + t.ask) / 2);
  }
}

function ohlc(p: [number, number, number, number] | null, v: number): [number, number, number, number] {
  if (p === null) return [v, v, v, v];
  if (v > p[1]) p[1] = v;
  if (v < p[2]) p[2] = v;
  p[3] = v;
  return p;
}

function finish(a: Acc): TickBar {
  const p = a.t ?? a.m ?? [NaN, NaN, NaN, NaN];
  return {
    openTime: a.openTime,
    open: p[0],
    high: p[1],
    low: p[2],
    close: p[3],
    volume: Math.round(a.volume * 1e8) / 1e8,
    ticks: a.ticks,
    trades: a.trades,
    bid: a.bid,
    ask: a.ask,
    basis: a.t !== null ? 'trade' : 'mid',
  };
}
