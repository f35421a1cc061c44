import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/index.js';
import { Archive, ArchiveSql, digestRows, TICK_COLUMNS } from '../../../src/store/archive/index.js';
import { openStore } from '../../../src/store/index.js';
import { RetentionMover } from '../../../src/store/retention/index.js';
import { fixturePath } from '../../fixtures/load.js';
import { tmpFolder } from '../fixtures.js';

const CHILD = fileURLToPath(new URL('./crashChild.ts', import.meta.url));
const DAY = Date.UTC(2014, 4, 6);
const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

describe('archiving killed with SIGKILL mid-write', () => {
  const tmp = tmpFolder('utp-crash-');
  const dbPath = path.join(tmp.dir, 'utp.sqlite');
  let expected: { rows: number; sha256: string };

  beforeAll(async () => {
    const store = openStore({ path: dbPath });
    for await (const b of importFile(fixturePath('oanda/20140506_xauusd_tick_quote.csv.gz'), { source: 'oanda', symbol: 'XAUUSD', onError: 'stop' })) {
      store.ticks.insertTicks(b.ticks);
    }
    expected = digestRows(TICK_COLUMNS, new ArchiveSql(store.db).ticks('XAUUSD', ...ALL));
    store.close();
  });
  afterAll(() => tmp.cleanup());

  it('leaves no visible partial file and loses no tick; the next pass archives the day exactly', async () => {
    expect(expected.rows).toBe(161_552);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tmp.dir, String(DAY + 86_400_000)], {
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const killedAt = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /rows (\d+)\n/.exec(out.split('\n').slice(-2).join('\n') + '\n');
        if (m && Number(m[1]) >= 20_000 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve(m[1]!);
        }
      });
      child.on('exit', () => reject(new Error(`child exited before it was killed:\n${out}\n${err}`)));
    });
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('exit', resolve)));
    expect(child.signalCode).toBe('SIGKILL');
    expect(Number(killedAt)).toBeLessThan(161_552);

    const folder = path.join(tmp.dir, 'archive', 'ticks', 'XAUUSD');
    const archive = Archive.forDataDir(tmp.dir);
    // the partial file exists only under its dot-temp name: no reader lists or opens it
    expect(archive.listDays('XAUUSD', 'ticks')).toEqual([]);
    const names = readdirSync(folder);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\.2014-05-06\.parquet\.\d+\.\w+\.tmp$/);

    // nothing was pruned: every tick is still in SQLite
    const store = openStore({ path: dbPath });
    try {
      const sql = new ArchiveSql(store.db);
      expect(digestRows(TICK_COLUMNS, sql.ticks('XAUUSD', ...ALL))).toEqual(expected);

      // restart: the first pass removes the stale temp file and archives the day, verified
      const mover = new RetentionMover({ db: store.db, archive, clock: new TestClock(DAY + 2 * 86_400_000) });
      const report = await mover.runOnce();
      expect(report.tempRemoved).toBe(1);
      expect(report.ticksPruned).toBe(161_552);
      expect(readdirSync(folder)).toEqual(['2014-05-06.parquet']);
      expect(await archive.verifyDay('ticks', 'XAUUSD', '2014-05-06')).toEqual(expected);
      expect(store.ticks.countTicks('XAUUSD')).toBe(0);
    } finally {
      store.close();
    }
  }, 120_000);
});
