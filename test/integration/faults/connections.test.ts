/**
 * Connection faults against the composed app in replay mode: the replay server
 * (real WebSocket + REST) plays the real 5000-trade BTCUSDT recording at a
 * finite speed on the TestClock; faults are injected through `app.replay`.
 * After each, SQLite must hold exactly the recorded trades.
 */
import { describe, expect, it } from 'vitest';
import { expectExact, gapRows, idAt, startReplay, until } from './faultHarness.js';

describe('connection faults, whole system (replay server -> redundant feed -> pipeline -> SQLite)', () => {
  it('kill the primary connection, then both: the outage is gap-filled from REST; stored trades equal the recording', async () => {
    const h = await startReplay(10);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(10_000); // 100 s of market
    const primary = server.clientList()[0]!.id;
    expect(server.dropClients(primary)).toBe(1);
    await until(() => expect(h.connectionsUp()).toBe(1));
    await h.lockstep(10_000); // the secondary carries on; the primary is back after its backoff (<= 500 ms)
    expect(h.connectionsUp()).toBe(2);
    expect(h.seen.gaps).toEqual([]);

    server.dropClients();
    await until(() => expect(h.feed().state).toBe('disconnected'));
    const k = h.accepted();
    h.clock.advance(3_000); // reconnect timers fire inside this step; 30 s of market trade on meanwhile, unseen
    const p = h.played();
    expect(p - k).toBeGreaterThan(50);
    await until(() => expect(h.accepted()).toBe(p)); // clock frozen: REST serves exactly what was played
    expect(h.connectionsUp()).toBe(2);
    expect(h.seen.gaps).toEqual([
      expect.objectContaining({ id: `binance-spot:BTCUSD:aggTrade:${idAt(k)}`, state: 'filled', fromSeq: idAt(k), toSeq: idAt(p - 1), recovered: p - k, source: 'binance' }),
    ]);
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    expect(gapRows(events)).toEqual([['gap.filled', idAt(k), idAt(p - 1), p - k]]);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['feed.all_down', 'feed.recovered']));
    expect(h.app.replay!.status().rest.rateLimited).toBe(0);
  });

  it('stall one connection silently: the other carries on, nothing is missing, the watchdog replaces the stalled one', async () => {
    const h = await startReplay(5);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(20_000, 1_000);
    const stalled = server.clientList()[0]!.id;
    server.stallClients(Infinity, stalled);
    await h.lockstep(80_000, 1_000); // silence threshold 60 s, checked every 15 s
    expect(server.clientList().map((c) => c.id)).not.toContain(stalled);
    expect(server.clientList()).toHaveLength(2);
    const silent = h.seen.events.filter((e) => e.kind === 'feed.silent');
    expect(silent).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/no frame for \d+ ms/) })]);
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    expect(gapRows(events)).toEqual([]);
    expect(events.filter((e) => e.kind === 'feed.all_down')).toEqual([]);
  });

  it('stall both beyond the watchdog: both are killed, reconnect, and the silent stretch is gap-filled from REST', async () => {
    const h = await startReplay(5);
    const server = h.app.replay!;
    await until(() => expect(server.clientList()).toHaveLength(2));
    await h.lockstep(20_000, 1_000);
    const k = h.accepted();
    server.stallClients(Infinity);
    // nothing reaches the feed now; step until the watchdog kills both (same check: both went silent together)
    for (let i = 0; i < 90 && h.seen.events.filter((e) => e.kind === 'feed.silent').length < 2; i++) h.clock.advance(1_000);
    expect(h.seen.events.filter((e) => e.kind === 'feed.silent')).toHaveLength(2);
    await until(() => expect(h.feed().state).toBe('disconnected'));
    expect(h.accepted()).toBe(k);
    h.clock.advance(1_000); // backoff <= 500 ms
    const p = h.played();
    await until(() => expect(h.accepted()).toBe(p));
    expect(p - k).toBeGreaterThan(1_000); // > one REST page
    expect(h.seen.gaps).toEqual([expect.objectContaining({ state: 'filled', fromSeq: idAt(k), toSeq: idAt(p - 1), recovered: p - k })]);
    await h.finish();

    const { trades, events } = await h.stopAndRead();
    expectExact(trades);
    expect(gapRows(events)).toEqual([['gap.filled', idAt(k), idAt(p - 1), p - k]]);
  });
});
