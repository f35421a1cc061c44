/**
 * The parameter service over a real SQLite store with recorded BTCUSD
 * candles: version history, validation (schema, dry run), apply with the
 * health check and the automatic rollback, manual rollback to version 1, and
 * the poll that picks up a version written by another process.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import { DEFAULT_PARAMETER_SET, type ParameterVersion } from '../../../src/engines/params/index.js';
import { recordedStore, serviceOn, T0 } from './harness.js';

let rec: ReturnType<typeof recordedStore>;
beforeEach(() => {
  rec = recordedStore();
});
afterEach(() => rec.cleanup());

const DRY_RUN_OK = 'dry run: BTCUSD 24 positions over 72 bars (45 DTMS, 63 exits actions), XAUUSD not checked (no recorded M5 candles), GBPJPY not checked (no recorded M5 candles)';

describe('ParameterService', () => {
  it('writes version 1 = the engine defaults at first start, once', () => {
    const s = serviceOn(rec.store, rec.clock);
    expect(s.current()).toEqual({ version: 1, createdAt: T0, createdBy: 'default', reason: 'engine defaults at first start', params: DEFAULT_PARAMETER_SET, active: true, parent: null, restores: null });
    const again = serviceOn(rec.store, rec.clock);
    expect(again.list(10).map((v) => v.version)).toEqual([1]);
  });

  it('version 1 may carry the server config overrides', () => {
    const s = serviceOn(rec.store, rec.clock, { initial: { risk: { equity: { maxDrawdown: 0.02 } } } });
    expect(s.currentParams().risk.equity.maxDrawdown).toBe(0.02);
    expect(s.current().reason).toBe('engine defaults at first start, with risk.equity.maxDrawdown: 0.03 -> 0.02');
  });

  it('apply: validated, written as version 2, subscribers told, health check passes', async () => {
    const s = serviceOn(rec.store, rec.clock);
    const seen: [number, boolean, number, boolean][] = [];
    s.onChange((cur, prev) => seen.push([cur.version, cur.active, prev.version, prev.active]));
    rec.clock.advance(60_000);
    const v = await s.apply({ dtms: { breakevenR: 1.5 } }, 'approval:R1', 'let winners breathe');
    expect(v).toEqual({
      version: 2,
      createdAt: T0 + 60_000,
      createdBy: 'approval:R1',
      reason: `let winners breathe (dtms.breakevenR: 1 -> 1.5; ${DRY_RUN_OK})`,
      params: { ...DEFAULT_PARAMETER_SET, dtms: { ...DEFAULT_PARAMETER_SET.dtms, breakevenR: 1.5 } },
      active: true,
      parent: 1,
      restores: null,
      applied: 2,
      healthy: true,
      health: [],
    });
    expect(seen).toEqual([[2, true, 1, false]]);
    expect(s.list(10).map((x) => [x.version, x.active, x.parent])).toEqual([
      [2, true, 1],
      [1, false, null],
    ]);
    expect(s.get(1)?.params).toEqual(DEFAULT_PARAMETER_SET);
    expect(s.get(9)).toBeNull();
  });

  it('apply with a base version is refused once another version took effect', async () => {
    const s = serviceOn(rec.store, rec.clock);
    const v = await s.validate({ dtms: { breakevenR: 1.5 } });
    expect(v).toMatchObject({ ok: true, base: 1, summary: `dtms.breakevenR: 1 -> 1.5; ${DRY_RUN_OK}` });
    await s.apply({ exits: { timeStopMinutes: 90 } }, 'approval:R8', 'other change');
    await expect(s.apply({ dtms: { breakevenR: 1.5 } }, 'approval:R9', 'approved earlier', 1)).rejects.toThrow(
      'parameter change refused: it was validated against version 1 but version 2 is now in effect',
    );
    expect((await s.apply({ dtms: { breakevenR: 1.5 } }, 'approval:R9', 'approved now', 2)).version).toBe(3);
  });

  it('an invalid change is refused with its reasons and writes nothing', async () => {
    const s = serviceOn(rec.store, rec.clock);
    expect(await s.validate({ dtms: { breakevenR: 0.05, trailK: 3 } })).toEqual({
      ok: false,
      reasons: ['dtms.breakevenR: Too small: expected number to be >=0.1', 'dtms: Unrecognized key: "trailK"', 'dtms.breakevenBufferR: breakevenBufferR must be below breakevenR (the breakeven stop would be beyond the price that triggers it)'],
    });
    expect(await s.validate({ dtms: { breakevenR: 1 } })).toEqual({ ok: false, reasons: ['the change leaves version 1 as it is'] });
    await expect(s.apply({ risk: { equity: { maxDrawdown: 0.9 } } }, 'approval:R2', 'more room')).rejects.toThrow(
      new InvalidRequestError('parameter change refused: risk.equity.maxDrawdown: Too big: expected number to be <=0.5'),
    );
    expect(s.list(10).map((v) => v.version)).toEqual([1]);
  });

  it('a change that makes a stop invalid is refused by the dry run', async () => {
    const s = serviceOn(rec.store, rec.clock);
    const v = await s.validate({ exits: { atrTrailK: 0, minDistanceAtrK: 0 } });
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.reasons).toHaveLength(8);
    expect(v.reasons[0]).toBe(
      'dry run: exits BTCUSD sell opened 2024-03-14T18:04:59.999Z at 70801.63 (stop 71279.15): at 2024-03-14T18:19:59.999Z: vol_trail stop 70321.11 is not beyond the price 70321.11',
    );
    await expect(s.apply({ exits: { atrTrailK: 0, minDistanceAtrK: 0 } }, 'approval:R3', 'tight')).rejects.toThrow(/^parameter change refused: dry run: exits BTCUSD sell opened/);
    expect(s.current().version).toBe(1);
  });

  it('a failed health check rolls back automatically, writing both versions and saying so', async () => {
    const s = serviceOn(rec.store, rec.clock, {
      healthCheck: (p, version) => (p.dtms.breakevenR > 2 ? { ok: false, reasons: [`version ${version}: breakeven at ${p.dtms.breakevenR}R never triggers on this market`] } : { ok: true, reasons: [] }),
    });
    const seen: number[] = [];
    s.onChange((cur) => seen.push(cur.version));
    const v = await s.apply({ dtms: { breakevenR: 2.5 } }, 'approval:R4', 'later breakeven');
    expect(v).toMatchObject({
      version: 3,
      createdBy: 'auto-rollback',
      reason: 'health check of version 2 failed (version 2: breakeven at 2.5R never triggers on this market): restored version 1',
      params: DEFAULT_PARAMETER_SET,
      active: true,
      parent: 2,
      restores: 1,
      applied: 2,
      healthy: false,
      health: ['version 2: breakeven at 2.5R never triggers on this market'],
    });
    expect(seen).toEqual([2, 3]);
    expect(s.currentParams().dtms.breakevenR).toBe(1);
    expect(s.list(10).map((x) => [x.version, x.createdBy, x.params === undefined ? null : (x.params as typeof DEFAULT_PARAMETER_SET).dtms.breakevenR])).toEqual([
      [3, 'auto-rollback', 1],
      [2, 'approval:R4', 2.5],
      [1, 'default', 1],
    ]);
  });

  it('a throwing health check counts as failed', async () => {
    const s = serviceOn(rec.store, rec.clock, {
      healthCheck: () => {
        throw new Error('engine refused');
      },
    });
    const v = await s.apply({ risk: { blackout: { minutesBefore: 45 } } }, 'cli', 'wider blackout');
    expect(v).toMatchObject({ version: 3, createdBy: 'auto-rollback', restores: 1, healthy: false, health: ['health check threw: engine refused'] });
  });

  it('rollback to version 1 makes it current as a new version', async () => {
    const s = serviceOn(rec.store, rec.clock);
    await s.apply({ dtms: { breakevenR: 1.5 } }, 'approval:R5', 'a');
    await s.apply({ exits: { timeStopMinutes: 240 } }, 'approval:R6', 'b');
    rec.clock.advance(5_000);
    const seen: ParameterVersion[] = [];
    s.onChange((cur) => seen.push(cur));
    const v = await s.rollback(1, 'rollback', 'back to the defaults');
    expect(v).toEqual({ version: 4, createdAt: T0 + 5_000, createdBy: 'rollback', reason: 'back to the defaults', params: DEFAULT_PARAMETER_SET, active: true, parent: 3, restores: 1 });
    expect(seen.map((x) => x.version)).toEqual([4]);
    expect(s.currentParams()).toEqual(DEFAULT_PARAMETER_SET);
    await expect(s.rollback(1, 'rollback', 'again')).rejects.toThrow('the parameters of version 1 are already in effect (version 4)');
    await expect(s.rollback(7, 'rollback', 'x')).rejects.toThrow('parameter version 7 does not exist');
    expect((await s.rollback(3, 'rollback', 'forward again')).params).toMatchObject({ dtms: { breakevenR: 1.5 }, exits: { timeStopMinutes: 240 } });
  });

  it('watch picks up a version written by another process (a CLI rollback) and tells the subscribers', async () => {
    const server = serviceOn(rec.store, rec.clock);
    await server.apply({ dtms: { atrTrailK: 3 } }, 'approval:R7', 'wider trail');
    const seen: [number, number][] = [];
    server.onChange((cur, prev) => seen.push([cur.version, prev.version]));
    const stop = server.watch(2_000);
    const cli = serviceOn(rec.store, rec.clock);
    await cli.rollback(1, 'cli', 'operator rollback');
    expect(server.current().version).toBe(2);
    rec.clock.advance(2_000);
    expect(server.current()).toMatchObject({ version: 3, createdBy: 'cli', restores: 1 });
    expect(server.currentParams().dtms.atrTrailK).toBe(2);
    expect(seen).toEqual([[3, 2]]);
    stop();
    expect(rec.clock.pending()).toBe(0);
  });

  it('a throwing subscriber is isolated and reported; unsubscribed listeners hear nothing', async () => {
    const errors: unknown[] = [];
    const s = serviceOn(rec.store, rec.clock, { onError: (e) => errors.push(e) });
    const heard: number[] = [];
    s.onChange(() => {
      throw new Error('desk listener failed');
    });
    s.onChange((cur) => heard.push(cur.version));
    const off = s.onChange((cur) => heard.push(-cur.version));
    off();
    await s.apply({ dtms: { allowHedge: true } }, 'approval:R10', 'hedge on reversals');
    expect(heard).toEqual([2]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['desk listener failed']);
  });

  it('the history is append-only in SQLite', () => {
    serviceOn(rec.store, rec.clock);
    expect(() => rec.store.db.prepare('UPDATE parameter_versions SET reason = ?').run('x')).toThrow('parameter_versions is append-only');
    expect(() => rec.store.db.prepare('DELETE FROM parameter_versions').run()).toThrow('parameter_versions is append-only');
  });
});
