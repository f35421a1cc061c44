import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../../src/pipeline/index.js';
import { Archive, ArchiveSql, digestRows, ParquetReadError, TICK_COLUMNS, type ArchiveRow } from '../../../src/store/archive/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { AGG_TRADES_2026, fixturePath } from '../../fixtures/load.js';
import { tmpFolder } from '../fixtures.js';

const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DAY = '2014-05-06';

describe('Archive reads on the decoding thread', () => {
  const tmp = tmpFolder('utp-read-');
  let store: Store;
  let oanda: ArchiveRow[];
  let binance: ArchiveRow[];
  let archive: Archive;

  beforeAll(async () => {
    store = openStore({ path: ':memory:' });
    for await (const b of importFile(fixturePath('oanda/20140506_xauusd_tick_quote.csv.gz'), { source: 'oanda', symbol: 'XAUUSD', onError: 'stop' }))
      store.ticks.insertTicks(b.ticks);
    for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) store.ticks.insertTicks(b.ticks);
    const sql = new ArchiveSql(store.db);
    oanda = sql.ticks('XAUUSD', ...ALL);
    binance = sql.ticks('BTCUSD', ...ALL);
    archive = new Archive({ dir: path.join(tmp.dir, 'main') });
    await archive.writeDay('ticks', 'XAUUSD', DAY, [oanda]);
    await archive.writeDay('ticks', 'BTCUSD', '2026-01-01', [binance]);
  }, 60_000);
  afterAll(async () => {
    await archive.close();
    store.close();
    tmp.cleanup();
  });

  it(
    'reads the 161,552-quote OANDA day without holding the event loop (max delay < 50 ms), exactly',
    { timeout: 60_000, retry: 2 },
    async () => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const rows = await archive.readDayRows('ticks', 'XAUUSD', DAY);
      const ticks = await archive.readTicks('XAUUSD', ...ALL);
      const digest = await archive.verifyDay('ticks', 'XAUUSD', DAY);
      h.disable();
      // before the reads moved to the thread: max 13-39 ms, p99 11-28 ms on the lead's machine (see the report / bench)
      expect(h.max / 1e6).toBeLessThan(50);
      expect(rows).toHaveLength(161_552);
      expect(digestRows(TICK_COLUMNS, rows)).toEqual(digestRows(TICK_COLUMNS, oanda));
      expect(rows[0]).toEqual(oanda[0]);
      expect(Object.keys(rows[0]!)).toEqual(TICK_COLUMNS.map((c) => c.name));
      expect(digest).toEqual(digestRows(TICK_COLUMNS, oanda));
      expect(ticks).toEqual(store.ticks.rangeTicks({ symbol: 'XAUUSD', limit: 1e6 }));
    },
  );

  it('skips row groups by their statistics and filters the rest exactly', async () => {
    const from = Date.UTC(2014, 4, 6, 12);
    const to = Date.UTC(2014, 4, 6, 12, 5) - 1;
    const groups: number[] = [];
    const file = archive.pathOf('ticks', 'XAUUSD', DAY);
    for await (const g of archive.readThread.groups(file, TICK_COLUMNS, { column: 'ts_event', from, to })) groups.push(g.n);
    // 161,552 rows in 5,000-row groups: only the one or two groups around 12:00-12:05 are decoded
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.length).toBeLessThanOrEqual(2);
    expect(await archive.readTicks('XAUUSD', from, to)).toEqual(store.ticks.rangeTicks({ symbol: 'XAUUSD', from, to, limit: 1e6 }));
  });

  it('rejects a read when the thread dies, and the next read starts a fresh thread', async () => {
    const a = new Archive({ dir: archive.dir });
    try {
      const pending = expect(a.readDayRows('ticks', 'XAUUSD', DAY)).rejects.toThrow(ParquetReadError);
      const first = a.readThread.worker;
      expect(first).not.toBeNull();
      void first!.terminate(); // as if the thread crashed (or ran out of memory)
      await pending;
      await expect(a.readDayRows('ticks', 'XAUUSD', DAY)).resolves.toHaveLength(161_552);
      expect(a.readThread.worker).not.toBe(first);
    } finally {
      await a.close();
    }
  });

  it('rejects a read of a damaged file with a clear error, and the thread keeps serving', async () => {
    const a = new Archive({ dir: path.join(tmp.dir, 'damaged') });
    try {
      await a.writeDay('ticks', 'BTCUSD', '2026-01-01', [binance]);
      const thread = a.readThread;
      expect(await a.readTicks('BTCUSD', ...ALL)).toHaveLength(5000);
      const worker = thread.worker;
      writeFileSync(a.pathOf('ticks', 'BTCUSD', '2026-01-01'), 'not a parquet file at all');
      await expect(a.readDayRows('ticks', 'BTCUSD', '2026-01-01')).rejects.toThrow(/parquet read thread: .*parquet/i);
      expect(thread.worker).toBe(worker);
      expect(await a.verifyDay('ticks', 'XAUUSD', DAY)).toBeNull();
    } finally {
      await a.close();
    }
  });

  it('close() rejects a read in progress; a later read starts again', async () => {
    const a = new Archive({ dir: archive.dir });
    const pending = expect(a.readDayRows('ticks', 'XAUUSD', DAY)).rejects.toThrow(/parquet read thread closed/);
    await a.close();
    await pending;
    expect(a.readThread.worker).toBeNull();
    expect(await a.verifyDay('ticks', 'BTCUSD', '2026-01-01')).toEqual(digestRows(TICK_COLUMNS, binance));
    await a.close();
  });

  const built = path.join(ROOT, 'dist', 'store', 'archive', 'index.js');
  it.skipIf(!existsSync(built))(
    'resolves its worker from dist/ and never keeps the process alive (plain node, no close; skipped until `npm run build`)',
    () => {
      const script = `
        import { Archive } from ${JSON.stringify(new URL(`file://${built}`).href)};
        const a = new Archive({ dir: ${JSON.stringify(archive.dir)} });
        const ticks = await a.readTicks('BTCUSD', ${ALL[0]}, ${ALL[1]});
        const check = await a.verifyDay('ticks', 'BTCUSD', '2026-01-01');
        process.stdout.write(JSON.stringify({ n: ticks.length, last: ticks.at(-1), check }));
      `;
      // the thread is left running: the process must still exit on its own (timeout otherwise)
      const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 }));
      expect(out.n).toBe(5000);
      expect(out.last).toEqual(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 10_000 }).at(-1));
      expect(out.check).toEqual(digestRows(TICK_COLUMNS, binance));
    },
  );
});
