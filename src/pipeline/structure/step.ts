import { DataIntegrityError } from '../../core/errors.js';
import type { Candle } from '../../core/types/Candle.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import { detectBreaks } from './breaks.js';
import { closeTimeOf, structureConfig } from './events.js';
import { confirmSwings } from './swings.js';
import { sweepLiquidity } from './sweeps.js';
import type { ActiveZone, StructureConfig, StructureEvent, StructureOptions, StructureState, StructureStep } from './types.js';
import { detectGap, fillGaps, mitigateOrderBlocks, openZone, pushBounded } from './zones.js';

/** The state of a detector that has seen no candle yet. */
export function initialStructureState(config: StructureConfig): StructureState {
  return {
    config,
    count: 0,
    window: [],
    trend: null,
    swingHigh: null,
    swingLow: null,
    liquidityHighs: [],
    liquidityLows: [],
    orderBlocks: [],
    gaps: [],
  };
}

/** Candles a window keeps: a whole fractal (left + swing + right), at least 3 (a three-candle gap) since both sides are >= 1. */
export function windowSize(config: StructureConfig): number {
  return config.leftBars + config.rightBars + 1;
}

/**
 * Checks that `candle` may follow the state's last closed candle: same symbol
 * and timeframe as the config, finite prices with low <= open, close <= high,
 * and an open time strictly after the last closed candle's (history is never
 * amended).
 * @throws DataIntegrityError naming what is wrong.
 */
export function checkNextCandle(state: StructureState, candle: Candle): void {
  const { symbol, timeframe } = state.config;
  if (candle.symbol !== symbol || candle.timeframe !== timeframe) {
    throw new DataIntegrityError(`structure ${symbol} ${timeframe} got a ${candle.symbol} ${candle.timeframe} candle`);
  }
  const { open, high, low, close } = candle;
  const finite = Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close);
  if (!finite || low > open || low > close || high < open || high < close) {
    throw new DataIntegrityError(`structure ${symbol} ${timeframe}: inconsistent candle at ${candle.openTime} (O ${open} H ${high} L ${low} C ${close})`);
  }
  const last = state.window[state.window.length - 1];
  if (last !== undefined && candle.openTime <= last.openTime) {
    throw new DataIntegrityError(
      `structure ${symbol} ${timeframe}: candle at ${candle.openTime} does not follow the last closed one at ${last.openTime}`,
    );
  }
}

/**
 * Advances the structure by one candle taken as closed, without checking its
 * `closed` flag (the detector uses it to preview the open candle). Everything
 * it emits is confirmed by this candle's close: `confirmedAt` = its close time.
 * Order of work and of the returned events: order-block mitigations, gap
 * fills, liquidity sweeps (all against what was confirmed before this candle),
 * then breaks with their order blocks, then newly confirmed swings (high, then
 * low), then a new fair-value gap.
 */
export function advanceStructure(state: StructureState, candle: Candle): StructureStep {
  checkNextCandle(state, candle);
  const { config } = state;
  const at = closeTimeOf(config, candle);
  const mitigated = mitigateOrderBlocks(config, state.orderBlocks, candle, at);
  const filled = fillGaps(config, state.gaps, candle, at);
  const highs = sweepLiquidity(config, state.liquidityHighs, candle, at);
  const lows = sweepLiquidity(config, state.liquidityLows, candle, at);
  const breaks = detectBreaks(config, state.swingHigh, state.swingLow, state.trend, mitigated.zones, candle, at);

  const size = windowSize(config);
  const window = state.window.slice(state.window.length < size ? 0 : 1);
  window.push(candle);
  const swings = confirmSwings(config, window, at);
  const gap = detectGap(config, window, at);

  const events: StructureEvent[] = [];
  for (const part of [mitigated.events, filled.events, highs.events, lows.events, breaks.events]) for (const e of part) events.push(e);
  if (swings.high !== null) events.push(swings.high.event);
  if (swings.low !== null) events.push(swings.low.event);
  if (gap !== null) events.push(gap);

  const newBlocks: ActiveZone[] = breaks.orderBlocks.map(openZone);
  const next: StructureState = {
    config,
    count: state.count + 1,
    window,
    trend: breaks.trend,
    swingHigh: swings.high ?? breaks.swingHigh,
    swingLow: swings.low ?? breaks.swingLow,
    liquidityHighs: swings.high === null ? highs.levels : pushBounded(highs.levels, [swings.high.event], config.maxLiquidityLevels),
    liquidityLows: swings.low === null ? lows.levels : pushBounded(lows.levels, [swings.low.event], config.maxLiquidityLevels),
    orderBlocks: pushBounded(mitigated.zones, newBlocks, config.maxActiveZones),
    gaps: gap === null ? filled.zones : pushBounded(filled.zones, [openZone(gap)], config.maxActiveZones),
  };
  return { state: next, events };
}

/**
 * The pure structure step `(state, closed candle) -> {state, events}`: the
 * events are exactly those the candle's close confirmed; the input state is
 * not modified, so a caller can keep it to compare or replay.
 * @throws DataIntegrityError when the candle is not closed, belongs to another
 *   series, is inconsistent, or does not follow the last closed candle.
 */
export function stepStructure(state: StructureState, candle: Candle): StructureStep {
  if (!candle.closed) {
    throw new DataIntegrityError(`structure ${state.config.symbol} ${state.config.timeframe}: candle at ${candle.openTime} is not closed`);
  }
  return advanceStructure(state, candle);
}

/**
 * Every event a series of closed candles confirms, oldest first (by
 * `confirmedAt`, then in step order): the batch form of `stepStructure`.
 */
export function detectStructure(
  candles: readonly Candle[],
  symbol: string,
  timeframe: Timeframe,
  options: Partial<StructureOptions> = {},
): StructureEvent[] {
  let state = initialStructureState(structureConfig(symbol, timeframe, options));
  const out: StructureEvent[] = [];
  for (const candle of candles) {
    const step = stepStructure(state, candle);
    state = step.state;
    for (const e of step.events) out.push(e);
  }
  return out;
}
