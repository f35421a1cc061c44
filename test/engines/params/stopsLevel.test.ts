/**
 * The broker's stops level in the engine configs built from versioned
 * parameters, on the recorded BTCUSDT M5 candles of 2024-03-14 (the dry-run
 * harness): DTMS and exits get `minStopDistance` = stopsLevel x point, so a
 * trailing stop inside the broker's minimum distance is declined instead of
 * proposed (before, the dry run with a 200 USD stops level reported 8 such
 * DTMS stops, the first the trail 71270.12 at the price 71395.99).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SymbolRules } from '../../../src/core/index.js';
import { brokerStopDistance, rulesConfig } from '../../../src/engines/dtms/index.js';
import { DEFAULT_PARAMETER_SET, dryRun, dtmsConfigOf, engineConfigs, exitsConfigOf } from '../../../src/engines/params/index.js';
import { DEFAULT_PAPER_RULES } from '../../../src/engines/paper/index.js';
import { bars, march2024, replay, toM5 } from '../dtms/replay.js';
import { replayExits } from '../exits/run.js';
import { recordedStore } from './harness.js';

const rec = recordedStore();
afterAll(() => rec.cleanup());
const candles = (symbol: string, limit: number) => rec.store.candles.queryCandles({ symbol, timeframe: 'M5', limit, order: 'desc' });

/** BTCUSD paper rules (0.01 point, 2 digits) with the given stops level, in points. */
const btc = (stopsLevel: number): SymbolRules => ({ ...DEFAULT_PAPER_RULES.BTCUSD!, stopsLevel });
const withBtc = (stopsLevel: number) => ({ ...DEFAULT_PAPER_RULES, BTCUSD: btc(stopsLevel) });
const at = (h: number, m: number): number => Date.UTC(2024, 2, 14, h, m, 59, 999);

describe('minimum stop distance from the broker rules', () => {
  it('is stopsLevel x point, rounded past the digits, and never below the configured value', () => {
    expect(brokerStopDistance(btc(200))).toBe(2);
    expect(brokerStopDistance(btc(20_000))).toBe(200);
    // 3 x 0.1 is 0.30000000000000004 in binary floating point.
    expect(brokerStopDistance({ ...btc(3), point: 0.1, digits: 1 })).toBe(0.3);
    expect(rulesConfig(btc(20_000), 0)).toEqual({ priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01, minStopDistance: 200 });
    expect(rulesConfig(btc(200), 5).minStopDistance).toBe(5);
    expect(rulesConfig(btc(0), 0).minStopDistance).toBe(0);
  });

  it('DTMS and exits configs of a parameter set carry it per symbol; no rules = the default 0', () => {
    expect(dtmsConfigOf(DEFAULT_PARAMETER_SET, btc(20_000)).minStopDistance).toBe(200);
    expect(exitsConfigOf(DEFAULT_PARAMETER_SET, btc(20_000)).minStopDistance).toBe(200);
    expect(dtmsConfigOf(DEFAULT_PARAMETER_SET, undefined).minStopDistance).toBe(0);
    expect(exitsConfigOf(DEFAULT_PARAMETER_SET, undefined).minStopDistance).toBe(0);
    const configs = engineConfigs(DEFAULT_PARAMETER_SET, withBtc(20_000));
    expect(configs.dtmsFor('BTCUSD')).toMatchObject({ minStopDistance: 200, priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01 });
    expect(configs.exitsFor('BTCUSD').minStopDistance).toBe(200);
    expect(configs.dtmsFor('XAUUSD').minStopDistance).toBe(0);
  });
});

