import { describe, expect, it } from 'vitest';
import type { ArchiveAggTrade } from '../../../../src/pipeline/feeds/binance/archive.js';
import { drive, expectedTick, playToEndExact, startedRig, strip, until, type Rig } from './feedHarness.js';

const held = (r: Rig) => r.feed.health().symbols.BTCUSD?.held ?? 0;
const a = (r: Rig, i: number) => (r.rows[i] as ArchiveAggTrade).a;

/**
 * Opens a hole in the stream: stalls every simulator client while `ms` of
 * replay passes, resumes them, plays until at least one more row went out
 * and waits until the feed holds ticks behind the hole. Returns the range of
 * rows the clients missed.
 */
async function openHole(r: Rig, ms: number): Promise<{ from: number; to: number }> {
  r.server.stallClients(Infinity);
  const from = r.played();
  r.play(ms);
  const to = r.played();
  r.server.resumeClients();
  expect(to - from).toBeGreaterThan(5);
  const before = r.played();
  while (r.played() === before) r.play(500);
  await until(() => expect(held(r)).toBeGreaterThan(0));
  return { from, to };
}

describe('BinanceFeed fault tolerance against the simulator (real 5000-row recording)', () => {
  it('kill the primary, then both: the delivered trades equal the recording exactly (the outage filled from REST)', async () => {
    const r = await startedRig(60_000);
    const primary = r.server.clientList()[0]?.id as number;
    r.server.dropClients(primary);
    await until(() => expect(r.feed.health().connected).toBe(1));
    await r.lockstep(60_000); // the secondary carries on; the primary is back after its 500 ms backoff
    expect(r.feed.health().connected).toBe(2);
    r.server.dropClients();
    await until(() => expect(r.feed.health().connected).toBe(0));
    const from = r.played();
    r.play(60_000); // the exchange trades on while we are gone
    const to = r.played();
    r.clock.advance(500);
    await r.caughtUp();
    expect(r.gaps).toEqual([
      expect.objectContaining({ id: `binance-spot:BTCUSD:aggTrade:${a(r, from)}`, state: 'filled', fromSeq: a(r, from), toSeq: a(r, to - 1), recovered: to - from }),
    ]);
    await playToEndExact(r);
    const h = r.feed.health();
    expect(h).toMatchObject({ connected: 2, reconnects: 3, delivered: 5000, dropped: 0, gaps: { open: 0, filled: 1, unfillable: 0, recovered: to - from } });
    expect(h.duplicates).toBeGreaterThan(4000); // the second copy of (almost) every trade
    expect(r.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['feed.all_down', 'feed.recovered']));
    expect(r.errors).toEqual([]);
  });

  it('stall one connection silently: the other carries on, the watchdog reconnects the stalled one', async () => {
    const r = await startedRig(30_000);
    const stalled = r.server.clientList()[0]?.id as number;
    r.server.stallClients(Infinity, stalled);
    await r.lockstep(10_000);
    await until(() => expect(r.server.clientList().map((c) => c.id)).not.toContain(stalled));
    const h = r.feed.health();
    expect(h.connections.map((c) => c.silentKills).sort()).toEqual([0, 1]);
    expect(h.connected).toBe(2);
    expect(r.events.filter((e) => e.kind === 'feed.silent')).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/no frame for \d+ ms/) })]);
    await playToEndExact(r);
    expect(r.gaps).toEqual([]);
  });

  it('stall both until the watchdog kills them: reconnect, gap-fill from REST, exact', async () => {
    const r = await startedRig(30_000);
    r.server.stallClients(Infinity);
    const from = r.played();
    r.play(20_000);
    const to = r.played();
    r.clock.advance(6_250);
    await until(() => expect(r.feed.health().connected).toBe(0));
    expect(r.feed.health().silentKills).toBe(2);
    r.clock.advance(500);
    await r.caughtUp();
    expect(r.gaps).toEqual([expect.objectContaining({ state: 'filled', fromSeq: a(r, from), toSeq: a(r, to - 1), recovered: to - from })]);
    await playToEndExact(r);
  });

  it('both connections skip frames (stall ended before the watchdog): the id jump opens a gap, REST fills it', async () => {
    const r = await startedRig(30_000);
    const { from, to } = await openHole(r, 3_000);
    expect(r.ticks).toHaveLength(from); // held behind the hole
    r.clock.advance(200); // reorder grace: the hole did not heal by itself
    await r.caughtUp();
    const range = { fromSeq: a(r, from), toSeq: a(r, to - 1) };
    expect(r.gaps.map((g) => [g.state, g.fromSeq, g.toSeq, g.recovered])).toEqual([
      ['open', range.fromSeq, range.toSeq, 0],
      ['filled', range.fromSeq, range.toSeq, to - from],
    ]);
    expect(r.gaps[0]).toMatchObject({ from: Math.floor((r.rows[from - 1] as ArchiveAggTrade).T), to: Math.floor((r.rows[to] as ArchiveAggTrade).T) });
    await playToEndExact(r);
  });

  it('429 on gap-fill: retried only after Retry-After (never banned), still exact', async () => {
    const r = await startedRig(30_000, { feed: { silenceMs: 60_000 } });
    await openHole(r, 3_000);
    r.server.rateLimitRest(2, 2);
    r.clock.advance(200);
    for (let i = 0; i < 2; i++) {
      await until(() => expect(r.rest?.status()).toMatchObject({ waiting: 1, retryAt: expect.any(Number) }));
      r.play(2_000);
      r.clock.advance(2_000);
    }
    await r.caughtUp();
    expect(r.server.status().rest).toMatchObject({ rateLimited: 2, banned: 0 });
    expect(r.rest?.status().rateLimited).toBe(2);
    expect(r.gaps.map((g) => g.state)).toEqual(['open', 'filled']);
    await playToEndExact(r);
  });

  it('malformed frames are counted and dropped; the stream goes on exact', async () => {
    const r = await startedRig(10_000);
    expect(r.server.sendMalformed()).toBe(8);
    await until(() => expect(r.drops).toHaveLength(8));
    expect([...r.drops].sort()).toEqual(['invalid_json', 'invalid_json', 'invalid_json', 'invalid_json', 'non_finite', 'non_finite', 'schema_mismatch', 'schema_mismatch']);
    expect(r.feed.health().dropped).toBe(8);
    expect(r.feed.status()).toMatchObject({ dropped: 8, state: 'connected' });
    await playToEndExact(r);
  });

  it('out-of-order frames (one connection reversed, the other silent): each trade once, in id order, no REST', async () => {
    const r = await startedRig(10_000);
    const [one, two] = r.server.clientList().map((c) => c.id) as [number, number];
    r.server.stallClients(Infinity, two);
    r.server.reorderNext(12, one);
    const before = r.played();
    while (r.played() - before < 12) r.play(250);
    await r.caughtUp();
    r.server.resumeClients(two);
    r.server.reorderNext(7); // both connections now
    await playToEndExact(r);
    expect(r.gaps).toEqual([]);
    expect(r.rest?.status().requests).toBe(1); // only the exchangeInfo check at start
  });

  it('a range REST cannot serve before the deadline is an unfillable Gap with the exact ids; everything else is exact', async () => {
    const r = await startedRig(30_000, { feed: { fillDeadlineMs: 2_000, silenceMs: 60_000 } });
    r.server.refuseConnections(Infinity, { rest: true });
    const { from, to } = await openHole(r, 3_000);
    r.clock.advance(200);
    await drive(r.clock, () => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'unfillable']), 100);
    expect(r.gaps[1]).toMatchObject({ state: 'unfillable', fromSeq: a(r, from), toSeq: a(r, to - 1), recovered: 0, reason: expect.stringMatching(/REST failing for \d+ ms/) });
    r.server.refuseConnections(0, { rest: true });
    r.play(800_000);
    await until(() => expect(r.ticks).toHaveLength(5000 - (to - from)));
    const lost = new Set(r.rows.slice(from, to).map((x) => x.a));
    expect(r.ticks.map(strip)).toEqual(r.rows.filter((x) => !lost.has(x.a)).map((x) => expectedTick(x)));
    expect(r.feed.health().gaps).toMatchObject({ open: 0, filled: 0, unfillable: 1 });
  });

  it('holding is bounded in time: past maxHoldMs the hole is unfillable and the held ticks go out in order', async () => {
    const r = await startedRig(30_000, { feed: { maxHoldMs: 1_000, fillDeadlineMs: 60_000, silenceMs: 60_000 } });
    r.server.refuseConnections(Infinity, { rest: true });
    const { from, to } = await openHole(r, 3_000);
    r.clock.advance(200);
    await drive(r.clock, () => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'unfillable']), 100);
    expect(r.gaps[1]).toMatchObject({ fromSeq: a(r, from), toSeq: a(r, to - 1), reason: expect.stringMatching(/ticks held longer than 1000 ms/) });
    expect(r.ticks.map((t) => t.seq)).toEqual([...r.rows.slice(0, from), ...r.rows.slice(to, r.played())].map((x) => x.a));
  });

  it('stop() with a hole open: the held ticks go out and the missing range is reported unfillable', async () => {
    const r = await startedRig(10_000);
    const { from, to } = await openHole(r, 3_000);
    await r.feed.stop();
    expect(r.gaps.map((g) => [g.state, g.fromSeq, g.toSeq])).toEqual([
      ['open', a(r, from), a(r, to - 1)],
      ['unfillable', a(r, from), a(r, to - 1)],
    ]);
    expect(r.ticks).toHaveLength(r.played() - (to - from));
    expect(r.clock.pending()).toBe(0);
  });

  it('ids the exchange no longer serves (REST retention) are unfillable; the rest of the hole is filled', async () => {
    const r = await startedRig(30_000, { server: { rest: { retentionMs: 2_000 } } });
    const { from, to } = await openHole(r, 10_000);
    const ms = (x: ArchiveAggTrade) => Math.floor(Math.round(x.T * 1000) / 1000);
    const latest = ms(r.rows[r.played() - 1] as ArchiveAggTrade);
    const firstKept = r.rows.findIndex((x) => ms(x) >= latest - 2_000);
    expect(firstKept).toBeGreaterThan(from);
    expect(firstKept).toBeLessThan(to);
    r.clock.advance(200);
    await until(() => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'unfillable']));
    expect(r.gaps[1]).toMatchObject({ fromSeq: a(r, from), toSeq: a(r, firstKept) - 1, recovered: to - firstKept, reason: expect.stringMatching(/no longer serves/) });
    r.play(800_000);
    await until(() => expect(r.ticks).toHaveLength(5000 - (firstKept - from)));
    expect(r.ticks.map((t) => t.seq)).toEqual([...r.rows.slice(0, from), ...r.rows.slice(firstKept)].map((x) => x.a));
  });
});
