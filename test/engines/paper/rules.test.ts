import { describe, expect, it } from 'vitest';
import { positionProfit, roundTo, stepDecimals, stopsProblem, volumeProblem } from '../../../src/engines/paper/index.js';
import { BTC_RULES } from './harness.js';

describe('paper venue rules', () => {
  it('reads the decimals of a step and rounds without -0', () => {
    expect([stepDecimals(1), stepDecimals(0.01), stepDecimals(0.5), stepDecimals(1e-7)]).toEqual([0, 2, 1, 7]);
    expect(Object.is(roundTo(-0.001, 2), 0)).toBe(true);
    expect(roundTo(27981.3 - 0.1, 2)).toBe(27981.2);
  });

  it('accepts volumes that are float-noisy multiples of the step', () => {
    for (const v of [0.1, 0.07 * 10, 0.29, 1.13, 4.99, 5]) expect(volumeProblem(v, BTC_RULES)).toBeNull();
    expect(volumeProblem(Number.NaN, BTC_RULES)).toBe('volume NaN is not positive');
  });

  it('measures stop distance from the closing side of the quote', () => {
    const quote = { bid: 27981.3, ask: 27981.4, tsEvent: 0, tradesOnly: false, halfSpread: 0 };
    expect(stopsProblem('buy', 27980.3, 27982.3, quote, BTC_RULES)).toBeNull();
    expect(stopsProblem('sell', 27982.4, 27980.4, quote, BTC_RULES)).toBeNull();
    expect(stopsProblem('sell', 27982.39, null, quote, BTC_RULES)).toContain('closer than the stop level');
    expect(positionProfit('sell', 27981.3, 2, quote, BTC_RULES)).toBeCloseTo(-0.2, 9);
  });
});
