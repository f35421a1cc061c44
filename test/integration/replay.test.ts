/**
 * End to end in one process: the recorded Binance aggTrades go through the
 * local replay server (real WebSocket protocol), the real Binance client, the
 * pipeline and the recorder into SQLite. What is stored must equal the
 * recording exactly, and the stored candles must equal an independent
 * group-by computation from the CSV.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/core/index.js';
import { DATABASE_FILE, type App } from '../../src/server/compose.js';
import type { TestClock } from '../../src/core/clock/TestClock.js';
import {
  CLOCK_START,
  RECORDING,
  expectedCandles,
  readAggTrades,
  startReplayApp,
  tempDir,
  waitForAccepted,
  type ExpectedCandle,
} from './replayFixture.js';

const rows = readAggTrades();
const M1 = expectedCandles(rows, 60_000);
const M5 = expectedCandles(rows, 300_000);
const S1 = expectedCandles(rows, 1_000);

type CandleRow = {
  source: string;
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quote_volume: number;
  trades: number;
  taker_buy_volume: number;
  taker_buy_quote_volume: number;
  basis: string;
  closed: number;
  ts_event: number;
  ts_init: number;
};

/** The stored row a closed candle of the BTCUSD binance stream must be. */
function storedRow(c: ExpectedCandle, source = 'binance'): CandleRow {
  return {
    source,
    open_time: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quote_volume: c.quoteVolume,
    trades: c.trades,
    taker_buy_volume: c.takerBuyVolume,
    taker_buy_quote_volume: c.takerBuyQuoteVolume,
    basis: 'trade',
    closed: 1,
    ts_event: c.tsEvent,
    ts_init: CLOCK_START,
  };
}

function candleRows(db: Database.Database, timeframe: string, source?: string): CandleRow[] {
  const cols =
    'source, open_time, open, high, low, close, volume, quote_volume, trades, taker_buy_volume, taker_buy_quote_volume, basis, closed, ts_event, ts_init';
  return (
    source === undefined
      ? db.prepare(`SELECT ${cols} FROM candles WHERE symbol = 'BTCUSD' AND timeframe = ? ORDER BY open_time`).all(timeframe)
      : db.prepare(`SELECT ${cols} FROM candles WHERE symbol = 'BTCUSD' AND timeframe = ? AND source = ? ORDER BY open_time`).all(timeframe, source)
  ) as CandleRow[];
}

describe('the recording itself (sanity of the independent expectation)', () => {
  it('has 5000 rows with consecutive agg ids and non-decreasing times over 13 minutes', () => {
    expect(rows).toHaveLength(5000);
    expect(rows[0]).toMatchObject({ a: 3800397495, price: 87648.21, qty: 0.08185, tsEvent: 1767225600039 });
    expect(rows[4999]).toMatchObject({ a: 3800402494, price: 87759.14, qty: 0.01614, tsEvent: 1767226339347 });
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.a).toBe(rows[i - 1]!.a + 1);
      expect(rows[i]!.tsEvent).toBeGreaterThanOrEqual(rows[i - 1]!.tsEvent);
    }
    expect(M1).toHaveLength(13); // 00:00 .. 00:12, no empty minute
    expect(M1.every((c) => !c.empty)).toBe(true);
    expect(M1.reduce((n, c) => n + c.trades, 0)).toBe(rows.reduce((n, r) => n + r.l - r.f + 1, 0));
    expect(S1).toHaveLength(740); // 00:00:00 .. 00:12:19
  });
});

