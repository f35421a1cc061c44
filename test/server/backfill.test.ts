import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/core/index.js';
import { findBackfillFiles, runBackfill } from '../../src/server/cli/backfillCommand.js';
import { Archive } from '../../src/store/archive/index.js';
import { openStore } from '../../src/store/index.js';
import { AGG_TRADES_2026, fixturePath, KLINES_2017, klines2017 } from '../fixtures/load.js';
import { tmpFolder } from '../store/fixtures.js';

/** A one-entry deflate zip, as data.binance.vision serves its daily files. */
function zipOne(name: string, data: Buffer): Buffer {
  const packed = deflateRawSync(data);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + name.length + packed.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, Buffer.from(name), packed, central, Buffer.from(name), end]);
}

describe('utp backfill (runBackfill)', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  let files: string;
  beforeEach(() => {
    tmp = tmpFolder('utp-backfill-');
    files = path.join(tmp.dir, 'downloads');
    mkdirSync(path.join(files, 'spot'), { recursive: true });
    copyFileSync(fixturePath(AGG_TRADES_2026), path.join(files, 'spot', path.basename(AGG_TRADES_2026)));
    writeFileSync(path.join(files, 'BTCUSDT-1m-2017-08-17.zip'), zipOne('BTCUSDT-1m-2017-08-17.csv', readFileSync(fixturePath(KLINES_2017))));
    copyFileSync(fixturePath('mt5/BTCUSD_H1_202403180000_202403180500.csv'), path.join(files, 'BTCUSD_H1_202403180000_202403180500.csv'));
    writeFileSync(path.join(files, 'ETHUSDT-aggTrades-2026-01-01.csv'), '1,2,3,4,5,1735689600000000,true,true\n');
  });
  afterEach(() => tmp.cleanup());

  it('finds Binance daily files of the instrument in the range and MT5 exports of the symbol', () => {
    const found = findBackfillFiles(files, 'BTCUSD', Date.UTC(2017, 7, 17), Date.UTC(2026, 0, 1, 23));
    expect(found.map((f) => [path.basename(f.path), f.source, f.day])).toEqual([
      ['BTCUSD_H1_202403180000_202403180500.csv', 'mt5', null],
      ['BTCUSDT-1m-2017-08-17.zip', 'binance', '2017-08-17'],
      ['BTCUSDT-aggTrades-2026-01-01_first5000.csv', 'binance', '2026-01-01'],
    ]);
    expect(findBackfillFiles(files, 'BTCUSD', Date.UTC(2020, 0, 1), Date.UTC(2025, 0, 1)).map((f) => f.source)).toEqual(['mt5']);
  });

  it('imports csv, zip and MT5 files into SQLite, then moves finished days to the archive', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const clock = new TestClock(Date.UTC(2026, 0, 5));
    const code = await runBackfill({
      symbol: 'btcusd',
      from: '2017-08-17',
      to: '2026-01-01',
      dir: files,
      dataDir: tmp.dir,
      serverOffset: 'eet',
      tty: false,
      clock,
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect(code).toBe(0);
    const summary = JSON.parse(out.join('')) as { files: { ticks: number; candles: number; status: string }[]; archive: { ticksPruned: number } };
    expect(summary.files.map((f) => [f.ticks, f.candles, f.status])).toEqual([
      [0, 6, 'ok'],
      [0, 1200, 'ok'],
      [5000, 0, 'ok'],
    ]);
    expect(summary.archive.ticksPruned).toBe(5000);
    expect(err.filter((l) => l.startsWith('utp backfill: ') && /\d\/3 /.test(l))).toHaveLength(3);
    expect(err.join('')).toContain('older than the archive retention of 14 days');

    const archive = Archive.forDataDir(tmp.dir);
    expect(archive.listDays('BTCUSD', 'ticks')).toEqual(['2026-01-01']);
    expect((await archive.readTicks('BTCUSD', Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2))).length).toBe(5000);
    // the official 1m klines went through SQLite to the archive and left SQLite (older than 48 h)
    expect(await archive.readCandles('BTCUSD', 'M1', Date.UTC(2017, 7, 17), Date.UTC(2017, 7, 18), { source: 'binance' })).toEqual(
      klines2017().map((c) => expect.objectContaining({ openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume })),
    );
    const store = openStore({ path: path.join(tmp.dir, 'utp.sqlite') });
    try {
      expect(store.ticks.countTicks()).toBe(0);
      expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(0);
      expect(store.candles.countCandles('BTCUSD', 'H1')).toBeGreaterThanOrEqual(6); // MT5 H1 bars and H1 built from the trades stay
      expect(store.candles.countCandles('BTCUSD', 'M5')).toBe(3); // built from the 12 minutes of trades
    } finally {
      store.close();
    }
  });

  it('refuses MT5 exports without a server offset, and a range with no files', async () => {
    const err: string[] = [];
    const base = { symbol: 'BTCUSD', dir: files, dataDir: tmp.dir, tty: false, out: () => {}, err: (t: string) => err.push(t) };
    expect(await runBackfill({ ...base, from: '2024-03-18', to: '2024-03-18' })).toBe(2);
    expect(err.join('')).toContain('--server-offset');
    expect(await runBackfill({ ...base, symbol: 'XAUUSD', from: '2024-03-18', to: '2024-03-18' })).toBe(2);
    expect(err.join('')).toContain('no Binance daily files or MT5 exports of XAUUSD');
  });
});
