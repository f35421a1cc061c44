import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/index.js';
import {
  Archive,
  ArchiveSql,
  CANDLE_COLUMNS,
  digestRows,
  TICK_COLUMNS,
  type ArchiveRow,
} from '../../../src/store/archive/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { duckdbDigest, jsonLines } from '../../../bench/parquet.bench.js';
import { AGG_TRADES_2026, fixturePath, klines2017 } from '../../fixtures/load.js';
import { brokerQuotes, tmpFolder } from '../fixtures.js';

const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

async function loadTicks(store: Store, file: string, source: 'binance' | 'oanda', symbol: string): Promise<void> {
  for await (const batch of importFile(fixturePath(file), { source, symbol, onError: 'stop' })) store.ticks.insertTicks(batch.ticks);
}

describe('Archive (Parquet day files)', () => {
  const tmp = tmpFolder('utp-archive-');
  let store: Store;
  let archive: Archive;
  let sql: ArchiveSql;

  beforeAll(async () => {
    store = openStore({ path: ':memory:' });
    archive = Archive.forDataDir(tmp.dir, { rowGroupRows: 1500 });
    sql = new ArchiveSql(store.db);
    await loadTicks(store, AGG_TRADES_2026, 'binance', 'BTCUSD');
    await loadTicks(store, 'oanda/20140506_xauusd_tick_quote.csv.gz', 'oanda', 'XAUUSD');
    store.ticks.insertTicks(brokerQuotes(400).map((t) => ({ ...t, symbol: 'GBPJPY' })));
    store.candles.upsertCandles(klines2017());
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  it('lays files out as <dataDir>/archive/<kind>/<SYMBOL>/<YYYY-MM-DD>.parquet', () => {
    expect(archive.pathOf('ticks', 'BTCUSD', '2026-01-01')).toBe(path.join(tmp.dir, 'archive', 'ticks', 'BTCUSD', '2026-01-01.parquet'));
    expect(archive.pathOf('candles-M1', 'BTCUSD', '2017-08-17')).toBe(path.join(tmp.dir, 'archive', 'candles-M1', 'BTCUSD', '2017-08-17.parquet'));
    expect(() => archive.pathOf('ticks', '../x', '2026-01-01')).toThrow();
    expect(() => archive.pathOf('ticks', 'BTCUSD', '2026-02-30')).toThrow();
  });

  it('writes 5,000 real aggTrades and DuckDB and hyparquet read back exactly what SQLite holds', async () => {
    const rows = sql.ticks('BTCUSD', ...ALL);
    expect(rows).toHaveLength(5000);
    const written = await archive.writeDay('ticks', 'BTCUSD', '2026-01-01', [rows]);
    expect(written).not.toBeNull();
    expect(written!.rows).toBe(5000);
    expect(written!.sha256).toBe(digestRows(TICK_COLUMNS, rows).sha256);
    // 4 row groups of at most 1500 rows; no temp file left behind
    expect(readdirSync(path.dirname(written!.path))).toEqual(['2026-01-01.parquet']);
    const duck = await duckdbDigest(written!.path, TICK_COLUMNS);
    expect(duck).toEqual({ rows: 5000, sha256: written!.sha256 });
    const back = await archive.readTicks('BTCUSD', ...ALL);
    expect(back).toEqual(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 10_000 }));
    expect(archive.listDays('BTCUSD', 'ticks')).toEqual(['2026-01-01']);
  });

  it('keeps fractional-millisecond times (OANDA) exact: 161,552 quotes of a whole day', async () => {
    const rows = sql.ticks('XAUUSD', ...ALL);
    expect(rows).toHaveLength(161_552);
    expect(rows.some((r) => !Number.isInteger(r.ts_event))).toBe(true);
    const written = await archive.writeDay('ticks', 'XAUUSD', '2014-05-06', [rows]);
    // DESIGN.md section 9: the archive is at least 8x smaller than the same ticks as JSON lines
    expect(written!.bytes * 8).toBeLessThan(Buffer.byteLength(jsonLines(rows)));
    expect(statSync(written!.path).size).toBe(written!.bytes);
    expect(await duckdbDigest(written!.path, TICK_COLUMNS)).toEqual({ rows: 161_552, sha256: digestRows(TICK_COLUMNS, rows).sha256 });
    const from = Date.UTC(2014, 4, 6, 12);
    const to = Date.UTC(2014, 4, 6, 13) - 1;
    expect(await archive.readTicks('XAUUSD', from, to)).toEqual(store.ticks.rangeTicks({ symbol: 'XAUUSD', from, to, limit: 1e6 }));
  });

  it('keeps ticks without a venue id (synthetic seq) and their order within a second', async () => {
    const rows = sql.ticks('GBPJPY', ...ALL);
    expect(rows.some((r) => (r.seq as number) < 0)).toBe(true);
    await archive.writeDay('ticks', 'GBPJPY', '2023-02-20', [rows]);
    const back: Tick[] = await archive.readTicks('GBPJPY', ...ALL);
    expect(back).toEqual(store.ticks.rangeTicks({ symbol: 'GBPJPY', limit: 1000 }));
    expect(back.every((t) => t.seq === null)).toBe(true);
  });

  it('archives candles per timeframe and reads them back as the store returns them', async () => {
    const day = Date.UTC(2017, 7, 17);
    const rows = sql.candles('BTCUSD', 'M1', day, day + 86_400_000);
    expect(rows).toHaveLength(1200);
    const written = await archive.writeDay('candles-M1', 'BTCUSD', '2017-08-17', [rows]);
    expect(await duckdbDigest(written!.path, CANDLE_COLUMNS)).toEqual({ rows: 1200, sha256: written!.sha256 });
    const from = Date.UTC(2017, 7, 17, 4);
    const to = Date.UTC(2017, 7, 17, 7, 59);
    const back = await archive.readCandles('BTCUSD', 'M1', from, to);
    expect(back).toHaveLength(240);
    expect(back).toEqual(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M1', from, to, limit: 1000 }));
    expect(await archive.readCandles('BTCUSD', 'M1', from, to, { source: 'mt5' })).toEqual([]);
    expect(archive.kinds()).toEqual(['candles-M1', 'ticks']);
  });

  it('leaves no file and no temp file when a write fails half-way', async () => {
    const rows = sql.ticks('BTCUSD', ...ALL);
    function* failing(): Generator<ArchiveRow[]> {
      yield rows.slice(0, 3000);
      throw new Error('disk gone');
    }
    await expect(archive.writeDay('ticks', 'BTCUSD', '2026-01-02', failing())).rejects.toThrow('disk gone');
    expect(existsSync(archive.pathOf('ticks', 'BTCUSD', '2026-01-02'))).toBe(false);
    expect(readdirSync(path.join(tmp.dir, 'archive', 'ticks', 'BTCUSD'))).toEqual(['2026-01-01.parquet']);
  });

  it('writes nothing for an empty day, and deletes files by day for retention', async () => {
    expect(await archive.writeDay('ticks', 'BTCUSD', '2026-01-03', [[]])).toBeNull();
    expect(archive.listDays('BTCUSD', 'ticks')).toEqual(['2026-01-01']);
    const before = archive.stats();
    expect(before.files).toBe(4);
    const deleted = archive.deleteDaysBefore('2020-01-01');
    expect(deleted.map((f) => path.basename(f)).sort()).toEqual(['2014-05-06.parquet', '2017-08-17.parquet']);
    expect(archive.stats().files).toBe(2);
  });
});
