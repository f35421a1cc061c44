import { describe, expect, it } from 'vitest';
import type { ArchiveAggTrade } from '../../../../src/pipeline/feeds/binance/archive.js';
import { expectedTick, playToEndExact, recording, rig, startedRig, strip, until } from './feedHarness.js';

describe('BinanceFeed startup: symbols checked with exchangeInfo', () => {
  it('a symbol Binance does not list waits with a clear reason and a system event; the others stream', async () => {
    const r = await rig({ feed: { symbols: { btcusdt: 'BTCUSD', paxgusdt: 'XAUUSD' } } });
    await r.feed.start();
    const reason = 'PAXGUSDT is not listed on Binance spot (exchangeInfo: -1121 Invalid symbol.)';
    expect(r.events.filter((e) => e.kind === 'feed.symbol_missing')).toEqual([
      expect.objectContaining({ level: 'error', component: 'binance-spot', symbol: 'XAUUSD', message: reason, data: { instrument: 'paxgusdt', market: 'spot' } }),
    ]);
    expect(r.feed.health().symbols).toEqual({
      BTCUSD: expect.objectContaining({ state: 'live', reason: null }),
      XAUUSD: { state: 'waiting', reason, lastSeq: null, held: 0 },
    });
    expect(r.feed.connections().map((c) => c.url)).toEqual([`${r.server.url}/stream?streams=btcusdt@aggTrade`, `${r.server.url}/stream?streams=btcusdt@aggTrade`]);
    await until(() => expect(r.server.clientList()).toHaveLength(2));
    await r.lockstep(20_000);
    r.expectExact();
    expect(r.feed.status()).toMatchObject({ id: 'binance-spot', state: 'connected', symbols: ['BTCUSD', 'XAUUSD'], detail: expect.stringContaining(`waiting: XAUUSD (${reason})`) });
  });

  it('when no symbol is listed the feed waits (no connection, no crash)', async () => {
    const r = await rig({ feed: { symbols: { paxgusdt: 'XAUUSD' } } });
    await r.feed.start();
    expect(r.feed.status()).toMatchObject({ state: 'waiting', frames: 0 });
    expect(r.feed.connections()).toEqual([]);
    expect(r.server.clientList()).toEqual([]);
  });

  it('without REST a hole cannot be filled: reported unfillable at once, held ticks released', async () => {
    const r = await startedRig(20_000, { rest: false });
    r.server.stallClients(Infinity);
    const from = r.played();
    r.play(3_000);
    const to = r.played();
    r.server.resumeClients();
    while (r.played() === to) r.play(500);
    await until(() => expect(r.feed.health().symbols.BTCUSD?.held).toBeGreaterThan(0));
    r.clock.advance(200);
    expect(r.gaps.map((g) => [g.state, g.fromSeq, g.toSeq, g.reason])).toEqual([
      ['open', (r.rows[from] as ArchiveAggTrade).a, (r.rows[to - 1] as ArchiveAggTrade).a, expect.any(String)],
      ['unfillable', (r.rows[from] as ArchiveAggTrade).a, (r.rows[to - 1] as ArchiveAggTrade).a, expect.stringMatching(/no REST endpoint configured/)],
    ]);
    expect(r.ticks).toHaveLength(r.played() - (to - from));
  });
});

