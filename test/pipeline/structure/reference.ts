import { TIMEFRAME_MS } from '../../../src/core/index.js';
import type { Candle, Timeframe } from '../../../src/core/index.js';
import type { StructureEvent } from '../../../src/pipeline/structure/index.js';

type Dir = 'bullish' | 'bearish';
type Keyed = { e: StructureEvent; i: number; rank: number; seq: number };

/**
 * An independent oracle of the documented definitions, written the naive way:
 * whole-array indexes, look-ahead scans from each swing or zone (allowed
 * here: it describes the final answer, not a stream), no shared code with the
 * detector. Unbounded: no liquidity-level or zone limits. Events come in the
 * documented order: by confirming candle, then mitigations, fills, sweeps
 * (highs, lows), bullish break + block, bearish break + block, swing high,
 * swing low, gap; several targets oldest first.
 */
export function referenceStructure(c: readonly Candle[], symbol: string, tf: Timeframe, left = 2, right = 2): StructureEvent[] {
  const n = c.length;
  const at = (i: number): Candle => c[i] as Candle;
  const closeT = (i: number): number => at(i).openTime + TIMEFRAME_MS[tf] - 1;
  const out: Keyed[] = [];
  let seq = 0;
  const ev = (
    i: number,
    rank: number,
    kind: StructureEvent['kind'],
    direction: Dir,
    formedAt: number,
    p: { level?: number; top?: number; bottom?: number; refs?: string[]; anchor?: number },
  ): StructureEvent => {
    const idParts: (string | number)[] = [symbol, tf, kind, direction, formedAt, closeT(i)];
    if (p.anchor !== undefined) idParts.push(p.anchor);
    const e: StructureEvent = {
      id: idParts.join(':'),
      kind,
      direction,
      symbol,
      timeframe: tf,
      level: p.level ?? null,
      top: p.top ?? null,
      bottom: p.bottom ?? null,
      formedAt,
      confirmedAt: closeT(i),
      refs: p.refs ?? [],
    };
    out.push({ e, i, rank, seq: seq++ });
    return e;
  };

  // Swings: strict on the left, non-strict on the right; confirmed at s + right.
  type Swing = { s: number; conf: number; level: number; id: string };
  const highs: Swing[] = [];
  const lows: Swing[] = [];
  for (let s = left; s + right < n; s++) {
    let isHigh = true;
    let isLow = true;
    for (let j = s - left; j <= s + right; j++) {
      if (j === s) continue;
      if (j < s ? !(at(s).high > at(j).high) : !(at(s).high >= at(j).high)) isHigh = false;
      if (j < s ? !(at(s).low < at(j).low) : !(at(s).low <= at(j).low)) isLow = false;
    }
    if (isHigh) highs.push({ s, conf: s + right, level: at(s).high, id: ev(s + right, 8, 'swing_high', 'bearish', at(s).openTime, { level: at(s).high }).id });
    if (isLow) lows.push({ s, conf: s + right, level: at(s).low, id: ev(s + right, 9, 'swing_low', 'bullish', at(s).openTime, { level: at(s).low }).id });
  }

  // Sweeps: the first candle after confirmation with a wick beyond the level decides (sweep if it closed back inside).
  for (const [list, isHigh] of [[highs, true], [lows, false]] as const) {
    for (const sw of list) {
      for (let j = sw.conf + 1; j < n; j++) {
        const beyond = isHigh ? at(j).high > sw.level : at(j).low < sw.level;
        if (!beyond) continue;
        const inside = isHigh ? at(j).close <= sw.level : at(j).close >= sw.level;
        if (inside) {
          ev(j, isHigh ? 2 : 3, 'liquidity_sweep', isHigh ? 'bearish' : 'bullish', at(j).openTime, {
            level: sw.level,
            top: isHigh ? at(j).high : sw.level,
            bottom: isHigh ? sw.level : at(j).low,
            refs: [sw.id],
            anchor: at(sw.s).openTime,
          });
        }
        break;
      }
    }
  }

  // Breaks, trend and order blocks: sequential over candles, reference = latest swing confirmed before the candle.
  type Block = { dir: Dir; candle: number; top: number; bottom: number; conf: number; mitigated: number };
  const blocks: Block[] = [];
  const broken = new Set<string>();
  let trend: Dir | null = null;
  const latestBefore = (list: Swing[], i: number): Swing | undefined => list.filter((sw) => sw.conf < i).at(-1);
  for (let i = 0; i < n; i++) {
    for (const dir of ['bullish', 'bearish'] as const) {
      const sw = latestBefore(dir === 'bullish' ? highs : lows, i);
      if (sw === undefined || broken.has(sw.id)) continue;
      const beyond = dir === 'bullish' ? at(i).close > sw.level : at(i).close < sw.level;
      if (!beyond) continue;
      broken.add(sw.id);
      const kind = trend === null || trend === dir ? 'bos' : 'choch';
      trend = dir;
      const brk = ev(i, dir === 'bullish' ? 4 : 6, kind, dir, at(i).openTime, { level: sw.level, refs: [sw.id] });
      let origin = sw.s;
      for (let j = sw.s; j <= i; j++) {
        if (dir === 'bullish' ? at(j).low <= at(origin).low : at(j).high >= at(origin).high) origin = j;
      }
      let ob = -1;
      for (let j = origin; j >= sw.s; j--) {
        if (dir === 'bullish' ? at(j).close < at(j).open : at(j).close > at(j).open) {
          ob = j;
          break;
        }
      }
      if (ob < 0) continue;
      if (blocks.some((b) => b.dir === dir && b.candle === ob && b.mitigated > i)) continue;
      const block: Block = { dir, candle: ob, top: at(ob).high, bottom: at(ob).low, conf: i, mitigated: Infinity };
      const obEvent = ev(i, dir === 'bullish' ? 5 : 7, 'order_block', dir, at(ob).openTime, { top: block.top, bottom: block.bottom, refs: [brk.id, sw.id] });
      for (let j = i + 1; j < n; j++) {
        if (dir === 'bullish' ? at(j).low <= block.top : at(j).high >= block.bottom) {
          block.mitigated = j;
          ev(j, 0, 'order_block_mitigated', dir, at(j).openTime, {
            level: dir === 'bullish' ? at(j).low : at(j).high,
            top: block.top,
            bottom: block.bottom,
            refs: [obEvent.id],
            anchor: at(ob).openTime,
          });
          break;
        }
      }
      blocks.push(block);
    }
  }

  // Fair-value gaps and their fills (wicks; partial fills each time deeper, then full).
  for (let i = 2; i < n; i++) {
    const c1 = at(i - 2);
    const c3 = at(i);
    let dir: Dir;
    let top: number;
    let bottom: number;
    if (c1.high < c3.low) [dir, top, bottom] = ['bullish', c3.low, c1.high];
    else if (c1.low > c3.high) [dir, top, bottom] = ['bearish', c1.low, c3.high];
    else continue;
    const formed = at(i - 1).openTime;
    const gap = ev(i, 10, 'fvg', dir, formed, { top, bottom });
    let reached = dir === 'bullish' ? top : bottom;
    for (let j = i + 1; j < n; j++) {
      const price = dir === 'bullish' ? at(j).low : at(j).high;
      const full = dir === 'bullish' ? price <= bottom : price >= top;
      if (full) {
        ev(j, 1, 'fvg_filled', dir, at(j).openTime, { level: dir === 'bullish' ? bottom : top, top, bottom, refs: [gap.id], anchor: formed });
        break;
      }
      if (dir === 'bullish' ? price < reached : price > reached) {
        reached = price;
        ev(j, 1, 'fvg_partial_fill', dir, at(j).openTime, { level: price, top, bottom, refs: [gap.id], anchor: formed });
      }
    }
  }

  // Several targets on one candle: oldest target first = creation order of the target.
  const targetOrder = new Map<string, number>();
  for (const k of [...out].sort((a, b) => a.i - b.i || a.rank - b.rank || a.seq - b.seq)) targetOrder.set(k.e.id, targetOrder.size);
  const tieKey = (k: Keyed): number => (k.e.refs.length > 0 && k.rank <= 3 ? (targetOrder.get(k.e.refs[0] as string) ?? 0) : k.seq);
  return out.sort((a, b) => a.i - b.i || a.rank - b.rank || tieKey(a) - tieKey(b)).map((k) => k.e);
}
