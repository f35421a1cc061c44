import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { InvalidRequestError } from '../../../src/core/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { quotes2023, trades2017 } from '../fixtures.js';

const H04 = Date.UTC(2017, 7, 17, 4); // 1502942400000
const H05 = Date.UTC(2017, 7, 17, 5);

describe('TickRepo', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('stores a venue tick once: re-inserting the same (symbol, source, seq) is a no-op', () => {
    const trades = trades2017();
    expect(store.ticks.insertTicks(trades)).toBe(334);
    expect(store.ticks.insertTicks(trades)).toBe(0);
    // an overlapping gap-fill: ids 300-333 are known, 0-9 as well; nothing new
    expect(store.ticks.insertTicks([...trades.slice(300), ...trades.slice(0, 10)])).toBe(0);
    expect(store.ticks.countTicks()).toBe(334);
    expect(store.ticks.countTicks('BTCUSD')).toBe(334);
    expect(store.ticks.countTicks('XAUUSD')).toBe(0);
    expect(store.ticks.insertTicks([])).toBe(0);
  });

  it('keeps the same seq from another source or symbol, and always appends ticks without seq', () => {
    const t = trades2017()[0]!;
    const mt5: Tick = { ...t, source: 'mt5' };
    const xau: Tick = { ...t, symbol: 'XAUUSD' };
    const noSeq: Tick = { ...t, seq: null };
    expect(store.ticks.insertTicks([t, mt5, xau, noSeq, noSeq])).toBe(5);
    expect(store.ticks.insertTicks([t, mt5, xau])).toBe(0);
    expect(store.ticks.countTicks()).toBe(5);
  });

  it('maps rows back to the exact Tick (trades and quotes)', () => {
    const ticks = [...trades2017(), ...quotes2023()];
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
