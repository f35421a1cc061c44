import { beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { decideOffset, INITIAL_OFFSET_STATE, type OffsetState } from '../../../src/pipeline/calibration/offsetDecision.js';
import { PairBook } from '../../../src/pipeline/calibration/PairBook.js';
import { freshness, reconciliationWeights, weightedValue } from '../../../src/pipeline/calibration/weights.js';
import { binanceMinutes, dukascopyTicks, HOUR_END, HOUR_START, klineCloseTicks, mergeByTime } from './fixtures.js';

let broker: Tick[] = [];
let binance: Tick[] = [];

beforeAll(async () => {
  broker = await dukascopyTicks();
  binance = klineCloseTicks((await binanceMinutes()).filter((m) => m.openTime >= HOUR_START && m.openTime < HOUR_END));
});

function feed(book: PairBook, ticks: readonly Tick[]): void {
  for (const t of ticks) {
    if (t.source === 'binance') book.addBinance(t.tsEvent, t.last as number);
    else book.addBroker(t.tsEvent, ((t.bid as number) + (t.ask as number)) / 2, (t.ask as number) - (t.bid as number));
  }
}

const options = { pairWindowMs: 30_000, brokerGraceMs: 1_000, minPairSpacingMs: 1_000, maxPairs: 4096 };

describe('PairBook (as-of pairing)', () => {
  it('gives the same pairs whichever feed delivers first (broker first, Binance first, or each Binance price 5 s late)', () => {
    const a = new PairBook(options);
    feed(a, mergeByTime(broker, binance));
    const b = new PairBook(options);
    feed(b, mergeByTime(binance, broker));
    // every Binance price arrives 5 s after its venue time: it is paired from the broker history, as-of its own time
    const c = new PairBook(options);
    const late = [...broker.map((t) => ({ at: t.tsEvent, t })), ...binance.map((t) => ({ at: t.tsEvent + 5_000, t }))].sort((x, y) => x.at - y.at);
    feed(c, late.map((x) => x.t));
    for (const book of [a, b, c]) book.settle(HOUR_END + 1_000);
    const pa = a.pairsIn(0, HOUR_END);
    expect(pa.values).toHaveLength(60);
    expect(b.pairsIn(0, HOUR_END)).toEqual(pa);
    expect(c.pairsIn(0, HOUR_END)).toEqual(pa);
  });

  it('waits for the broker to reach a Binance price time, then takes the broker silence as "unchanged" after the grace', () => {
    const book = new PairBook({ ...options, pairWindowMs: 5_000 });
    book.addBroker(1_000, 100, 2);
    book.addBinance(3_000, 90); // broker only at 1 000: waits
    expect(book.pairsIn(0, 10_000).values).toEqual([]);
    book.settle(3_500); // grace 1 s not over
    expect(book.pairsIn(0, 10_000).values).toEqual([]);
    book.settle(4_000);
    expect(book.pairsIn(0, 10_000).values).toEqual([10]);
    book.addBinance(10_000, 95);
    book.addBroker(12_000, 101, 2); // the quote in force at 10 000 was the one from 1 000: 9 s old > 5 s
    expect(book.pairsIn(0, 20_000).values).toEqual([10]);
    expect(book.stats().tooOld).toBe(1);
    book.addBinance(12_000, 96); // same instant as the broker quote: paired with it
    expect(book.pairsIn(0, 20_000).values).toEqual([10, 5]);
    book.addBroker(11_000, 50, 2); // out of order: ignored
    expect(book.stats().outOfOrder).toBe(1);
    expect(book.brokerSpread()).toBe(2);
  });

  it('samples at most one pair per minPairSpacingMs', () => {
    const book = new PairBook({ ...options, minPairSpacingMs: 1_000 });
    book.addBroker(0, 100, 1);
    for (let t = 0; t <= 3_000; t += 250) book.addBinance(t, 99);
    book.settle(5_000);
    expect(book.pairsIn(-1, 3_000).values).toEqual([1, 1, 1, 1]);
    expect(book.stats().sampledOut).toBe(9);
  });
});

describe('decideOffset (the discrepancy rule)', () => {
  const run = (candidates: number[], threshold: number | null, settle = 3) => {
    let state: OffsetState = INITIAL_OFFSET_STATE;
    return candidates.map((c) => {
      const d = decideOffset(state, c, threshold, settle);
      state = d.state;
      return [d.offset, d.held, d.discrepancy, d.event, d.streak];
    });
  };

  it('adopts the first candidate and every move within the threshold (inclusive)', () => {
    expect(run([2, 7, 12, 2], 10)).toEqual([
      [2, false, false, null, 0],
      [7, false, false, null, 0],
      [12, false, false, null, 0],
      [2, false, false, null, 0],
    ]);
  });

  it('holds on a jump, restarts the count on an unstable candidate, settles after 3 stable ones', () => {
    expect(run([2, 40, 45, 80, 82, 79, 81, 90], 10)).toEqual([
      [2, false, false, null, 0],
      [2, true, true, 'flagged', 0],
      [2, true, true, null, 1],
      [2, true, true, null, 0],
      [2, true, true, null, 1],
      [2, true, true, null, 2],
      [81, false, false, 'settled', 3],
      [90, false, false, null, 0],
    ]);
  });

  it('with an unknown threshold nothing is a jump', () => {
    expect(run([2, 500], null)).toEqual([
      [2, false, false, null, 0],
      [500, false, false, null, 0],
    ]);
  });
});

describe('reconciliation weights', () => {
  it('w = exp(-age / tau) x quality, normalised; zero-weight sources left out', () => {
    expect(freshness(0, 2000)).toBe(1);
    expect(freshness(2000, 2000)).toBeCloseTo(Math.exp(-1), 15);
    expect(freshness(-50, 2000)).toBe(1);
    const w = reconciliationWeights(
      [
        { source: 'mt5', tsEvent: 10_000, quality: 1 },
        { source: 'binance', tsEvent: 8_000, quality: 0.5 },
        { source: 'dukascopy', tsEvent: 9_000, quality: 0 },
      ],
      10_000,
      2000,
    );
    const b = 0.5 * Math.exp(-1);
    expect(w.mt5).toBeCloseTo(1 / (1 + b), 15);
    expect(w.binance).toBeCloseTo(b / (1 + b), 15);
    expect(w.dukascopy).toBeUndefined();
    expect(weightedValue({ mt5: 100, binance: 110 }, w)).toBeCloseTo((100 + 110 * b) / (1 + b), 12);
    expect(reconciliationWeights([{ source: 'mt5', tsEvent: 0, quality: 0 }], 0, 1000)).toEqual({});
    expect(weightedValue({ mt5: 1 }, {})).toBeNull();
  });
});
