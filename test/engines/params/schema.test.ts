/**
 * The parameter schema: version 1 is the engines' own defaults, the engine
 * hook builds exactly the configs the trading desk builds for a symbol, and
 * an invalid set is refused with every reason.
 */
import { describe, expect, it } from 'vitest';
import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import { exitsConfig } from '../../../src/engines/exits/index.js';
import { DEFAULT_PAPER_RULES } from '../../../src/engines/paper/index.js';
import { DEFAULT_BLACKOUT, DEFAULT_EQUITY_GUARD, DEFAULT_EVENT_FILTER, DEFAULT_GATING } from '../../../src/engines/risk/index.js';
import { DEFAULT_PARAMETER_SET, engineConfigs, liveEngineConfigs, mergeParameters, parseParameterSet, type ParameterSet } from '../../../src/engines/params/index.js';

describe('parameter set', () => {
  it('defaults give the configs the trading desk builds per symbol', () => {
    const c = engineConfigs(DEFAULT_PARAMETER_SET, DEFAULT_PAPER_RULES);
    expect(c.dtmsFor('BTCUSD')).toEqual(dtmsConfig({ priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01 }));
    expect(c.dtmsFor('GBPJPY')).toEqual(dtmsConfig({ priceDigits: 3, volumeStep: 0.01, volumeMin: 0.01 }));
    expect(c.exitsFor('XAUUSD')).toEqual(exitsConfig({ priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01 }));
    expect(c.dtmsFor('EURUSD')).toEqual(dtmsConfig());
    expect(c.risk).toEqual({ equity: DEFAULT_EQUITY_GUARD, blackout: DEFAULT_BLACKOUT, eventFilter: DEFAULT_EVENT_FILTER, gating: DEFAULT_GATING });
    expect(parseParameterSet(DEFAULT_PARAMETER_SET)).toEqual({ ok: true, params: DEFAULT_PARAMETER_SET });
  });

  it('a change merges key by key, arrays replace', () => {
    const merged = mergeParameters(DEFAULT_PARAMETER_SET, { dtms: { breakevenR: 1.5, partialTargetsR: [2, 3] }, risk: { equity: { maxDrawdown: 0.02 } } }) as ParameterSet;
    expect(merged.dtms.breakevenR).toBe(1.5);
    expect(merged.dtms.partialTargetsR).toEqual([2, 3]);
    expect(merged.dtms.atrTrailK).toBe(2);
    expect(merged.risk.equity).toEqual({ maxDrawdown: 0.02, sessionStartMinuteUtc: 0 });
    expect(DEFAULT_PARAMETER_SET.dtms.breakevenR).toBe(1);
  });

  it('an invalid set is refused with every reason', () => {
    const bad = mergeParameters(DEFAULT_PARAMETER_SET, {
      dtms: { breakevenR: -1, foo: 1, partialTargetsR: [3, 2] },
      exits: { partialPlan: [{ r: 1, fraction: 0.8 }, { r: 2, fraction: 0.5 }] },
      risk: { gating: { pausedStates: ['sleepy'] } },
      bar: {},
    });
    expect(parseParameterSet(bad)).toEqual({
      ok: false,
      reasons: [
        'dtms.breakevenR: Too small: expected number to be >=0.1',
        'dtms.partialTargetsR: must be strictly ascending',
        'dtms: Unrecognized key: "foo"',
        'dtms.breakevenBufferR: breakevenBufferR must be below breakevenR (the breakeven stop would be beyond the price that triggers it)',
        'exits.partialPlan: fractions must add up to at most 1',
        'risk.gating.pausedStates.0: Invalid option: expected one of "calm"|"normal"|"expanding"|"extreme"',
        '(root): Unrecognized key: "bar"',
      ],
    });
  });

  it('live configs follow the version in effect', () => {
    let current = { version: 1, params: DEFAULT_PARAMETER_SET };
    const live = liveEngineConfigs(() => current, DEFAULT_PAPER_RULES);
    expect(live.dtmsFor('BTCUSD').breakevenR).toBe(1);
    const first = live.dtmsFor('BTCUSD');
    expect(live.dtmsFor('BTCUSD')).toBe(first);
    current = { version: 2, params: mergeParameters(DEFAULT_PARAMETER_SET, { dtms: { breakevenR: 1.5 }, risk: { equity: { maxDrawdown: 0.02 } } }) as ParameterSet };
    expect(live.dtmsFor('BTCUSD')).toEqual(dtmsConfig({ breakevenR: 1.5, priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01 }));
    expect(live.risk().equity).toEqual({ maxDrawdown: 0.02, sessionStartMinuteUtc: 0 });
    expect(live.version()).toBe(2);
  });
});
