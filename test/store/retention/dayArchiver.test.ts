import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TestClock, type Candle, type Tick } from '../../../src/core/index.js';
import { CandleAggregator, importFile } from '../../../src/pipeline/index.js';
import { Archive, ArchiveSql, CANDLE_COLUMNS, digestRows, TICK_COLUMNS } from '../../../src/store/archive/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { DayArchiver } from '../../../src/store/retention/index.js';
import { AGG_TRADES_2026, fixturePath } from '../../fixtures/load.js';
import { tmpFolder } from '../fixtures.js';

const DAY = Date.UTC(2026, 0, 1);
const ALL = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

async function aggTrades(): Promise<Tick[]> {
  const ticks: Tick[] = [];
  for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) ticks.push(...b.ticks);
  return ticks;
}

async function s1Candles(): Promise<Candle[]> {
  const ticks = await aggTrades();
  const out: Candle[] = [];
  const agg = new CandleAggregator({ symbol: 'BTCUSD', basis: 'trade', clock: new TestClock(DAY), onClosed: (c) => c.timeframe === 'S1' && out.push(c) });
  for (const t of ticks) agg.add(t);
  return out;
}

describe('DayArchiver.candles (read an hour of one source per turn)', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  let store: Store;

  beforeEach(() => {
    tmp = tmpFolder('utp-dayarchiver-');
    store = openStore({ path: ':memory:' });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('writes several sources in file order (source, time), prunes by hour, and does not rewrite an unchanged day', async () => {
    const binance = await s1Candles();
    const mt5 = binance.map((c) => ({ ...c, sources: ['mt5' as const], close: c.close + 1 }));
    store.candles.upsertCandles([...mt5, ...binance]);
    const sql = new ArchiveSql(store.db);
    const expected = sql.candles('BTCUSD', 'S1', DAY, DAY + 86_400_000); // ordered by source, open time
    expect(expected.length).toBe(2 * binance.length);
    expect(sql.candleSources('BTCUSD', 'S1')).toEqual(['binance', 'mt5']);

    const archive = Archive.forDataDir(tmp.dir, { rowGroupRows: 1000 });
    const days = new DayArchiver(store.db, archive);
    const first = await days.candles('BTCUSD', 'S1', '2026-01-01', null);
    expect(first).toMatchObject({ sqliteRows: expected.length, fileRows: expected.length, written: true, pruned: 0 });
    expect(await archive.verifyDay('candles-S1', 'BTCUSD', '2026-01-01')).toEqual(digestRows(CANDLE_COLUMNS, expected));

    // unchanged: not rewritten; then every hour ending before the cutoff leaves SQLite
    expect(await days.candles('BTCUSD', 'S1', '2026-01-01', null)).toMatchObject({ written: false });
    const pruned = await days.candles('BTCUSD', 'S1', '2026-01-01', DAY + 86_400_000);
    expect(pruned).toMatchObject({ written: false, pruned: expected.length, mismatched: 0 });
    expect(store.candles.countCandles('BTCUSD', 'S1')).toBe(0);
    expect(await archive.readCandles('BTCUSD', 'S1', ...ALL, { source: 'mt5' })).toEqual(mt5);
  });

  it('reads and prunes a burst minute in parts of about 2,000 rows, exactly', async () => {
    // the 5,000 real trades squeezed into one minute (a burst), each keeping its venue id
    const burst = (await aggTrades()).map((t, i) => ({ ...t, tsEvent: DAY + 60_000 + i * 10, tsInit: DAY + 60_000 + i * 10 + 1 }));
    store.ticks.insertTicks(burst);
    const sql = new ArchiveSql(store.db);
    const expected = digestRows(TICK_COLUMNS, sql.ticks('BTCUSD', DAY, DAY + 86_400_000));
    const archive = Archive.forDataDir(tmp.dir);
    const reads = vi.spyOn(ArchiveSql.prototype, 'ticks');
    const outcome = await new DayArchiver(store.db, archive).ticks('BTCUSD', '2026-01-01');
    const sizes = reads.mock.results.map((r) => (r.value as unknown[]).length).filter((n) => n > 0);
    reads.mockRestore();
    expect(sizes).toHaveLength(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2_000);
    expect(outcome).toMatchObject({ sqliteRows: 5000, fileRows: 5000, pruned: 5000, mismatched: 0 });
    expect(await archive.verifyDay('ticks', 'BTCUSD', '2026-01-01')).toEqual(expected);
  });
});
