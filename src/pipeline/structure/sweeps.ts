import type { Candle } from '../../core/types/Candle.js';
import { NO_EVENTS, makeEvent } from './events.js';
import type { StructureConfig, StructureEvent } from './types.js';

/** Liquidity levels still resting after one candle, and the sweeps it made. */
export type SweepOutcome = Readonly<{ levels: readonly StructureEvent[]; events: readonly StructureEvent[] }>;

/**
 * Liquidity sweeps of resting swing levels by one closed candle. The levels
 * are confirmed swings (confirmed before this candle) that were neither swept
 * nor closed beyond yet. For a swing high at `level`: the candle sweeps it
 * when its high is strictly above the level and its close is at or below it
 * (a wick beyond, a close back inside): a `bearish` `liquidity_sweep` with
 * `level` = the swing level, zone `bottom` = level, `top` = the candle's high,
 * `formedAt`/`confirmedAt` = the candle's open/close time, `refs` = [swing id].
 * A close strictly above the level takes it without a sweep. Either way the
 * level stops resting. Swing lows mirror this (`bullish`, zone [low, level]).
 * One candle can sweep several levels: one event each, oldest level first.
 */
export function sweepLiquidity(
  config: StructureConfig,
  levels: readonly StructureEvent[],
  candle: Candle,
  confirmedAt: number,
): SweepOutcome {
  let events: StructureEvent[] | null = null;
  let kept: StructureEvent[] | null = null;
  for (let i = 0; i < levels.length; i++) {
    const swing = levels[i] as StructureEvent;
    const level = swing.level as number;
    const isHigh = swing.kind === 'swing_high';
    const beyond = isHigh ? candle.high > level : candle.low < level;
    if (!beyond) {
      kept?.push(swing);
      continue;
    }
    kept ??= levels.slice(0, i);
    const closedInside = isHigh ? candle.close <= level : candle.close >= level;
    if (!closedInside) continue;
    events ??= [];
    events.push(
      makeEvent(config, {
        kind: 'liquidity_sweep',
        direction: isHigh ? 'bearish' : 'bullish',
        level,
        top: isHigh ? candle.high : level,
        bottom: isHigh ? level : candle.low,
        formedAt: candle.openTime,
        confirmedAt,
        refs: [swing.id],
        anchor: swing.formedAt,
      }),
    );
  }
  return { levels: kept ?? levels, events: events ?? NO_EVENTS };
}
