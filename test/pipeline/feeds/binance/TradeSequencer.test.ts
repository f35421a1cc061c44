import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import type { Tick } from '../../../../src/core/types/Tick.js';
import { ControlLimiter } from '../../../../src/pipeline/feeds/binance/ControlLimiter.js';
import { TradeSequencer, type TradeLane } from '../../../../src/pipeline/feeds/binance/TradeSequencer.js';

const trade = (seq: number): Tick => ({
  symbol: 'BTCUSD',
  source: 'binance',
  tsEvent: 1_000 + seq,
  tsInit: 0,
  bid: null,
  ask: null,
  last: 100,
  volume: 1,
  trades: 1,
  takerSide: 'buy',
  seq,
  offset: 0,
});

function setup(o: { maxHeld?: number; maxHoldMs?: number } = {}) {
  const clock = new TestClock();
  const out: number[] = [];
  const holes: number[] = [];
  const limits: string[] = [];
  const seq = new TradeSequencer({
    clock,
    reorderGraceMs: 100,
    maxHeld: o.maxHeld ?? 1000,
    maxHoldMs: o.maxHoldMs ?? 5000,
    deliver: (t) => out.push(t.seq as number),
    onHole: (lane) => holes.push(lane.next),
    onHoldLimit: (_lane, why) => limits.push(why),
  });
  const lane = seq.lane('BTCUSD');
  const offer = (...ids: number[]) => ids.forEach((id) => seq.offer(lane, trade(id), false));
  return { clock, out, holes, limits, seq, lane, offer };
}

describe('TradeSequencer', () => {
  it('two connections in step: each id once, in order; copies counted as duplicates', () => {
    const { out, lane, offer } = setup();
    offer(10, 10, 11, 12, 11, 12, 13, 13);
    expect(out).toEqual([10, 11, 12, 13]);
    expect(lane).toMatchObject({ next: 14, delivered: 4, duplicates: 4 });
  });

  it('out-of-order frames are held and released in id order, each exactly once, without asking REST', () => {
    const { out, holes, lane, offer, clock } = setup();
    offer(1, 5, 4, 3, 2, 6, 3, 5);
    expect(out).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lane.held.size).toBe(0);
    clock.advance(1_000);
    expect(holes).toEqual([]); // the grace timer was cancelled when the hole healed
  });

  it('a hole that outlives the grace period is handed to the filler; skipTo gives ids up and releases the held ones', () => {
    const { out, holes, lane, offer, seq, clock } = setup();
    offer(1, 2, 6, 7);
    expect(out).toEqual([1, 2]);
    clock.advance(99);
    expect(holes).toEqual([]);
    clock.advance(1);
    expect(holes).toEqual([3]);
    expect(lane.minHeld()).toBe(6);
    seq.offer(lane, trade(3), true); // a REST fill
    seq.skipTo(lane, 6); // 4..5 given up
    expect(out).toEqual([1, 2, 3, 6, 7]);
    expect(lane).toMatchObject({ next: 8, recovered: 1 });
    offer(4, 5, 8);
    expect(out).toEqual([1, 2, 3, 6, 7, 8]); // late copies of given-up ids are not delivered out of order
  });

  it('holding is bounded by count and by time; releaseHeld reports each skipped range', () => {
    const a = setup({ maxHeld: 3 });
    a.offer(1, 3, 4, 5);
    expect(a.limits).toEqual([]);
    a.offer(7);
    expect(a.limits).toEqual(['more than 3 ticks held']);
    expect(a.seq.releaseHeld(a.lane)).toEqual([
      { fromSeq: 2, toSeq: 2, from: 1_001, to: 1_003 },
      { fromSeq: 6, toSeq: 6, from: 1_005, to: 1_007 },
    ]);
    expect(a.out).toEqual([1, 3, 4, 5, 7]);
    const b = setup({ maxHoldMs: 500 });
    b.offer(1, 3);
    b.clock.advance(499);
    expect(b.limits).toEqual([]);
    b.clock.advance(1);
    expect(b.limits).toEqual(['ticks held longer than 500 ms']);
  });

  it('stop() cancels every timer', () => {
    const { clock, offer, seq } = setup();
    offer(1, 3);
    expect(clock.pending()).toBe(2); // grace + hold
    seq.stop();
    expect(clock.pending()).toBe(0);
  });

  it('lanes are independent per symbol', () => {
    const { seq, out } = setup();
    const eth: TradeLane = seq.lane('ETHUSD');
    seq.offer(seq.lane('BTCUSD'), trade(5), false);
    seq.offer(eth, { ...trade(5), symbol: 'ETHUSD' }, false);
    expect(out).toEqual([5, 5]);
  });
});

describe('ControlLimiter', () => {
  it('sends at most N messages per second, in order, on the clock', () => {
    const clock = new TestClock();
    const sent: [number, string][] = [];
    const limiter = new ControlLimiter(clock, 5, (text) => {
      sent.push([clock.monotonic(), text]);
      return true;
    });
    for (let i = 1; i <= 12; i++) limiter.send(`m${i}`);
    expect(sent.map(([t]) => t)).toEqual([0, 0, 0, 0, 0]);
    expect(limiter.pending).toBe(7);
    clock.advance(999);
    expect(sent).toHaveLength(5);
    clock.advance(1);
    expect(sent).toHaveLength(10);
    clock.advance(1000);
    expect(sent.map(([t, m]) => `${t}:${m}`)).toEqual(['0:m1', '0:m2', '0:m3', '0:m4', '0:m5', '1000:m6', '1000:m7', '1000:m8', '1000:m9', '1000:m10', '2000:m11', '2000:m12']);
    limiter.send('x');
    limiter.clear();
    expect(clock.pending()).toBe(0);
  });
});
