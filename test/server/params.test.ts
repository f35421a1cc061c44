/**
 * The parameters wiring (`createParameters`) and `utp params list|diff|rollback`
 * on a data folder whose SQLite holds recorded BTCUSD candles: the CLI reads
 * the history, and a rollback it writes reaches the "running server" (the
 * factory's poll on a test clock) and the live engine configs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dtmsConfig } from '../../src/engines/dtms/index.js';
import { paramsDiff, paramsList, paramsRollback } from '../../src/server/cli/paramsCommand.js';
import { createParameters, parametersConfigSchema, type ParametersWiring } from '../../src/server/params.js';
import { recordedStore, T0 } from '../engines/params/harness.js';

let rec: ReturnType<typeof recordedStore>;
let wiring: ParametersWiring;
beforeEach(() => {
  rec = recordedStore();
  wiring = createParameters({ store: rec.store, clock: rec.clock, symbols: ['BTCUSD', 'XAUUSD', 'GBPJPY'], config: { pollIntervalMs: 2_000 } });
});
afterEach(() => {
  wiring.stop();
  rec.cleanup();
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('parameters wiring and `utp params`', () => {
  it('config section defaults', () => {
    expect(parametersConfigSchema.parse(undefined)).toEqual({ pollIntervalMs: 2_000, dryRunHours: 6, dryRunEntryEveryBars: 6, requireData: false });
    expect(() => parametersConfigSchema.parse({ pollIntervalMs: -1 })).toThrow();
  });

  it('list and diff read the history; rollback reaches the running server within its poll interval', async () => {
    wiring.start();
    expect(wiring.view.current().version).toBe(1);
    rec.clock.advance(1_000);
    await wiring.service.apply({ dtms: { atrTrailK: 3 } }, 'approval:R1', 'wider trail');
    expect(wiring.engine.dtmsFor('BTCUSD')).toEqual(dtmsConfig({ atrTrailK: 3, priceDigits: 2, volumeStep: 0.01, volumeMin: 0.01 }));

    const list = paramsList(rec.dir);
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^\\* 2  ${iso(T0 + 1_000)}  approval:R1  wider trail \\(dtms\\.atrTrailK: 2 -> 3; dry run: BTCUSD 24 positions over 72 bars`));
    expect(list.stdout.split('\n')[1]).toBe(`  1  ${iso(T0)}  default  engine defaults at first start`);
    expect(paramsDiff(rec.dir, 1, 2)).toEqual({ exitCode: 0, stdout: 'dtms.atrTrailK: 2 -> 3\n', stderr: '' });
    expect(paramsDiff(rec.dir, 2, 2)).toEqual({ exitCode: 0, stdout: 'versions 2 and 2 have the same parameters\n', stderr: '' });
    expect(paramsDiff(rec.dir, 1, 7)).toEqual({ exitCode: 1, stdout: '', stderr: 'parameter version 7 does not exist\n' });

    const seen: number[] = [];
    wiring.service.onChange((cur) => seen.push(cur.version));
    const rb = await paramsRollback(rec.dir, 1, 'operator: back to defaults', rec.clock);
    expect(rb).toEqual({ exitCode: 0, stdout: 'version 3 restores version 1 (was 2); a running server applies it within its poll interval\ndtms.atrTrailK: 3 -> 2\n', stderr: '' });
    expect(wiring.engine.dtmsFor('BTCUSD').atrTrailK).toBe(3);
    rec.clock.advance(2_000);
    expect(seen).toEqual([3]);
    expect(wiring.view.current()).toMatchObject({ version: 3, createdBy: 'cli', reason: 'operator: back to defaults', parent: 2 });
    expect(wiring.engine.dtmsFor('BTCUSD').atrTrailK).toBe(2);
    expect(paramsList(rec.dir, 1).stdout).toBe(`* 3  ${iso(T0 + 1_000)}  cli  restores 1  operator: back to defaults\n`);
  });

  it('refusals exit 1 with the reason, bad arguments exit 2', async () => {
    expect(await paramsRollback(rec.dir, 1, 'again', rec.clock)).toEqual({ exitCode: 1, stdout: '', stderr: 'the parameters of version 1 are already in effect (version 1)\n' });
    expect(await paramsRollback(rec.dir, 5, 'x', rec.clock)).toEqual({ exitCode: 1, stdout: '', stderr: 'parameter version 5 does not exist\n' });
    expect((await paramsRollback(rec.dir, 0, 'x', rec.clock)).exitCode).toBe(2);
    expect(paramsList(rec.dir, 0).exitCode).toBe(2);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'utp-params-empty-'));
    try {
      expect(paramsList(empty)).toEqual({ exitCode: 1, stdout: '', stderr: `no database at ${path.join(empty, 'utp.sqlite')}; start the server once or pass --data-dir\n` });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
