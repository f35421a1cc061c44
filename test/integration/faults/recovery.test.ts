/**
 * REST, frame and clock faults against the composed app in replay mode (real
 * 5000-trade BTCUSDT recording, finite speed on the TestClock): a 429 during
 * gap-fill, REST refusing past the fill deadline, malformed frames, and a wall
 * clock jump. Stored trades must equal the recording exactly, or exactly minus
 * the range reported unfillable.
 */
import { describe, expect, it } from 'vitest';
import { getMarketState } from '../../../src/tools/market/getMarketState.js';
import { getSystemStatus } from '../../../src/tools/system/getSystemStatus.js';
import { drive, expectExact, gapRows, idAt, ROWS, startReplay, until } from './faultHarness.js';

describe('REST, frame and clock faults, whole system', () => {
  it('429 on gap-fill: the filler waits out Retry-After on the clock (never banned), then fills; stored trades equal the recording', async () => {
    const h = await startReplay(10);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(10_000);
    server.rateLimitRest(2, 2); // the next two REST calls: 429 with Retry-After: 2
    server.dropClients();
    await until(() => expect(h.feed().state).toBe('disconnected'));
    const k = h.accepted();
    h.clock.advance(3_000);
    const p = h.played(); // live resumes at row p once the clock moves again
    await until(() => expect(h.connectionsUp()).toBe(2));
    await until(() => expect(server.status().rest.rateLimited).toBe(1));
    expect(h.accepted()).toBe(k); // the fill is waiting for Retry-After, nothing filled yet
    // live frames arrive meanwhile and are held behind the hole; the clock lets Retry-After pass twice
    await drive(h.clock, () => expect(h.accepted()).toBe(h.played()));
    expect(server.status().rest).toMatchObject({ rateLimited: 2, banned: 0 });
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    // live ticks from row p were held behind the hole while the filler waited: the hole is k..p-1, filled in full
    expect(gapRows(events)).toEqual([
      ['gap.open', idAt(k), idAt(p - 1), 0],
      ['gap.filled', idAt(k), idAt(p - 1), p - k],
    ]);
    expect(p - k).toBeGreaterThan(50);
  });

  it('REST refusing past the fill deadline: the hole is stored as unfillable with its exact ids, shown by get_market_state; every other trade is stored exactly', async () => {
    const h = await startReplay(10);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(10_000);
    server.refuseConnections(Infinity, { rest: true });
    server.dropClients();
    await until(() => expect(h.feed().state).toBe('disconnected'));
    const k = h.accepted();
    h.clock.advance(3_000);
    const p = h.played();
    await until(() => expect(h.connectionsUp()).toBe(2)); // live resumes at row p: ids k..p-1 exist only on REST
    // fill retries back off 250 ms .. 5 s on the clock; the deadline is 30 s of continuous failure
    await drive(h.clock, () => expect(h.seen.gaps.some((g) => g.state === 'unfillable')).toBe(true));
    expect(h.seen.gaps.map((g) => g.state)).toEqual(['open', 'unfillable']);
    const unfillable = h.seen.gaps[1]!;
    expect(unfillable).toMatchObject({ state: 'unfillable', fromSeq: idAt(k), toSeq: idAt(p - 1), recovered: 0, reason: expect.stringMatching(/REST failing for \d+ ms/) });
    const state = getMarketState.handler({ symbol: 'BTCUSD' }, h.app.ctx) as Awaited<ReturnType<typeof getMarketState.handler>>;
    expect(state.gaps).toEqual({ open: [], filled: 0, unfillable: [{ from: unfillable.from, to: unfillable.to, source: 'binance', reason: unfillable.reason }] });
    expect(unfillable.from).toBe(ROWS[k - 1]!.tsEvent);
    expect(unfillable.to).toBe(ROWS[p]!.tsEvent);
    await h.finish(1_000, p - k);

    const { trades, events } = await h.stopAndRead();
    const lost = new Set(ROWS.slice(k, p).map((r) => r.a));
    expect(lost.size).toBeGreaterThan(50);
    expectExact(trades, lost);
    expect(gapRows(events)).toEqual([
      ['gap.open', idAt(k), idAt(p - 1), 0],
      ['gap.unfillable', idAt(k), idAt(p - 1), 0],
    ]);
    expect(events.find((e) => e.kind === 'gap.unfillable')).toMatchObject({ level: 'warn', symbol: 'BTCUSD', component: 'binance-spot' });
  });

  it('malformed frames are counted in get_system_status feeds[].dropped and never stored', async () => {
    const h = await startReplay(10);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(10_000);
    expect(server.sendMalformed()).toBe(8); // 4 per connection: truncated JSON, garbage, NaN price, string id
    await until(() => expect(h.seen.drops).toHaveLength(8));
    expect(h.seen.drops.map((d) => d.reason).sort()).toEqual(['invalid_json', 'invalid_json', 'invalid_json', 'invalid_json', 'non_finite', 'non_finite', 'schema_mismatch', 'schema_mismatch']);
    await h.lockstep(5_000);
    server.sendMalformed(server.clientList()[1]!.id, ['{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":3800399999,"p":"-1","q":"1","f":1,"l":1,"T":1,"m":true,"M":true}}']);
    await until(() => expect(h.seen.drops).toHaveLength(9));
    const status = (await getSystemStatus.handler({}, h.app.ctx)) as Awaited<ReturnType<typeof getSystemStatus.handler>>;
    expect(status.feeds).toEqual([expect.objectContaining({ id: 'binance-spot', dropped: 9, state: 'connected' })]);
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    expect(h.app.pipeline.stats()).toMatchObject({ accepted: 5000, rejected: 0 });
    expect(gapRows(events)).toEqual([]);
  });

  it('a wall-clock jump mid-stream publishes clock.jumped, every feed recovers (new sockets, REST catch-up), nothing lost or doubled', async () => {
    const h = await startReplay(10);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(20_000);
    const before = server.clientList().map((c) => c.id);
    const restBefore = server.status().rest.requests;
    h.clock.jumpWall(90_000); // the laptop slept 90 s: the wall clock moves, the monotonic one does not
    await h.lockstep(10_000);
    expect(h.seen.jumps).toHaveLength(1);
    expect(h.seen.jumps[0]!.monotonicDeltaMs).toBe(1_000); // the detector compares every 1 s
    expect(h.seen.jumps[0]!.jumpMs).toBeCloseTo(90_000, 2); // TestClock's wall carries sub-µs float error from the replay's fractional timers
    expect(h.seen.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['clock.jumped', 'feed.recovering']));
    await until(() => expect(server.clientList()).toHaveLength(2));
    const after = server.clientList().map((c) => c.id);
    expect(after.filter((id) => before.includes(id))).toEqual([]); // both connections replaced (with overlap)
    expect(server.status().rest.requests).toBeGreaterThan(restBefore); // caught up from REST
    expect(h.feed().reconnects).toBe(2);
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    expect(events.filter((e) => e.kind === 'clock.jumped')).toEqual([expect.objectContaining({ level: 'warn', component: 'recovery' })]);
    expect(gapRows(events).filter((g) => g[0] !== 'gap.filled')).toEqual([]);
  });
});
