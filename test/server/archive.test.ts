import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/core/index.js';
import { importFile } from '../../src/pipeline/index.js';
import { runArchive } from '../../src/server/cli/archiveCommand.js';
import { Archive } from '../../src/store/archive/index.js';
import { openStore } from '../../src/store/index.js';
import { AGG_TRADES_2026, fixturePath } from '../fixtures/load.js';
import { tmpFolder } from '../store/fixtures.js';

describe('utp archive (runArchive)', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  beforeEach(async () => {
    tmp = tmpFolder('utp-archive-cmd-');
    const store = openStore({ path: path.join(tmp.dir, 'utp.sqlite') });
    for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) store.ticks.insertTicks(b.ticks);
    store.close();
  });
  afterEach(() => tmp.cleanup());

  it('archives and prunes every day that ended before --before, and prints a JSON summary', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const clock = new TestClock(Date.UTC(2026, 0, 1, 13)); // the day is not over: the scheduled mover would wait
    const code = await runArchive({ before: '2026-01-02T00:00:00Z', dataDir: tmp.dir, clock, out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({
      before: '2026-01-02T00:00:00.000Z',
      days: 1,
      filesWritten: 1,
      ticksPruned: 5000,
      candlesPruned: 0,
      filesDeleted: 0,
      errors: [],
    });
    expect(existsSync(path.join(tmp.dir, 'archive', 'ticks', 'BTCUSD', '2026-01-01.parquet'))).toBe(true);
    expect(await Archive.forDataDir(tmp.dir).verifyDay('ticks', 'BTCUSD', '2026-01-01')).toMatchObject({ rows: 5000 });
    const store = openStore({ path: path.join(tmp.dir, 'utp.sqlite') });
    expect(store.ticks.countTicks()).toBe(0);
    store.close();
  });

  it('moves nothing before the day has ended, and refuses a bad --before', async () => {
    const out: string[] = [];
    const clock = new TestClock(Date.UTC(2026, 0, 3));
    expect(await runArchive({ before: '2026-01-01T23:59:59Z', dataDir: tmp.dir, clock, out: (t) => out.push(t), err: () => {} })).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ days: 0, ticksPruned: 0 });
    const err: string[] = [];
    expect(await runArchive({ before: 'yesterday', dataDir: tmp.dir, clock, out: () => {}, err: (t) => err.push(t) })).toBe(2);
    expect(err.join('')).toContain('--before is not an ISO time');
  });
});
