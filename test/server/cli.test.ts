/**
 * The `utp` command as a user runs it (`node bin/utp.js ...`, built dist/):
 * importing real Binance trades, reading candles back as CSV and comparing
 * them with Binance's official klines for the same minutes, the all-or-nothing
 * import on a malformed line, and the usage errors.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/server/compose.js';
import { fixturePath, fixtureRows, KLINES_2017, TRADES_2017 } from '../fixtures/load.js';
import { REPO_ROOT, UTP_BIN, requireBuild, tempDir } from '../integration/replayFixture.js';

const TRADES = fixturePath(TRADES_2017);
const TRADES_NAME = path.basename(TRADES);
const FROM = Date.UTC(2017, 7, 17, 4, 0);
const TO = Date.UTC(2017, 7, 17, 7, 59);
const HEADER = 'open_time,open,high,low,close,volume,quote_volume,trades';

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `node bin/utp.js ...args` with no UTP_* variables from the outer environment. */
function utp(...args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UTP_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UTP_BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** CSV text to rows of numbers (header checked). */
function csvNumbers(text: string): number[][] {
  const [header, ...lines] = text.trimEnd().split('\n');
  expect(header).toBe(HEADER);
  return lines.map((l) => l.split(',').map(Number));
}

/** The official klines of 04:00-07:59 as [open_time, open, high, low, close, volume, quote_volume, trades]. */
const klines = fixtureRows(KLINES_2017)
  .filter((c) => Number(c[0]) >= FROM && Number(c[0]) <= TO)
  .map((c) => [c[0], c[1], c[2], c[3], c[4], c[5], c[7], c[8]].map(Number));

const trades = fixtureRows(TRADES_2017).map((c) => Number(c[4]));

describe('utp import and utp candles', () => {
  let dir: ReturnType<typeof tempDir>;
  let imported: Run;

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('utp-cli-');
    imported = await utp('import', TRADES, '--symbol', 'BTCUSD', '--source', 'binance', '--data-dir', dir.dir);
  });

  afterAll(() => dir?.remove());

  it('imports the 334 trades and prints a JSON summary', () => {
    expect(imported.code, imported.stderr).toBe(0);
    const lines = imported.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    // every timeframe gets every interval from the first trade to the last (empty ones included)
    const sizes = [1_000, 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000];
    const first = trades[0]!;
    const last = trades[trades.length - 1]!;
    const built = sizes.reduce((n, s) => n + Math.floor(last / s) - Math.floor(first / s) + 1, 0);
    expect(JSON.parse(lines[0]!)).toEqual({
      file: TRADES,
      format: 'binance-trades',
      ticks: 334,
      candles: 0,
      builtCandles: built,
      errors: 0,
      status: 'ok',
      message: null,
    });
    const db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM unified_ticks').get()).toEqual({ n: 334, lo: 0, hi: 333 });
    } finally {
      db.close();
    }
  });

  it('--source binance answers the same 240 minutes, the 126 empty ones carrying the stream source', async () => {
    const run = await utp('candles', 'BTCUSD', '--timeframe', 'M1', '--from', '2017-08-17T04:00:00Z', '--to', '2017-08-17T07:59:00Z', '--source', 'binance', '--data-dir', dir.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(klines.filter((k) => k[7]! === 0)).toHaveLength(126);
    expect(csvNumbers(run.stdout)).toEqual(klines);
  });

  it('all 240 minutes 04:00-07:59 equal the official klines, empty minutes included', async () => {
    const run = await utp('candles', 'BTCUSD', '--timeframe', 'M1', '--from', '2017-08-17T04:00:00Z', '--to', '2017-08-17T07:59:00Z', '--data-dir', dir.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(klines).toHaveLength(240);
    expect(csvNumbers(run.stdout)).toEqual(klines);
  });

  it('H1 04:00 rolls the hour up: 4261.48/4313.62/4261.32/4308.83, volume 47.181009, 171 trades', async () => {
    const run = await utp('candles', 'btcusd', '--timeframe', 'H1', '--from', '2017-08-17T04:00:00Z', '--to', '2017-08-17T04:00:00Z', '--data-dir', dir.dir);
    expect(run.code, run.stderr).toBe(0);
    const rows = csvNumbers(run.stdout);
    expect(rows).toHaveLength(1);
    const [openTime, open, high, low, close, volume, , count] = rows[0]!;
    expect({ openTime, open, high, low, close, volume, count }).toEqual({
      openTime: FROM,
      open: 4261.48,
      high: 4313.62,
      low: 4261.32,
      close: 4308.83,
      volume: 47.181009,
      count: 171,
    });
    // and equals the sum of the hour's official klines
    const hour = klines.filter((k) => k[0]! < FROM + 3_600_000);
    expect(count).toBe(hour.reduce((n, k) => n + k[7]!, 0));
    expect(high).toBe(Math.max(...hour.filter((k) => k[7]! > 0).map((k) => k[2]!)));
  });

  it('--format json prints the same candles as JSON', async () => {
    const run = await utp('candles', 'BTCUSD', '--timeframe', 'H1', '--from', '2017-08-17T04:00:00Z', '--to', '2017-08-17T04:00:00Z', '--format', 'json', '--data-dir', dir.dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      expect.objectContaining({ openTime: FROM, open: 4261.48, high: 4313.62, low: 4261.32, close: 4308.83, volume: 47.181009, trades: 171, closed: true, sources: ['binance'] }),
    ]);
  });
});

