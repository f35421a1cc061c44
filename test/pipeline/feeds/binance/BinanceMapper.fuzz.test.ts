import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { BinanceMapper } from '../../../../src/pipeline/feeds/binance/BinanceMapper.js';
import { readCapture } from './captures.js';

/** Small seeded PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['"', '\\', ' ', '0', '1', '-', '.', '}', '{', ',', ':', 'e', 'E', 'x', '9', '\n', 'n', 't', '[', 'N'];

describe('fast tiers agree with JSON.parse + zod on mutated frames', () => {
  it('20 000 single-character mutations of real frames give identical outcomes', () => {
    const symbols = { btcusdt: 'BTCUSD', nknusdt: 'NKNUSD', sushiusdt: 'SUSHIUSD', ctkusdt: 'CTKUSD', xauusdt: 'XAUUSD' };
    const seeds = [
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600039,"s":"BTCUSDT","a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true,"M":true}}',
      '{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"87648.21000000","B":"1.50000000","a":"87648.22000000","A":"0.30000000"}}',
      '{"stream":"xauusdt@aggTrade","data":{"e":"aggTrade","E":1767225600100,"a":5,"s":"XAUUSDT","p":"4330.50","q":"0.120","nq":"0.100","f":9,"l":10,"T":1767225600099,"m":false,"st":1}}',
      '{"e":"aggTrade","E":1767225600039,"s":"BTCUSDT","a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true,"M":true}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1502942428322,"s":"BTCUSDT","t":12,"p":"4261.48000000","q":"0.10000000","T":1502942428322,"m":false,"M":true}}',
      ...readCapture('BINANCE_FUTURES.ws.1.0.txt')
        .filter((f) => f.raw.includes('@bookTicker') || f.raw.includes('@aggTrade'))
        .slice(0, 20)
        .map((f) => f.raw),
      ...readCapture('BINANCE.ws.1.0.txt')
        .filter((f) => f.raw.includes('nknusdt@bookTicker') || f.raw.includes('nknusdt@aggTrade'))
        .slice(0, 10)
        .map((f) => f.raw),
    ];
    const clock = new TestClock(Date.UTC(2026, 0, 1));
    const fast = new BinanceMapper({ symbols, clock });
    const slow = new BinanceMapper({ symbols, clock, fastPath: false });
    const rnd = prng(42);
    let ticks = 0;
    for (let n = 0; n < 20_000; n++) {
      const base = seeds[Math.floor(rnd() * seeds.length)] as string;
      const at = Math.floor(rnd() * base.length);
      const ch = CHARS[Math.floor(rnd() * CHARS.length)] as string;
      const op = rnd();
      const raw =
        op < 0.4 ? base.slice(0, at) + ch + base.slice(at + 1) : op < 0.7 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + ch + base.slice(at);
      const a = fast.map(raw);
      const b = slow.map(raw);
      if (JSON.stringify(a) !== JSON.stringify(b)) expect({ raw, out: a }).toEqual({ raw, out: b });
      if (a.kind === 'tick') ticks++;
    }
    // Many mutations keep the frame valid (a digit changed); most of those stay on the fast tiers
    // (valid but unusual ones, e.g. with whitespace, fall back to JSON.parse).
    expect(ticks).toBeGreaterThan(1000);
    expect(fast.counters().fastPath).toBeLessThanOrEqual(ticks);
    expect(fast.counters().fastPath).toBeGreaterThan(ticks * 0.8);
    expect(fast.counters().byReason).toEqual(slow.counters().byReason);
  });
});