describe('replay of the recording through WebSocket, pipeline and SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let clock: TestClock;
  let db: Database.Database;
  const open: Partial<Record<string, Candle | null>> = {};
  let feed: ReturnType<App['ctx']['facts']>['feeds'][number];

  beforeAll(async () => {
    dir = tempDir('utp-replay-');
    ({ app, clock } = await startReplayApp(dir.dir));
    await waitForAccepted(app, 5000);
    for (const tf of ['S1', 'M1', 'M5', 'M15', 'H1', 'H4', 'D1']) open[tf] = app.pipeline.openCandle('BTCUSD', tf as never);
    feed = app.ctx.facts().feeds[0]!;
    await app.stop();
    db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
  });

  afterAll(async () => {
    db?.close();
    await app?.stop();
    dir?.remove();
  });

  it('replays the default recording, counting every frame and dropping none', () => {
    expect(app.config.replay.file).toBe(RECORDING);
    expect(app.pipeline.stats()).toMatchObject({
      accepted: 5000,
      rejected: 0,
      unknownSymbol: 0,
      lateTicks: 0,
      candlesClosed: 739 + 12 + 2, // S1 00:00:00-00:12:18 (empty seconds included), M1 00:00-00:11, M5 00:00 and 00:05
    });
    expect(app.pipeline.stats().rejectReasons).toEqual({});
    // Two redundant connections: each frame is received up to twice (the second connects a little later), delivered once.
    expect(feed).toMatchObject({ id: 'binance-spot', source: 'binance', symbols: ['BTCUSD'], ticks: 5000, dropped: 0, reconnects: 0 });
    expect(feed?.frames).toBeGreaterThan(5000);
    expect(feed?.frames).toBeLessThanOrEqual(10_000);
    expect(app.replay?.status()).toMatchObject({ loops: 0, position: 5000, events: 5000 });
    expect(app.replay?.status().framesSent).toBeGreaterThanOrEqual(feed?.frames ?? 0);
    expect(clock.now()).toBe(CLOCK_START);
  });

  it('stores exactly the recorded trades: every agg id once, in order, with price, size, time and side', () => {
    const stored = db
      .prepare('SELECT symbol, source, ts_event, ts_init, bid, ask, last, volume, trades, taker_side, seq, "offset" FROM unified_ticks ORDER BY ts_event, seq')
      .all();
    expect(stored).toHaveLength(5000);
    expect(stored).toEqual(
      rows.map((r) => ({
        symbol: 'BTCUSD',
        source: 'binance',
        ts_event: r.tsEvent,
        ts_init: CLOCK_START,
        bid: null,
        ask: null,
        last: r.price,
        volume: r.qty,
        trades: r.l - r.f + 1,
        taker_side: r.buyerMaker ? 'sell' : 'buy',
        seq: r.a,
        offset: 0,
      })),
    );
    expect(db.prepare('SELECT COUNT(DISTINCT seq) AS n FROM unified_ticks').get()).toEqual({ n: 5000 });
  });

  it('stores the 12 closed minutes equal to the group-by-minute computation', () => {
    expect(candleRows(db, 'M1')).toEqual(M1.slice(0, 12).map((c) => storedRow(c)));
    // spot checks of the independent computation, so a shared mistake cannot hide
    expect(storedRow(M1[0]!)).toMatchObject({ open: 87648.21, high: 87648.22, low: 87632.74, close: 87648, volume: 4.08049, trades: 1193 });
    expect(storedRow(M1[5]!)).toMatchObject({ open: 87701.91, high: 87816, low: 87701.9, close: 87761.47, volume: 33.42454, trades: 4140 });
  });

  it('does not store the last minute: nothing closed it (no later tick, the clock did not pass its end) and stop() leaves forming candles open', () => {
    const last = M1[12]!;
    expect(last.openTime).toBe(Date.UTC(2026, 0, 1, 0, 12));
    expect(db.prepare("SELECT COUNT(*) AS n FROM candles WHERE timeframe = 'M1' AND open_time = ?").get(last.openTime)).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM candles WHERE closed = 0').get()).toEqual({ n: 0 });
    // it was forming in the pipeline, equal to the computation so far
    expect(open.M1).toMatchObject({
      timeframe: 'M1',
      openTime: last.openTime,
      open: last.open,
      high: last.high,
      low: last.low,
      close: last.close,
      volume: last.volume,
      quoteVolume: last.quoteVolume,
      trades: last.trades,
      closed: false,
      sources: ['binance'],
      tsEvent: 1767226339347,
    });
  });

  it('stores M5 00:00 and 00:05 and no higher timeframe (none of them ended inside the recording)', () => {
    expect(M5).toHaveLength(3);
    expect(candleRows(db, 'M5')).toEqual(M5.slice(0, 2).map((c) => storedRow(c)));
    expect(open.M5).toMatchObject({ openTime: M5[2]!.openTime, close: 87759.14, trades: M5[2]!.trades, closed: false });
    for (const tf of ['M15', 'H1', 'H4', 'D1']) {
      expect(candleRows(db, tf)).toEqual([]);
      const whole = expectedCandles(rows, { M15: 900_000, H1: 3_600_000, H4: 14_400_000, D1: 86_400_000 }[tf] as number);
      expect(whole).toHaveLength(1);
      expect(open[tf]).toMatchObject({ open: 87648.21, close: 87759.14, volume: whole[0]!.volume, trades: whole[0]!.trades, closed: false });
    }
  });

  it('stores every closed second of S1 (674 traded, 65 empty) equal to the computation', () => {
    const closed = S1.slice(0, -1);
    expect(closed.filter((c) => !c.empty)).toHaveLength(674);
    expect(candleRows(db, 'S1', 'binance')).toEqual(closed.map((c) => storedRow(c)));
    expect(open.S1).toMatchObject({ openTime: S1[S1.length - 1]!.openTime, closed: false });
  });

  it('stores the 65 empty seconds under the symbol source, O=H=L=C = previous close', () => {
    const empties = S1.slice(0, -1).filter((c) => c.empty);
    expect(empties).toHaveLength(65);
    expect(candleRows(db, 'S1', 'binance').filter((r) => r.trades === 0)).toEqual(empties.map((c) => storedRow(c)));
  });

  it('logs the lifecycle in the event log', () => {
    const kinds = (db.prepare('SELECT kind FROM event_log ORDER BY id').all() as { kind: string }[]).map((r) => r.kind);
    expect(kinds.filter((k) => /^(system|feed)\./.test(k))).toEqual(['system.started', 'feed.starting', 'feed.connected', 'feed.open', 'feed.open', 'feed.stopped', 'system.stopped']);
  });
});

describe('the last minute closes by the clock, once venue time passes its end plus the 2 s grace', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: App;
  let clock: TestClock;
  let db: Database.Database;

  beforeAll(async () => {
    dir = tempDir('utp-replay-clock-');
    ({ app, clock } = await startReplayApp(dir.dir));
    await waitForAccepted(app, 5000);
  });

  afterAll(async () => {
    db?.close();
    await app?.stop();
    dir?.remove();
  });

  it('stays open 42.5 s after the last tick and is closed and stored at 42.75 s', async () => {
    // last tick 00:12:19.347; the minute ends 00:13:00.000; closeByClock runs every 250 ms with a 2000 ms grace
    clock.advance(42_500);
    expect(app.pipeline.openCandle('BTCUSD', 'M1')).toMatchObject({ openTime: M1[12]!.openTime, closed: false });
    clock.advance(250);
    expect(app.pipeline.openCandle('BTCUSD', 'M1')).toBeNull();
    await app.stop();
    db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
    const closeTime = CLOCK_START + 42_750;
    expect(candleRows(db, 'M1')).toEqual(M1.map((c, i) => ({ ...storedRow(c), ts_init: i === 12 ? closeTime : CLOCK_START })));
    expect(candleRows(db, 'M5')).toHaveLength(2); // 00:10 ends at 00:15
  });
});
