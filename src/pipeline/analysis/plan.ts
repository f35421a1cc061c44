import type { StructureEvent } from '../structure/types.js';
import { directionOf, ENTRY_TIMEFRAMES, LEVELS_PER_KIND, MAX_ENTRY_ZONES, MAX_TARGETS, OVERALL_BIAS_THRESHOLD, round4, TIMEFRAME_WEIGHTS } from './rules.js';
import type { TimeframeWork } from './timeframe.js';
import { fmt } from './timeframe.js';
import { compareLevels, compareZones, nearest, swingLevel, vwapLevel, zoneLevel } from './zones.js';
import type { AnalysedTimeframe, AnalysisPlan, Bias, Invalidation, KeyLevel, MapRow } from './types.js';

/** Timeframes from the highest to the lowest: the order of the map and of every top-down search. */
export const TOP_DOWN: readonly AnalysedTimeframe[] = ['H4', 'H1', 'M15', 'M5', 'M1'];

/** The overall bias: weighted mean of the ready timeframes' scores, and the share of weight agreeing with it. */
export type OverallBias = Readonly<{ bias: Bias; score: number; agreement: number; anchor: AnalysedTimeframe | null }>;

/**
 * Overall bias = sum(w_tf * score_tf) / sum(w_tf) over the timeframes with
 * enough bars (weights `TIMEFRAME_WEIGHTS`); bullish at >= 0.2, bearish at
 * <= -0.2, else neutral; 0 and neutral when no timeframe is ready.
 * `agreement` = the ready weight whose timeframe bias equals the overall bias,
 * over the ready weight. `anchor` = the highest timeframe whose own bias
 * equals a non-neutral overall bias.
 */
export function overallBias(works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>): OverallBias {
  let sum = 0;
  let weight = 0;
  for (const tf of TOP_DOWN) {
    const w = works.get(tf);
    if (!w?.ready || w.out.bias.score === null) continue;
    sum += TIMEFRAME_WEIGHTS[tf] * w.out.bias.score;
    weight += TIMEFRAME_WEIGHTS[tf];
  }
  if (weight === 0) return { bias: 'neutral', score: 0, agreement: 0, anchor: null };
  const score = round4(sum / weight);
  const bias = directionOf(score, OVERALL_BIAS_THRESHOLD);
  let agreeing = 0;
  let anchor: AnalysedTimeframe | null = null;
  for (const tf of TOP_DOWN) {
    const w = works.get(tf);
    if (!w?.ready || w.out.bias.direction !== bias) continue;
    agreeing += TIMEFRAME_WEIGHTS[tf];
    if (anchor === null && bias !== 'neutral') anchor = tf;
  }
  return { bias, score, agreement: round4(agreeing / weight), anchor };
}

/** The multi-timeframe map, highest timeframe first. */
export function mapRows(works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>): MapRow[] {
  return TOP_DOWN.flatMap((tf) => {
    const w = works.get(tf);
    if (!w) return [];
    const o = w.out;
    return [{ timeframe: tf, weight: TIMEFRAME_WEIGHTS[tf], bias: o.bias.direction, score: o.bias.score, trend: o.structure.trend, volatility: o.volatility }];
  });
}

/**
 * Key levels, nearest to price first (`compareLevels`): per timeframe the
 * `LEVELS_PER_KIND` nearest untaken swing highs, untaken swing lows (resting
 * liquidity: confirmed swings not yet swept nor closed beyond), unmitigated
 * order blocks and unfilled fair-value gaps, plus the session VWAP.
 */
export function keyLevels(works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>, price: number): KeyLevel[] {
  const out: KeyLevel[] = [];
  for (const tf of TOP_DOWN) {
    const w = works.get(tf);
    if (!w?.state) continue;
    const swings = (list: readonly StructureEvent[]) => nearest(list.map((s) => swingLevel(tf, s, price)), LEVELS_PER_KIND, compareLevels);
    out.push(...swings(w.state.liquidityHighs), ...swings(w.state.liquidityLows));
    for (const kind of ['order_block', 'fvg'] as const) {
      out.push(...nearest(w.zones.filter((z) => z.kind === kind), LEVELS_PER_KIND, compareZones).map((z) => zoneLevel(z, price)));
    }
    if (w.out.vwap !== null) out.push(vwapLevel(tf, w.out.vwap, price));
  }
  return out.sort(compareLevels);
}

/**
 * Invalidation of a directional bias: searching from the anchor timeframe
 * down, the first structure swing low below the price (bullish bias) or swing
 * high above it (bearish): a close beyond it would be a break of that
 * timeframe's structure against the bias. Null when neutral or none found.
 */
