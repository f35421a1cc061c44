import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { InvalidRequestError } from '../../../src/core/index.js';
import { openStore, TICK_INSERT_CHUNK, tickInsertSql, type Store } from '../../../src/store/index.js';
import { quotes2023, trades2017 } from '../../fixtures/load.js';
import { brokerQuotes, tmpFolder } from '../fixtures.js';

const H04 = Date.UTC(2017, 7, 17, 4); // 1502942400000
const H05 = Date.UTC(2017, 7, 17, 5);

describe('TickRepo', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('stores a venue tick once: re-inserting the same tick is a no-op', () => {
    const trades = trades2017();
    // 334 rows = 20 statements of 16 rows + 14 single-row statements
    expect(TICK_INSERT_CHUNK).toBe(16);
    expect(store.ticks.insertTicks(trades)).toBe(334);
    expect(store.ticks.insertTicks(trades)).toBe(0);
    // an overlapping gap-fill: ids 300-333 are known, 0-9 as well; nothing new
    expect(store.ticks.insertTicks([...trades.slice(300), ...trades.slice(0, 10)])).toBe(0);
    expect(store.ticks.countTicks()).toBe(334);
    expect(store.ticks.countTicks('BTCUSD')).toBe(334);
    expect(store.ticks.countTicks('XAUUSD')).toBe(0);
    expect(store.ticks.insertTicks([])).toBe(0);
  });

  it('keeps the same seq from another source, symbol or kind (trade and quote ids are separate spaces)', () => {
    const t = trades2017()[0]!;
    const mt5: Tick = { ...t, source: 'mt5' };
    const xau: Tick = { ...t, symbol: 'XAUUSD' };
    // a bookTicker update id that happens to equal the aggTrade id, at the same time
    const quote: Tick = { ...quotes2023(3)[0]!, tsEvent: t.tsEvent, seq: t.seq };
    expect(store.ticks.insertTicks([t, mt5, xau, quote])).toBe(4);
    expect(store.ticks.insertTicks([t, mt5, xau, quote])).toBe(0);
    expect(store.ticks.countTicks()).toBe(4);
    const kinds = store.db.prepare('SELECT kind FROM unified_ticks ORDER BY kind').pluck().all();
    expect(kinds).toEqual(['Q', 'T', 'T', 'T']);
    // a tick with both a trade and a quote is kind B
    const both: Tick = { ...t, bid: 4261.48, ask: 4261.5, seq: 7 };
    expect(store.ticks.insertTicks([both])).toBe(1);
    expect(store.db.prepare('SELECT kind FROM unified_ticks WHERE seq = 7').pluck().get()).toBe('B');
  });

  it('ticks without a venue seq get -(1 + ordinal within their time), read back as null, in arrival order', () => {
    const quotes = brokerQuotes(40); // 7 ticks in the first second, 5 in the next, ...
    expect(store.ticks.insertTicks(quotes.slice(0, 10))).toBe(10);
    expect(store.ticks.insertTicks(quotes.slice(10))).toBe(30); // the ordinals continue across calls
    const stored = store.db
      .prepare('SELECT ts_event AS ts, seq FROM unified_ticks WHERE ts_event <= 1676894401000 ORDER BY ts_event, seq DESC')
      .all();
    expect(stored).toEqual([
      ...[-1, -2, -3, -4, -5, -6, -7].map((seq) => ({ ts: 1676894400000, seq })),
      ...[-1, -2, -3, -4, -5].map((seq) => ({ ts: 1676894401000, seq })),
    ]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 100 })).toEqual(quotes);
    expect(store.ticks.lastTick('BTCUSD', 'mt5')).toEqual(quotes[39]);
  });

  it('the same ticks without seq re-delivered in the same order dedupe, also after a restart', () => {
    const tmp = tmpFolder();
    try {
      const path = `${tmp.dir}/utp.db`;
      const quotes = brokerQuotes(40);
      const first = openStore({ path });
      expect(first.ticks.insertTicks(quotes)).toBe(40);
      first.close();
      const again = openStore({ path });
      expect(again.ticks.insertTicks(quotes.slice(0, 25))).toBe(0);
      expect(again.ticks.insertTicks(quotes.slice(25))).toBe(0);
      expect(again.ticks.countTicks()).toBe(40);
      again.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('a failed batch takes its synthetic ids back, so the retry gets the same ones', () => {
    const quotes = brokerQuotes(7); // all in one second
    const bad: Tick = { ...quotes[3]!, volume: -1 };
    expect(() => store.ticks.insertTicks([...quotes.slice(0, 3), bad])).toThrow(/CHECK constraint failed/);
    expect(store.ticks.insertTicks(quotes)).toBe(7);
    expect(store.db.prepare('SELECT seq FROM unified_ticks ORDER BY seq DESC').pluck().all()).toEqual([-1, -2, -3, -4, -5, -6, -7]);
  });

  it('orders ticks of the same time by source, kind and seq', () => {
    const t = trades2017()[0]!;
    const ts = t.tsEvent;
    const b2: Tick = { ...t, seq: 2 };
    const b1: Tick = { ...t, seq: 1 };
    const q: Tick = { ...quotes2023(3)[0]!, tsEvent: ts };
    const [m1, m2] = brokerQuotes(2).map((x) => ({ ...x, tsEvent: ts }));
    store.ticks.insertTicks([m1!, b2, q, m2!, b1]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 10 })).toEqual([q, b1, b2, m1, m2]);
    expect(store.ticks.lastTick('BTCUSD')).toEqual(m2);
  });

  it('builds one multi-row statement with positional parameters; source, kind and side bind as codes', () => {
    const row =
      "(?, ?, CASE ? WHEN 0 THEN 'binance' WHEN 1 THEN 'mt5' WHEN 2 THEN 'dukascopy' WHEN 3 THEN 'oanda' ELSE NULL END, " +
      "CASE ? WHEN 0 THEN 'T' WHEN 1 THEN 'Q' WHEN 2 THEN 'B' ELSE NULL END, ?, ?, ?, ?, ?, ?, ?, " +
      "CASE ? WHEN 0 THEN NULL WHEN 1 THEN 'buy' WHEN 2 THEN 'sell' ELSE '?' END, ?)";
    expect(tickInsertSql(2)).toBe(
      'INSERT INTO unified_ticks (symbol, ts_event, source, kind, seq, ts_init, bid, ask, last, volume, trades, taker_side, "offset") ' +
        `VALUES ${row}, ${row} ON CONFLICT DO NOTHING`,
    );
  });

  it('rejects a tick of an unknown source (it could not be read back)', () => {
    const t = trades2017()[0]!;
    expect(() => store.ticks.insertTicks([{ ...t, source: 'kraken' as 'binance' }])).toThrow(/NOT NULL constraint failed: unified_ticks.source/);
    expect(store.ticks.countTicks()).toBe(0);
  });

  it('counts inserted rows exactly when a multi-row statement holds known ticks', () => {
    const trades = trades2017();
    expect(store.ticks.insertTicks(trades.filter((_, i) => i % 3 === 0))).toBe(112);
    expect(store.ticks.insertTicks(trades)).toBe(334 - 112);
    expect(store.ticks.countTicks()).toBe(334);
  });

  it('maps rows back to the exact Tick (trades and quotes)', () => {
    const ticks = [...trades2017(), ...quotes2023(3)];
    store.ticks.insertTicks(ticks);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 1000 })).toEqual(ticks);
    const q = store.ticks.lastTick('BTCUSD')!;
    expect(q).toEqual({
      symbol: 'BTCUSD',
      source: 'binance',
      tsEvent: 1696204800025,
      tsInit: 1696204800029,
      bid: 27981.3,
      ask: 27981.4,
      last: null,
      volume: 0,
      trades: 0,
      takerSide: null,
      seq: 3319366864247,
      offset: 0,
    });
  });

  it('keeps the microsecond fraction of a 2025+ spot archive time', () => {
    // BTCUSDT-aggTrades-2026-01-01 first row: a=3800397495, p=87648.21, q=0.08185, T=1767225600039409 us
    const tick: Tick = {
      symbol: 'BTCUSD',
      source: 'binance',
      tsEvent: 1767225600039.409,
      tsInit: 1767225600040,
      bid: null,
      ask: null,
      last: 87648.21,
      volume: 0.08185,
      trades: 1,
      takerSide: 'sell',
      seq: 3800397495,
      offset: -12.5,
    };
    store.ticks.insertTicks([tick]);
    expect(store.ticks.lastTick('BTCUSD')).toEqual(tick);
  });

  it('answers ranges in time order with inclusive bounds, source filter and limit', () => {
    const trades = trades2017();
    store.ticks.insertTicks(trades);
    // Binance's H1 04:00 kline has 171 trades
    const h04 = store.ticks.rangeTicks({ symbol: 'BTCUSD', from: H04, to: H05 - 1, limit: 10_000 });
    expect(h04).toHaveLength(171);
    expect(h04[0]!.seq).toBe(0);
    expect(h04[170]!.seq).toBe(170);
    // `to` is inclusive: the first trade at exactly its time is in
    const first = trades[0]!.tsEvent;
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', from: first, to: first, limit: 5 }).map((t) => t.seq)).toEqual([0]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', from: H05, limit: 3 }).map((t) => t.seq)).toEqual([171, 172, 173]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', source: 'mt5', limit: 3 })).toEqual([]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', source: 'binance', limit: 2 }).map((t) => t.seq)).toEqual([0, 1]);
    expect(store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: 0 })).toEqual([]);
    expect(() => store.ticks.rangeTicks({ symbol: 'BTCUSD', limit: -1 })).toThrow(InvalidRequestError);
  });

  it('returns the latest tick of a symbol and source', () => {
    expect(store.ticks.lastTick('BTCUSD')).toBeNull();
    const trades = trades2017();
    const mt5: Tick = { ...trades[10]!, source: 'mt5', seq: null };
    store.ticks.insertTicks([...trades, mt5]);
    expect(store.ticks.lastTick('BTCUSD', 'mt5')!.seq).toBeNull();
    expect(store.ticks.lastTick('BTCUSD')!.seq).toBe(333);
    expect(store.ticks.lastTick('BTCUSD', 'mt5')).toEqual(mt5);
    expect(store.ticks.lastTick('BTCUSD', 'oanda')).toBeNull();
  });

  it('rejects rows that break the schema instead of skipping them', () => {
    const t = trades2017()[0]!;
    expect(() => store.ticks.insertTicks([{ ...t, takerSide: 'long' as unknown as 'buy' }])).toThrow(/CHECK constraint/);
    expect(() => store.ticks.insertTicks([{ ...t, volume: Number.NaN }])).toThrow(/NOT NULL constraint/);
    expect(store.ticks.countTicks()).toBe(0);
  });
});