describe('dry run with a broker stops level', () => {
  const btcRow = (dtmsActions: number, exitsActions: number) => ({
    symbol: 'BTCUSD',
    bars: 72,
    from: Date.UTC(2024, 2, 14, 18),
    to: Date.UTC(2024, 2, 14, 23, 55),
    positions: 24,
    dtmsActions,
    exitsActions,
    skipped: null,
  });

  it('200 points (2 USD): no stops-level issue, the same actions as without one', () => {
    expect(dryRun(DEFAULT_PARAMETER_SET, ['BTCUSD'], withBtc(200), candles)).toEqual({ ok: true, symbols: [btcRow(57, 63)], issues: [] });
  });

  it('20000 points (200 USD): no issue; the 3 DTMS stops that were too close are declined instead of proposed', () => {
    expect(dryRun(DEFAULT_PARAMETER_SET, ['BTCUSD'], withBtc(20_000), candles)).toEqual({ ok: true, symbols: [btcRow(54, 63)], issues: [] });
  });

  it('50000 points (500 USD): no issue from DTMS nor from exits (which now has the minimum too)', () => {
    expect(dryRun(DEFAULT_PARAMETER_SET, ['BTCUSD'], withBtc(50_000), candles)).toEqual({ ok: true, symbols: [btcRow(38, 58)], issues: [] });
  });
});

describe('trailing stops keep the broker distance (the dry run\'s buy opened 19:34:59.999 at 69048, stop 68429.22)', () => {
  // The dry run's 102 bars (72 + 30 warm-up), ATR(14) and structure as it computes them.
  const all = bars(toM5(march2024([14])).slice(-102), 300_000);
  const open = { ticket: 'dry-buy', symbol: 'BTCUSD', side: 'buy' as const, openPrice: 69048, openTime: at(19, 34), sl: 68429.22, volume: 1 };
  const priceAt = (t: number): number => all.find((b) => b.closeTime === t)!.candle.close;

  it('DTMS at 200 USD: every stop sent is more than 200 from the price; the trail 71270.12 at 71395.99 (125.87) is declined', () => {
    const config = dtmsConfigOf(DEFAULT_PARAMETER_SET, btc(20_000));
    expect(all.find((b) => b.closeTime === open.openTime)?.candle.close).toBe(69048);
    const before = replay(all, open, { ...config, minStopDistance: 0 });
    const now = replay(all, open, config);
    const stops = (r: typeof now) => r.actions.filter((a) => a.kind === 'modify_sl').map((a) => [a.at, a.value]);
    // Without the minimum (the defect): sent 125.87 and 187.26 from the price.
    expect(stops(before)).toContainEqual([at(22, 44), 71270.12]);
    expect(stops(before)).toContainEqual([at(22, 59), 71351.94]);
    for (const [t, v] of stops(now)) expect(priceAt(t!) - v!).toBeGreaterThan(200);
    expect(stops(now).slice(-4)).toEqual([
      [at(22, 29), 71035.3],
      [at(22, 49), 71270.22],
      [at(23, 14), 71379.28],
      [at(23, 39), 71477.8],
    ]);
    const tooClose = now.considered.filter((c) => c.reason === 'stop would be too close to (or beyond) the price');
    expect(tooClose.map((c) => [c.at, c.value])).toEqual([
      [at(22, 44), 71270.12],
      [at(22, 59), 71351.94],
      [at(23, 4), 71352.5],
      [at(23, 9), 71353.06],
      [at(23, 19), 71379.71],
      [at(23, 24), 71380.69],
      [at(23, 29), 71381.41],
      [at(23, 44), 71478.4],
    ]);
  });

  it('exits at 500 USD: the vol_trail 71243.34 at 71705.2 (461.86) is declined; every stop sent is more than 500 away', () => {
    const config = exitsConfigOf(DEFAULT_PARAMETER_SET, btc(50_000));
    const regime = () => ({ state: null, vix: null });
    const before = replayExits(all, open, { ...config, minStopDistance: 0 }, regime);
    const now = replayExits(all, open, config, regime);
    const stops = (r: typeof now) => r.actions.filter((a) => a.kind === 'modify_sl').map((a) => [a.at, a.value]);
    expect(stops(before).at(-1)).toEqual([at(23, 39), 71243.34]);
    expect(stops(now)).toEqual(stops(before).slice(0, -1));
    for (const [t, v] of stops(now)) expect(priceAt(t!) - v!).toBeGreaterThan(500);
    const declined = now.considered.filter((c) => c.rule === 'vol_trail' && c.reason.includes('minimum stop distance'));
    expect(declined.map((c) => [c.at, c.value, c.reason])).toEqual([[at(23, 39), 71243.34, 'trail stop would be within the minimum stop distance 500 of the price']]);
  });
});