export function invalidationOf(works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>, overall: OverallBias, price: number): Invalidation | null {
  if (overall.bias === 'neutral' || overall.anchor === null) return null;
  const from = TOP_DOWN.indexOf(overall.anchor);
  for (const tf of TOP_DOWN.slice(from)) {
    const s = works.get(tf)?.state;
    const swing = overall.bias === 'bullish' ? s?.swingLow : s?.swingHigh;
    const level = swing?.event.level;
    if (level === undefined || level === null) continue;
    if (overall.bias === 'bullish' ? level < price : level > price) {
      const side = overall.bias === 'bullish' ? 'below' : 'above';
      return {
        price: level,
        timeframe: tf,
        kind: overall.bias === 'bullish' ? 'swing_low' : 'swing_high',
        rule: `a ${tf} close ${side} ${fmt(level)} (the ${tf} structure swing ${overall.bias === 'bullish' ? 'low' : 'high'}) breaks structure against the ${overall.bias} bias`,
      };
    }
  }
  return null;
}

/**
 * The plan: entry zones = unmitigated order blocks and unfilled gaps of the
 * entry timeframes (H1, M15) in the bias direction, on the pullback side of the
 * price (at or below it for a bullish bias: zone not above the price; mirror
 * for bearish) and on the valid side of the invalidation level (a bullish
 * zone's bottom at or above the invalidation price: the order block that made
 * the swing low counts), nearest first, at most
 * `MAX_ENTRY_ZONES` (the rest counted). Targets = untaken swing highs above the
 * price (bullish) or swing lows below it (bearish) on every timeframe, nearest
 * first. Analysis only: no order is ever derived from it.
 */
export function buildPlan(
  symbol: string,
  works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>,
  overall: OverallBias,
  price: number,
): AnalysisPlan {
  const invalidation = invalidationOf(works, overall, price);
  const bullish = overall.bias === 'bullish';
  const zones =
    overall.bias === 'neutral'
      ? []
      : ENTRY_TIMEFRAMES.flatMap((tf) => works.get(tf)?.zones ?? [])
          .filter((z) => z.direction === overall.bias && z.side !== (bullish ? 'above' : 'below'))
          .filter((z) => invalidation === null || (bullish ? z.bottom >= invalidation.price : z.top <= invalidation.price))
          .sort(compareZones);
  const entryZones = zones.slice(0, MAX_ENTRY_ZONES);
  const targets: KeyLevel[] = [];
  if (overall.bias !== 'neutral') {
    for (const tf of TOP_DOWN) {
      const s = works.get(tf)?.state;
      if (!s) continue;
      const list = bullish ? s.liquidityHighs : s.liquidityLows;
      for (const swing of list) {
        const level = swingLevel(tf, swing, price);
        if (level.side === (bullish ? 'above' : 'below')) targets.push(level);
      }
    }
  }
  targets.sort(compareLevels);
  const summary = summaryOf(symbol, works, overall, invalidation, entryZones.length);
  return {
    bias: overall.bias,
    score: overall.score,
    agreement: overall.agreement,
    anchorTimeframe: overall.anchor,
    invalidation,
    entryZones,
    entryZonesOmitted: zones.length - entryZones.length,
    targets: targets.slice(0, MAX_TARGETS),
    summary,
    note: 'Analysis only, not an order: zones where entries would be considered, and the level that would invalidate the reading.',
  };
}

function summaryOf(
  symbol: string,
  works: ReadonlyMap<AnalysedTimeframe, TimeframeWork>,
  overall: OverallBias,
  invalidation: Invalidation | null,
  zones: number,
): string {
  const rows = TOP_DOWN.filter((tf) => works.get(tf)?.ready).map((tf) => `${tf} ${works.get(tf)?.out.bias.direction}`);
  const head = `${symbol} ${overall.bias} (score ${overall.score}, agreement ${overall.agreement})`;
  const map = rows.length > 0 ? `: ${rows.join(', ')}` : ': no timeframe has enough bars';
  if (overall.bias === 'neutral') return `${head}${map}. No directional plan.`;
  const inv = invalidation === null ? 'no invalidation level found' : `invalidation ${fmt(invalidation.price)} (${invalidation.timeframe})`;
  return `${head}${map}. ${inv}; ${zones} entry zone${zones === 1 ? '' : 's'} on ${ENTRY_TIMEFRAMES.join('/')}.`;
}