describe('BinanceFeed USD-M routing', () => {
  it('aggTrade on the wrong route (/public) connects and stays silent: the watchdog flags and recycles it', async () => {
    const xau = await recording('xauusdt');
    const r = await rig({ server: { recordings: xau, market: 'usdm' }, feed: { id: 'binance-usdm-market', route: 'public', symbols: { xauusdt: 'XAUUSD' }, silenceMs: 2_000 } });
    await r.feed.start();
    expect(r.events.filter((e) => e.kind === 'feed.symbol_missing')).toEqual([]); // XAUUSDT is listed (TRADIFI_PERPETUAL)
    await until(() => expect(r.server.clientList()).toHaveLength(2));
    expect(r.server.clientList().map((c) => c.path)).toEqual(['/public/stream?streams=xauusdt@aggTrade', '/public/stream?streams=xauusdt@aggTrade']);
    r.play(30_000);
    r.clock.advance(2_500);
    await until(() => expect(r.feed.health().silentKills).toBe(2));
    expect(r.ticks).toEqual([]);
    expect(r.events.filter((e) => e.kind === 'feed.silent').map((e) => e.message)).toEqual([
      expect.stringMatching(/^binance-usdm-market#\d: no frame for \d+ ms$/),
      expect.stringMatching(/^binance-usdm-market#\d: no frame for \d+ ms$/),
    ]);
    await until(() => expect(r.feed.health().connections.map((c) => c.lastError)).toEqual([expect.stringMatching(/^no frame for/), expect.stringMatching(/^no frame for/)]));
  });

  it('aggTrade on /market streams the contract exactly', async () => {
    const xau = await recording('xauusdt');
    const r = await startedRig(30_000, { server: { recordings: xau, market: 'usdm' }, feed: { id: 'binance-usdm-market', route: 'market', symbols: { xauusdt: 'XAUUSD' } } });
    expect(r.ticks.map(strip)).toEqual(r.rows.slice(0, r.played()).map((x) => expectedTick(x, 'XAUUSD')));
    expect(r.rest?.status().usedWeight).toBe(1); // exchangeInfo weighs 1 on USD-M
  });
});

describe('BinanceFeed rotation', () => {
  it('rotates each connection before the 24 h cut with overlap: no trade lost or doubled', async () => {
    const r = await startedRig(40_000, { feed: { rotateAfterMs: 10_000, rotateStaggerMs: 3_000 } });
    const h = r.feed.health();
    expect(h.rotations).toBeGreaterThanOrEqual(4);
    expect(h.connected).toBe(2);
    await until(() => expect(r.server.clientList()).toHaveLength(2)); // the replaced sockets are closed
    expect(r.events.filter((e) => e.kind === 'feed.rotated').length).toBe(h.rotations);
    await playToEndExact(r);
    expect(r.gaps).toEqual([]);
  });

  it('serverShutdown: reconnect at once with overlap, exact', async () => {
    const r = await startedRig(10_000);
    r.server.sendServerShutdown();
    await until(() => expect(r.server.clientList()).toHaveLength(4)); // replacements open next to the old ones
    await r.lockstep(10_000);
    await until(() => expect(r.server.clientList()).toHaveLength(2));
    expect(r.feed.health()).toMatchObject({ rotations: 2, reconnects: 2, connected: 2 });
    expect(r.events.filter((e) => e.kind === 'feed.shutdown')).toHaveLength(2);
    await playToEndExact(r);
  });
});

describe('BinanceFeed recovery', () => {
  it('recover() (e.g. after a clock jump): sockets replaced with overlap, the missed trades caught up from REST, exact', async () => {
    const r = await startedRig(20_000);
    r.server.stallClients(Infinity); // the machine slept: nothing reached us, and nothing told us
    const from = r.played();
    r.play(5_000);
    const to = r.played();
    r.feed.recover('wall clock jumped 5000 ms');
    await r.caughtUp();
    expect(r.gaps).toEqual([expect.objectContaining({ state: 'filled', fromSeq: (r.rows[from] as ArchiveAggTrade).a, toSeq: (r.rows[to - 1] as ArchiveAggTrade).a, reason: expect.stringContaining('wall clock jumped') })]);
    await until(() => expect(r.server.clientList()).toHaveLength(4));
    r.play(5_000); // the replacements' first frames promote them; the stalled sockets are closed
    await until(() => expect(r.server.clientList().map((c) => c.stalled)).toEqual([false, false]));
    await playToEndExact(r);
    expect(r.events.map((e) => e.kind)).toContain('feed.recovering');
  });
});

describe('BinanceFeed status', () => {
  it('reports per connection and merged: connected, frames, duplicates, gaps, last message age', async () => {
    const r = await startedRig(5_000);
    r.clock.advance(700);
    const h = r.feed.health();
    const n = r.played();
    expect(h).toMatchObject({ id: 'binance-spot', state: 'connected', connected: 2, delivered: n, dropped: 0, gaps: { open: 0, filled: 0, unfillable: 0, recovered: 0 } });
    expect(h.frames).toBe(2 * n - 1); // row 0 went out before the second connection subscribed
    expect(h.duplicates).toBe(n - 1);
    expect(h.lastMessageAgeMs).toBeGreaterThanOrEqual(700);
    expect(h.connections.map((c) => [c.id, c.state])).toEqual([
      ['binance-spot#1', 'connected'],
      ['binance-spot#2', 'connected'],
    ]);
    expect(r.feed.status()).toMatchObject({ source: 'binance', state: 'connected', frames: 2 * n - 1, ticks: n, detail: expect.stringMatching(/^2\/2 connections up; gaps open 0/) });
    await r.feed.stop();
    expect(r.feed.status().state).toBe('stopped');
    expect(r.clock.pending()).toBe(0);
  });
});
