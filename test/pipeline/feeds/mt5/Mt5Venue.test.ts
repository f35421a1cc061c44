import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { TemporaryError } from '../../../../src/core/errors.js';
import { commentForKey, Mt5Venue, type Mt5VenueBridge } from '../../../../src/pipeline/feeds/mt5/Mt5Venue.js';
import type { Mt5PositionsSnapshot, Mt5RequestInput, Position, RespMessage } from '../../../../src/pipeline/feeds/mt5/index.js';
import { drained, drive, lastQuote, received, tradeRig, until, type TradeRig } from './tradeRig.js';

let rig: TradeRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

const round2 = (x: number) => Math.round(x * 100) / 100;

async function venueRig(timeoutMs = 3_000): Promise<{ r: TradeRig; venue: Mt5Venue }> {
  const r = await tradeRig();
  rig = r;
  return { r, venue: new Mt5Venue({ bridge: r.bridge, clock: r.clock, symbols: { BTCUSD: 'BTCUSD' }, timeoutMs, magic: 77 }) };
}

describe('Mt5Venue over the bridge and the simulated terminal (real TCP)', () => {
  it('fills a market order at the ask, shows the position, rejects bad stops with 10016, modifies, closes partly and fully', async () => {
    const { r, venue } = await venueRig();
    const q = lastQuote(r);
    expect(q).toMatchObject({ utcMs: Date.UTC(2023, 1, 20, 12, 0, 1, 627), bid: 24854.1, ask: 24925.8 }); // the last tick of the first 2 s of the recording
    const fill = await venue.placeOrder({ symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 24700, tp: 25100, idempotencyKey: 'entry-1' });
    expect(fill).toMatchObject({ retcode: 10009, ok: true, ticket: '700000001', price: 24925.8, volume: 0.1, fillNote: 'ask' });
    expect(received(r, 'order')[0]).toMatchObject({ idempotencyKey: 'entry-1', comment: 'entry-1', sym: 'BTCUSD', orderType: 'market', magic: 77 });
    expect(venue.positions()).toEqual([
      { ticket: '700000001', symbol: 'BTCUSD', side: 'buy', volume: 0.1, openPrice: 24925.8, openTime: Date.UTC(2023, 1, 20, 12, 0, 2, 84), sl: 24700, tp: 25100, profit: round2((24854.1 - 24925.8) * 0.1), comment: 'entry-1' },
    ]);
    expect(venue.account()).toMatchObject({ currency: 'USD', balance: 10_000, equity: round2(10_000 + (24854.1 - 24925.8) * 0.1) });

    // SL 5 USD under the bid: closer than BTCUSD's stop level (1000 points = 10 USD)
    const bad = await venue.placeOrder({ symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 24849.1, tp: null, idempotencyKey: 'entry-2' });
    expect(bad).toMatchObject({ retcode: 10016, ok: false, ticket: null });
    expect(bad.message).toContain('stop level');
    expect(venue.positions()).toHaveLength(1);

    const mod = await venue.modifyPosition('700000001', 24800, null);
    expect(mod).toMatchObject({ retcode: 10009, ok: true });
    await drained(r);
    expect(venue.positions()[0]).toMatchObject({ sl: 24800, tp: null });
    expect(await venue.modifyPosition('700000001', 24850, null)).toMatchObject({ retcode: 10016, ok: false });

    const part = await venue.closePosition('700000001', 0.04);
    expect(part).toMatchObject({ retcode: 10009, ok: true, ticket: '700000001', price: 24854.1, volume: 0.04, fillNote: 'bid' });
    const afterPart = round2(10_000 + round2((24854.1 - 24925.8) * 0.04));
    expect(venue.positions()[0]).toMatchObject({ ticket: '700000001', volume: 0.06 });
    expect(venue.account().balance).toBe(afterPart);

    const full = await venue.closePosition('700000001', null);
    expect(full).toMatchObject({ retcode: 10009, ok: true, volume: 0.06, price: 24854.1 });
    expect(venue.positions()).toEqual([]);
    expect(venue.account()).toMatchObject({ balance: round2(afterPart + round2((24854.1 - 24925.8) * 0.06)), floating: 0 });
    expect(await venue.closePosition('700000001', null)).toMatchObject({ retcode: 10036, ok: false });
  });

  it('a lost answer: the timeout finds the position by its idempotency key and never sends the order twice', async () => {
    const { r, venue } = await venueRig(3_000);
    r.sim.dropTradeAnswers(1);
    const pending = venue.placeOrder({ symbol: 'BTCUSD', side: 'sell', volume: 0.05, sl: null, tp: null, idempotencyKey: 'lost-answer-1' });
    await until(() => expect(r.bridge.positions()?.positions.map((p) => p.comment)).toEqual(['lost-answer-1']));
    await drive(r, 3_000);
    const result = await pending;
    expect(result).toMatchObject({ retcode: 10009, ok: true, ticket: '700000001', volume: 0.05 });
    expect(result.message).toContain('found by its idempotency key');
    expect(received(r, 'order')).toHaveLength(1);
    expect(r.bridge.positions()?.positions).toHaveLength(1);
  });
});

