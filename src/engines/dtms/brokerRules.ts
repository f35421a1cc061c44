/**
 * The part of the DTMS and exits configs a symbol's broker rules decide:
 * price decimals, volume step and minimum, and the minimum distance of a
 * stop from the price (the broker's stops level). One function, so the
 * trading desk's defaults and the versioned parameters' configs agree.
 */
import type { SymbolRules } from '../../core/index.js';

/** Config fields set from a symbol's broker rules (DTMS and exits have all four). */
export type RulesConfig = Readonly<{ priceDigits: number; volumeStep: number; volumeMin: number; minStopDistance: number }>;

/**
 * The broker's minimum distance of a stop from the price, in price units:
 * `stopsLevel` x `point`, rounded to two decimals past the symbol's digits
 * (as the paper venue checks it), so 20000 x 0.01 is exactly 200.
 */
export function brokerStopDistance(rules: SymbolRules): number {
  return Number((rules.stopsLevel * rules.point).toFixed(rules.digits + 2));
}

/**
 * The config fields a symbol's rules set: its digits, volume step and
 * minimum, and a minimum stop distance of the broker's stops level, never
 * below `configuredMinStop` (the config's own value, e.g. its default).
 */
export function rulesConfig(rules: SymbolRules, configuredMinStop: number): RulesConfig {
  return {
    priceDigits: rules.digits,
    volumeStep: rules.volumeStep,
    volumeMin: rules.volumeMin,
    minStopDistance: Math.max(configuredMinStop, brokerStopDistance(rules)),
  };
}
