import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestClock, type Candle, type SystemEvent, type Tick } from '../../../src/core/index.js';
import { CandleAggregator, importFile } from '../../../src/pipeline/index.js';
import { Archive } from '../../../src/store/archive/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { memoryConfigSchema, RetentionMover } from '../../../src/store/retention/index.js';
import { AGG_TRADES_2026, fixturePath } from '../../fixtures/load.js';
import { tmpFolder } from '../fixtures.js';

const H = 3_600_000;
const DAY = Date.UTC(2026, 0, 1);
const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

async function realTicks(): Promise<Tick[]> {
  const out: Tick[] = [];
  for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) out.push(...b.ticks);
  return out;
}

function candlesOf(ticks: readonly Tick[], clock: TestClock): Candle[] {
  const out: Candle[] = [];
  const agg = new CandleAggregator({ symbol: 'BTCUSD', basis: 'trade', clock, onClosed: (c) => out.push(c) });
  for (const t of ticks) agg.add(t);
  for (const tf of agg.timeframes) {
    const open = agg.openCandle(tf);
    if (open) out.push(open);
  }
  return out;
}

describe('RetentionMover', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  let store: Store;
  let clock: TestClock;
  let ticks: Tick[];
  let events: SystemEvent[];

  beforeEach(async () => {
    tmp = tmpFolder('utp-mover-');
    store = openStore({ path: ':memory:' });
    clock = new TestClock(DAY + 26 * H); // 2026-01-02 02:00 UTC
    ticks = await realTicks();
    store.ticks.insertTicks(ticks);
    store.candles.upsertCandles(candlesOf(ticks, clock));
    events = [];
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const mover = (archive: Archive, extra: Partial<ConstructorParameters<typeof RetentionMover>[0]> = {}) =>
    new RetentionMover({ db: store.db, archive, clock, onEvent: (e) => events.push(e), ...extra });

  it('has the documented defaults', () => {
    expect(memoryConfigSchema.parse({})).toEqual({
      aggregateRetentionHours: 48,
      archiveRetentionDays: 14,
      eventLogRetentionDays: 30,
      macroLogRetentionDays: 7,
      archiveGraceMinutes: 180,
      moverIntervalMinutes: 15,
      archiveRowGroupRows: 5_000,
      macroIntervalMinutes: 5,
      moverEnabled: true,
    });
    expect(() => memoryConfigSchema.parse({ archiveRetentionDays: 30 })).toThrow();
    expect(() => memoryConfigSchema.parse({ bogus: 1 })).toThrow();
  });

  it('on its clock: archives a finished day after the grace, prunes its ticks, later S1/M1, then old files', async () => {
    const archive = Archive.forDataDir(tmp.dir, { rowGroupRows: 1000 });
    const m = mover(archive, { targets: [{ name: 'events', prune: () => 2 }] });
    const stored = store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 10_000 });
    const s1 = store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'S1', limit: 10_000 });
    const m5 = store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M5', limit: 10_000 });
    expect(stored).toHaveLength(5000);
    expect(s1.length).toBeGreaterThan(700);

    // 02:00 on the next day: the day ended 2 h ago, inside the 3 h grace: nothing moves
    expect((await m.runOnce()).days).toEqual([]);
    expect(store.ticks.countTicks('BTCUSD')).toBe(5000);

    await m.start();
    for (let i = 1; i <= 5; i++) {
      clock.advance(15 * 60_000); // the 15-minute schedule fires at 02:15 ... 03:15
      await vi.waitFor(() => expect(m.status()).toMatchObject({ running: false, passes: 1 + i }), { timeout: 15_000 });
    }
    await m.stop();
    expect(store.ticks.countTicks('BTCUSD')).toBe(0);
    expect(archive.listDays('BTCUSD', 'ticks')).toEqual(['2026-01-01']);
    expect(await archive.readTicks('BTCUSD', ...ALL)).toEqual(stored);
    for (const tf of ['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1'] as const) expect(archive.listDays('BTCUSD', `candles-${tf}`)).toEqual(['2026-01-01']);
    expect(await archive.readCandles('BTCUSD', 'S1', ...ALL)).toEqual(s1);
    expect(store.candles.countCandles('BTCUSD', 'S1')).toBe(s1.length); // aggregates stay 48 h
    expect(events.some((e) => e.kind === 'archive.day' && e.data.kind === 'ticks')).toBe(true);

    // 2026-01-03 02:00: the 00:00-01:00 hour of 01-01 is older than 48 h: S1 and M1 leave SQLite, M5 stays
    clock.setWall(DAY + 50 * H);
    const report = await m.runOnce();
    expect(report.candlesPruned).toBeGreaterThan(s1.length);
    expect(store.candles.countCandles('BTCUSD', 'S1')).toBe(0);
    expect(store.candles.countCandles('BTCUSD', 'M1')).toBe(0);
    expect(store.candles.queryCandles({ symbol: 'BTCUSD', timeframe: 'M5', limit: 100 })).toEqual(m5);
    expect(await archive.readCandles('BTCUSD', 'S1', ...ALL)).toEqual(s1);
    expect(report.logsDeleted).toEqual({ events: 2 });

    // a pass with nothing new rewrites nothing
    const quiet = await m.runOnce();
    expect(quiet.days.filter((d) => d.written)).toEqual([]);

    // 15 days later the day files leave the archive (14-day retention)
    clock.setWall(DAY + 15 * 24 * H + 3 * H);
    const late = await m.runOnce();
    expect(late.filesDeleted).toHaveLength(8);
    expect(archive.listDays('BTCUSD', 'ticks')).toEqual([]);
  });

  it('does not prune a minute slice that changed while it was archived, and merges it on the next pass', async () => {
    const archive = Archive.forDataDir(tmp.dir, { rowGroupRows: 1000 });
    const late: Tick = { ...ticks[100]!, seq: 9_999_999_999, tsInit: ticks[100]!.tsInit + 1 };
    let injected = false;
    const m = mover(archive, {
      writeOptions: {
        afterRowGroup: () => {
          if (!injected) store.ticks.insertTicks([late]); // a gap-fill lands while the day is being written
          injected = true;
        },
      },
    });
    clock.setWall(DAY + 28 * H);
    const first = await m.runOnce();
    const day = first.days.find((d) => d.kind === 'ticks')!;
    // ticks are pruned a minute at a time: only the minute the late tick landed in stays
    const minute = Math.floor(late.tsEvent / 60_000) * 60_000;
    const inMinute = ticks.filter((t) => t.tsEvent >= minute && t.tsEvent < minute + 60_000).length;
    expect(inMinute).toBeGreaterThan(0);
    expect(inMinute).toBeLessThan(5000);
    expect(day).toMatchObject({ sqliteRows: 5000, fileRows: 5000, pruned: 5000 - inMinute, mismatched: 1 });
    expect(store.ticks.countTicks('BTCUSD')).toBe(inMinute + 1);
    expect(events.some((e) => e.kind === 'archive.prune_deferred')).toBe(true);

    const second = await m.runOnce();
    expect(second.days.find((d) => d.kind === 'ticks')).toMatchObject({ sqliteRows: inMinute + 1, fileRows: 5001, pruned: inMinute + 1, mismatched: 0 });
    expect(store.ticks.countTicks('BTCUSD')).toBe(0);
    const back = await archive.readTicks('BTCUSD', ...ALL);
    expect(back).toHaveLength(5001);
    expect(back.filter((t) => t.seq === late.seq)).toEqual([late]);
  });

  it('never prunes a day whose file could not be written and verified', async () => {
    const archive = Archive.forDataDir(tmp.dir, { rowGroupRows: 1000 });
    const m = mover(archive, {
      writeOptions: {
        afterRowGroup: (n) => {
          if (n >= 3000) throw new Error('ENOSPC: no space left on device');
        },
      },
    });
    clock.setWall(DAY + 28 * H);
    const report = await m.runOnce();
    expect(report.errors.some((e) => e.includes('ticks BTCUSD 2026-01-01') && e.includes('ENOSPC'))).toBe(true);
    expect(store.ticks.countTicks('BTCUSD')).toBe(5000);
    expect(existsSync(archive.pathOf('ticks', 'BTCUSD', '2026-01-01'))).toBe(false);
    expect(events.some((e) => e.kind === 'archive.failed' && e.level === 'error')).toBe(true);
  });

  it('archiveBefore archives and prunes now, up to the given instant', async () => {
    const archive = Archive.forDataDir(tmp.dir);
    const m = mover(archive);
    clock.setWall(DAY + 2 * H); // the day is not over yet
    expect((await m.archiveBefore(DAY)).days).toEqual([]);
    const report = await m.archiveBefore(DAY + 24 * H);
    expect(report.ticksPruned).toBe(5000);
    expect(store.ticks.countTicks()).toBe(0);
  });
});