describe('utp import of a file with a malformed line', () => {
  let dir: ReturnType<typeof tempDir>;
  let bad: string;
  const BAD_LINE = 168;

  beforeAll(() => {
    requireBuild();
    dir = tempDir('utp-cli-bad-');
    const lines = readFileSync(TRADES, 'utf8').split('\n');
    lines[BAD_LINE - 1] = '167,not-a-price,0.10000000,426.14800000,1502949000000,True,True';
    bad = path.join(dir.dir, TRADES_NAME); // same name: the format is detected from it
    writeFileSync(bad, lines.join('\n'));
  });

  afterAll(() => dir?.remove());

  const count = (dataDir: string, table: string): number => {
    const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('--on-error stop exits non-zero, names file:line, and writes no row of the file', async () => {
    const data = path.join(dir.dir, 'stop');
    const run = await utp('import', bad, '--symbol', 'BTCUSD', '--source', 'binance', '--on-error', 'stop', '--data-dir', data);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad}:${BAD_LINE}:`);
    expect(JSON.parse(run.stdout)).toMatchObject({ ticks: 0, candles: 0, builtCandles: 0, status: 'failed', message: expect.stringMatching(/nothing was written$/) });
    expect(count(data, 'unified_ticks')).toBe(0);
    expect(count(data, 'candles')).toBe(0);
    const db = new Database(path.join(data, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT status, rows_ok FROM import_runs').all()).toEqual([{ status: 'failed', rows_ok: 0 }]);
    } finally {
      db.close();
    }
  });

  it('--on-error skip reports the line and imports the rest', async () => {
    const data = path.join(dir.dir, 'skip');
    const run = await utp('import', bad, '--symbol', 'BTCUSD', '--source', 'binance', '--on-error', 'skip', '--data-dir', data);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${bad}:${BAD_LINE}:`)]);
    expect(JSON.parse(run.stdout)).toMatchObject({ ticks: 333, errors: 1, status: 'ok' });
    expect(count(data, 'unified_ticks')).toBe(333);
  });
});

describe('utp usage errors and help', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    requireBuild();
    dir = tempDir('utp-cli-usage-');
  });
  afterAll(() => dir?.remove());

  it('candles with a bad timeframe exits 2 with a message', async () => {
    const run = await utp('candles', 'BTCUSD', '--timeframe', 'M2', '--data-dir', dir.dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('utp candles: --timeframe must be S1, M1, M5, M15, H1, H4 or D1\n');
    expect(run.stdout).toBe('');
  });

  it('an unknown option or command exits 2 with the usage', async () => {
    const option = await utp('candles', '--bogus');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^utp: Unknown option '--bogus'/);
    const command = await utp('frobnicate');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('utp: unknown command "frobnicate"');
    expect(command.stderr).toContain('Usage: utp <command>');
  });

  it('help prints the usage on stdout', async () => {
    const run = await utp('help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^utp \d+\.\d+\.\d+ — Unified Tick Pipeline\n/);
    for (const command of ['start', 'mcp', 'import', 'candles', 'help']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(run.stderr).toBe('');
  });
});