describe('Mt5Venue retry rules (scripted bridge)', () => {
  const wirePos = (comment: string): Position => ({ ticket: 42, sym: 'XAUUSD.a', type: 'buy', volume: 0.1, priceOpen: 2000, sl: 0, tp: 0, profit: 1, swap: -0.5, comment, magic: 0, timeMsc: 1_000 });
  function scripted(clock: TestClock, answers: Array<RespMessage | 'timeout'>, snap: () => Mt5PositionsSnapshot | null): { bridge: Mt5VenueBridge; sent: Mt5RequestInput[] } {
    const sent: Mt5RequestInput[] = [];
    const bridge: Mt5VenueBridge = {
      request: (input) => {
        sent.push(input);
        const a = answers.shift();
        if (a === undefined || a === 'timeout') {
          clock.advance(1_000);
          return Promise.reject(new TemporaryError('MT5 order r1: no answer within 1000 ms'));
        }
        return Promise.resolve(a);
      },
      positions: snap,
      account: () => null,
      toUtc: (ms) => ms - 7_200_000,
    };
    return { bridge, sent };
  }
  const resp = (retcode: number, ok = true): RespMessage => ({ v: 1, type: 'resp', seq: 1, ts: 0, reqId: 'r', ok, retcode, message: `rc ${retcode}`, data: { ticket: 42 } });
  const order = { symbol: 'XAUUSD', side: 'buy' as const, volume: 0.1, sl: null, tp: null, idempotencyKey: 'k1' };

  it('only 10009/10008/10010 are success, whatever resp.ok says', async () => {
    const clock = new TestClock();
    for (const [rc, ok] of [[10009, true], [10008, true], [10010, true], [10006, false], [10016, false]] as const) {
      const { bridge } = scripted(clock, [resp(rc, true)], () => null);
      const venue = new Mt5Venue({ bridge, clock, symbols: { 'XAUUSD.a': 'XAUUSD' } });
      expect(await venue.placeOrder(order)).toMatchObject({ retcode: rc, ok, ticket: '42' });
    }
  });

  it('retries with the same key only when a positions snapshot newer than the request shows no fill', async () => {
    const clock = new TestClock();
    const { bridge, sent } = scripted(clock, ['timeout', resp(10009)], () => ({ positions: [], receivedAt: clock.now() }));
    const venue = new Mt5Venue({ bridge, clock, symbols: { 'XAUUSD.a': 'XAUUSD' } });
    expect(await venue.placeOrder(order)).toMatchObject({ retcode: 10009, ok: true });
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => 'idempotencyKey' in s && s.idempotencyKey)).toEqual(['k1', 'k1']);
  });

  it('does not retry on a stale snapshot (outcome unknown: 10012), nor when the position is there', async () => {
    const clock = new TestClock();
    const stale = scripted(clock, ['timeout', resp(10009)], () => ({ positions: [], receivedAt: clock.now() - 5_000 }));
    expect(await new Mt5Venue({ bridge: stale.bridge, clock, symbols: { 'XAUUSD.a': 'XAUUSD' } }).placeOrder(order)).toMatchObject({ retcode: 10012, ok: false });
    expect(stale.sent).toHaveLength(1);
    const found = scripted(clock, ['timeout'], () => ({ positions: [wirePos('k1')], receivedAt: 0 }));
    const venue = new Mt5Venue({ bridge: found.bridge, clock, symbols: { 'XAUUSD.a': 'XAUUSD' } });
    expect(await venue.placeOrder(order)).toMatchObject({ retcode: 10009, ok: true, ticket: '42', price: 2000 });
    expect(found.sent).toHaveLength(1);
    expect(venue.positions()).toEqual([{ ticket: '42', symbol: 'XAUUSD', side: 'buy', volume: 0.1, openPrice: 2000, openTime: 1_000 - 7_200_000, sl: null, tp: null, profit: 0.5, comment: 'k1' }]);
  });

  it('writes a long idempotency key into the 31-character comment as a stable hash', () => {
    expect(commentForKey('short-key')).toBe('short-key');
    const long = commentForKey('x'.repeat(64));
    expect(long).toHaveLength(31);
    expect(long.startsWith('k:')).toBe(true);
    expect(commentForKey('x'.repeat(64))).toBe(long);
  });
});
