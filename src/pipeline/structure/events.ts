import { ConfigError } from '../../core/errors.js';
import { candleCloseTime } from '../../core/types/Candle.js';
import type { Candle } from '../../core/types/Candle.js';
import { TIMEFRAME_MS, isTimeframe } from '../../core/types/Timeframe.js';
import type { Timeframe } from '../../core/types/Timeframe.js';
import type { StructureConfig, StructureDirection, StructureEvent, StructureEventKind, StructureOptions } from './types.js';

/** The shared empty event list (frozen), returned when a step part found nothing. */
export const NO_EVENTS: readonly StructureEvent[] = Object.freeze([]);

/** Default detector tuning: 2/2 fractals, 50 liquidity levels per side, 100 active zones per kind. */
export const DEFAULT_STRUCTURE_OPTIONS: StructureOptions = Object.freeze({
  leftBars: 2,
  rightBars: 2,
  maxLiquidityLevels: 50,
  maxActiveZones: 100,
});

/**
 * Builds a complete, validated config for one symbol and timeframe, filling
 * the options not given with the defaults.
 * @throws ConfigError listing every invalid field.
 */
export function structureConfig(symbol: string, timeframe: Timeframe, options: Partial<StructureOptions> = {}): StructureConfig {
  const config: StructureConfig = Object.freeze({ ...DEFAULT_STRUCTURE_OPTIONS, ...options, symbol, timeframe });
  const issues: string[] = [];
  if (typeof symbol !== 'string' || symbol.trim() === '') issues.push('symbol must be a non-empty string');
  if (!isTimeframe(timeframe)) issues.push(`unknown timeframe ${String(timeframe)}`);
  const positive = (name: keyof StructureOptions): void => {
    const v = config[name];
    if (!Number.isInteger(v) || v < 1) issues.push(`${name} must be an integer >= 1, got ${String(v)}`);
  };
  positive('leftBars');
  positive('rightBars');
  positive('maxLiquidityLevels');
  positive('maxActiveZones');
  if (issues.length > 0) throw new ConfigError(`invalid structure config: ${issues.join('; ')}`, issues);
  return config;
}

/** Close time (inclusive epoch ms) of a candle of the config's timeframe: the `confirmedAt` of what it confirms. */
export function closeTimeOf(config: StructureConfig, candle: Candle): number {
  return candleCloseTime(candle.openTime, TIMEFRAME_MS[config.timeframe]);
}

/**
 * The deterministic event id: `symbol:timeframe:kind:direction:formedAt:confirmedAt`
 * and, when given, `:anchor` (the `formedAt` of the swing or zone the event is
 * about). The same history always gives the same ids.
 */
export function structureEventId(
  config: StructureConfig,
  kind: StructureEventKind,
  direction: StructureDirection,
  formedAt: number,
  confirmedAt: number,
  anchor?: number,
): string {
  const base = `${config.symbol}:${config.timeframe}:${kind}:${direction}:${formedAt}:${confirmedAt}`;
  return anchor === undefined ? base : `${base}:${anchor}`;
}

/** The parts of an event that vary by kind; the rest comes from the config and the id rule. */
export type EventFields = Readonly<{
  kind: StructureEventKind;
  direction: StructureDirection;
  level?: number;
  top?: number;
  bottom?: number;
  formedAt: number;
  confirmedAt: number;
  refs?: readonly string[];
  anchor?: number;
}>;

const NO_REFS: readonly string[] = Object.freeze([]);

/** Creates a frozen event with its deterministic id; absent price fields become null. */
export function makeEvent(config: StructureConfig, f: EventFields): StructureEvent {
  return Object.freeze({
    id: structureEventId(config, f.kind, f.direction, f.formedAt, f.confirmedAt, f.anchor),
    kind: f.kind,
    direction: f.direction,
    symbol: config.symbol,
    timeframe: config.timeframe,
    level: f.level ?? null,
    top: f.top ?? null,
    bottom: f.bottom ?? null,
    formedAt: f.formedAt,
    confirmedAt: f.confirmedAt,
    refs: f.refs === undefined || f.refs.length === 0 ? NO_REFS : Object.freeze([...f.refs]),
  });
}

/** True for a candle that closed above its open (a green candle). */
export function isBullishCandle(c: Candle): boolean {
  return c.close > c.open;
}

/** True for a candle that closed below its open (a red candle). */
export function isBearishCandle(c: Candle): boolean {
  return c.close < c.open;
}
