import { afterEach, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { InvalidRequestError, TemporaryError } from '../../../../src/core/errors.js';
import type { Gap } from '../../../../src/core/types/Gap.js';
import type { SystemEvent } from '../../../../src/core/types/SystemEvent.js';
import type { Tick } from '../../../../src/core/types/Tick.js';
import { Mt5Bridge, type Mt5BridgeOptions } from '../../../../src/pipeline/feeds/mt5/Mt5Bridge.js';
import { LinkClosedError } from '../../../../src/pipeline/feeds/mt5/requests.js';
import { fakeEa, hello, type FakeEa } from './fakeEa.js';

const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });
const SERVER_14 = Date.UTC(2023, 1, 20, 14, 0, 0, 84); // 2023-02-20 14:00:00.084 server time
const UTC_12 = Date.UTC(2023, 1, 20, 12, 0, 0, 84);

const bridges: Mt5Bridge[] = [];
const eas: FakeEa[] = [];
afterEach(async () => {
  for (const ea of eas.splice(0)) ea.socket.destroy();
  await Promise.all(bridges.splice(0).map((b) => b.stop()));
});

type Rig = { bridge: Mt5Bridge; clock: TestClock; ticks: Tick[]; gaps: Gap[]; events: SystemEvent[]; drops: string[] };

async function rig(extra: Partial<Mt5BridgeOptions> = {}): Promise<Rig> {
  const clock = new TestClock(Date.UTC(2023, 1, 20, 13));
  const r: Rig = { clock, ticks: [], gaps: [], events: [], drops: [], bridge: null as unknown as Mt5Bridge };
  r.bridge = new Mt5Bridge({
    clock,
    symbols: { BTCUSD: 'BTCUSD', XAUUSD: 'XAUUSD' },
    barTimeframes: [],
    onTick: (t) => r.ticks.push(t),
    onGap: (g) => r.gaps.push(g),
    onEvent: (e) => r.events.push(e),
    onDrop: (reason) => r.drops.push(reason),
    ...extra,
  });
  bridges.push(r.bridge);
  await r.bridge.start();
  return r;
}

async function connectEa(r: Rig, helloMsg: Record<string, unknown> = hello(7200, SERVER_14)): Promise<FakeEa> {
  const ea = await fakeEa(r.bridge.port);
  eas.push(ea);
  ea.send(helloMsg);
  await until(() => expect(ea.received.some((m) => m.type === 'subscribe')).toBe(true));
  return ea;
}

const tick = (tmsc: number, bid: number, ask: number, flags = 6) => ({ type: 'tick', sym: 'BTCUSD', tmsc, bid, ask, last: 0, vol: 0, flags });

describe('Mt5Bridge', () => {
  it('waits on 127.0.0.1, then converts broker server time to UTC with the hello offset', async () => {
    const r = await rig();
    expect(r.bridge.status()).toMatchObject({ id: 'mt5', source: 'mt5', state: 'waiting', symbols: ['BTCUSD', 'XAUUSD'], serverUtcOffsetSec: null });
    const ea = await connectEa(r);
    expect(ea.received[0]).toEqual({ v: 1, type: 'subscribe', seq: 1, ts: r.clock.now(), symbols: ['BTCUSD', 'XAUUSD'], bars: [] });
    ea.send(tick(SERVER_14, 24849.4, 24921.5));
    await until(() => expect(r.ticks).toHaveLength(1));
    expect(r.ticks[0]).toEqual({
      symbol: 'BTCUSD', source: 'mt5', tsEvent: UTC_12, tsInit: r.clock.now(), bid: 24849.4, ask: 24921.5, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0,
    });
    const st = r.bridge.status();
    expect(st).toMatchObject({ state: 'connected', serverUtcOffsetSec: 7200, frames: 2, ticks: 1, dropped: 0, reconnects: 0, connections: 1, lastMessageAt: r.clock.now() });
    expect(st.terminal).toMatchObject({ login: 5_012_345, server: 'Broker-Live', company: 'Broker Ltd', build: 4755, symbols: ['BTCUSD', 'XAUUSD'] });
    expect(st.detail).toContain('server offset +7200 s');
    expect(r.events.map((e) => e.kind)).toEqual(['feed.connected']);
  });

  it('counts and drops malformed lines with a reason, and keeps serving', async () => {
    const r = await rig({ maxLineChars: 1000 });
    const early = await fakeEa(r.bridge.port);
    eas.push(early);
    early.send(tick(SERVER_14, 1, 2));
    await until(() => expect(r.drops).toEqual(['before_hello']));
    const ea = await connectEa(r);
    await until(() => expect(early.isClosed()).toBe(true));
    ea.raw('this is not json');
    ea.raw('[1,2,3]');
    ea.send({ ...tick(SERVER_14, 1, 2), v: 2 });
    ea.send({ type: 'quote', sym: 'BTCUSD' });
    ea.send({ ...tick(SERVER_14, 1, 2), tmsc: 'yesterday' });
    ea.raw(`{"v":1,"type":"hb","pad":"${'x'.repeat(5000)}"}`);
    ea.send({ ...tick(SERVER_14, 1, 2), seq: 1 });
    ea.send({ ...tick(SERVER_14, 1, 2), sym: 'EURUSD' });
    ea.send(tick(SERVER_14, 24921.5, 24849.4));
    ea.send(tick(SERVER_14 + 1, 24849.4, 24921.5));
    await until(() => expect(r.ticks).toHaveLength(1));
    expect(r.drops).toEqual(['before_hello', 'bad_json', 'not_an_object', 'bad_version', 'unknown_type', 'schema', 'line_too_long', 'seq_not_increasing', 'unknown_symbol', 'crossed_book']);
    const st = r.bridge.status();
    expect(st.dropped).toBe(8);
    expect(st.drops).toEqual({ before_hello: 1, bad_json: 1, not_an_object: 1, bad_version: 1, unknown_type: 1, schema: 1, line_too_long: 1, seq_not_increasing: 1, unknown_symbol: 1, crossed_book: 1 });
    expect(r.ticks[0]?.tsEvent).toBe(UTC_12 + 1);
    expect(st.state).toBe('connected');
  });

  it('declares the link dead after 5 s without a line and closes the socket', async () => {
    const r = await rig();
    const ea = await connectEa(r);
    r.clock.advance(4_000);
    ea.send({ type: 'hb' });
    await until(() => expect(r.bridge.status().frames).toBe(2));
    r.clock.advance(4_900);
    expect(r.bridge.status().state).toBe('connected');
    r.clock.advance(600);
    expect(r.bridge.status().state).toBe('disconnected');
    await ea.closed;
    expect(r.events.map((e) => e.kind)).toEqual(['feed.connected', 'mt5.link_dead', 'feed.disconnected']);
    expect(r.events[1]?.data).toMatchObject({ silentMs: 5_000 });
  });

  it('lets a second terminal connection replace the first, with an event', async () => {
    const r = await rig();
    const first = await connectEa(r);
    const second = await connectEa(r);
    await first.closed;
    expect(second.isClosed()).toBe(false);
    expect(r.events.map((e) => e.kind)).toEqual(['feed.connected', 'mt5.terminal_replaced', 'feed.connected']);
    expect(r.bridge.status()).toMatchObject({ state: 'connected', connections: 2, reconnects: 1 });
  });

  it('correlates requests and answers by reqId, with idempotency keys and timeouts', async () => {
    const r = await rig();
    await expect(r.bridge.request({ type: 'ping' })).rejects.toBeInstanceOf(TemporaryError);
    const ea = await connectEa(r);
    const pong = r.bridge.request({ type: 'ping' });
    await until(() => expect(ea.received.some((m) => m.type === 'ping')).toBe(true));
    const ping = ea.received.find((m) => m.type === 'ping') as Record<string, unknown>;
    expect(ping).toEqual({ v: 1, type: 'ping', seq: 2, ts: r.clock.now(), reqId: 'mt5-1-1' });
    ea.send({ type: 'resp', reqId: 'not-asked', ok: true, retcode: 0, message: '', data: null });
    ea.send({ type: 'resp', reqId: ping.reqId, ok: true, retcode: 0, message: 'pong', data: null });
    await expect(pong).resolves.toMatchObject({ type: 'resp', reqId: 'mt5-1-1', ok: true, message: 'pong' });
    expect(r.drops).toEqual(['unknown_reqId']);

    const order = r.bridge.request({ type: 'order', sym: 'BTCUSD', side: 'buy', orderType: 'market', volume: 0.1 });
    await until(() => expect(ea.received.some((m) => m.type === 'order')).toBe(true));
    const sent = ea.received.find((m) => m.type === 'order') as Record<string, unknown>;
    expect(sent.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    ea.send({ type: 'resp', reqId: sent.reqId, ok: false, retcode: 10018, message: 'market closed', data: null });
    await expect(order).resolves.toMatchObject({ ok: false, retcode: 10018 });
    const keyed = r.bridge.request({ type: 'close', ticket: 7, idempotencyKey: 'close-7-once' });
    await until(() => expect(ea.received.some((m) => m.type === 'close')).toBe(true));
    expect(ea.received.find((m) => m.type === 'close')?.idempotencyKey).toBe('close-7-once');

    await expect(r.bridge.request({ type: 'order', sym: 'BTCUSD', side: 'buy', orderType: 'market', volume: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
    const late = r.bridge.request({ type: 'ping' }, 2_000);
    r.clock.advance(1_999);
    r.clock.advance(1);
    await expect(late).rejects.toThrow(/no answer within 2000 ms/);
    ea.socket.destroy();
    await expect(keyed).rejects.toBeInstanceOf(LinkClosedError);
  });

  it('honours an offset change mid-stream (DST) for the data that follows', async () => {
    const r = await rig();
    const ea = await connectEa(r, hello(7200, Date.UTC(2024, 2, 10, 8, 59)));
    ea.send(tick(Date.UTC(2024, 2, 10, 8, 59, 59, 500), 100, 101));
    ea.send({ type: 'offset', serverUtcOffsetSec: 10_800, serverTimeMsc: Date.UTC(2024, 2, 10, 10) });
    ea.send(tick(Date.UTC(2024, 2, 10, 10, 0, 0, 500), 100, 102));
    await until(() => expect(r.ticks).toHaveLength(2));
    expect(r.ticks.map((t) => new Date(t.tsEvent).toISOString())).toEqual(['2024-03-10T06:59:59.500Z', '2024-03-10T07:00:00.500Z']);
    expect(r.bridge.status().serverUtcOffsetSec).toBe(10_800);
    expect(r.bridge.toUtc(Date.UTC(2024, 2, 10, 8, 30))).toBe(Date.UTC(2024, 2, 10, 6, 30));
    expect(r.events.find((e) => e.kind === 'mt5.offset_changed')?.data).toMatchObject({ from: 7200, to: 10_800 });
  });

  it('fills from its last tick on reconnect: re-sent ticks dropped, live ticks held back in order, gaps reported', async () => {
    const r = await rig();
    const t0 = SERVER_14;
    const first = await connectEa(r);
    for (const [tmsc, bid] of [[t0, 100], [t0, 101], [t0, 100], [t0 + 5, 102]] as const) first.send(tick(tmsc, bid, 200));
    await until(() => expect(r.ticks).toHaveLength(4));
    first.socket.destroy();
    await until(() => expect(r.bridge.status().state).toBe('disconnected'));

    const second = await connectEa(r, hello(7200, t0 + 60_000, { BTCUSD: t0 + 20 }));
    await until(() => expect(second.received.some((m) => m.type === 'history')).toBe(true));
    const h = second.received.find((m) => m.type === 'history') as Record<string, unknown>;
    expect(h).toMatchObject({ sym: 'BTCUSD', kind: 'ticks', fromMsc: t0 + 5, toMsc: t0 + 20, max: 5000 });
    expect(h.tf).toBeUndefined();
    second.send(tick(t0 + 30, 105, 200));
    const rows = [[t0 + 5, 102, 200, 0, 0, 6], [t0 + 10, 103, 200, 0, 0, 2], [t0 + 20, 104, 200, 0, 0, 2]];
    second.send({ type: 'resp', reqId: h.reqId, ok: true, retcode: 0, message: '', data: { sym: 'BTCUSD', kind: 'ticks', ticks: rows, more: false } });
    await until(() => expect(r.ticks).toHaveLength(7));
    expect(r.ticks.map((t) => [t.tsEvent - UTC_12, t.bid])).toEqual([[0, 100], [0, 101], [0, 100], [5, 102], [10, 103], [20, 104], [30, 105]]);
    expect(r.bridge.status().duplicates).toBe(1);
    const id = `mt5:BTCUSD:ticks:${UTC_12 + 5}`;
    expect(r.gaps.map((g) => [g.id, g.state, g.recovered, g.from - UTC_12, g.to - UTC_12])).toEqual([
      [id, 'open', 0, 5, 20],
      [id, 'filled', 2, 5, 20],
    ]);

    const third = await connectEa(r, hello(7200, t0 + 90_000, { BTCUSD: t0 + 40 }));
    await until(() => expect(third.received.some((m) => m.type === 'history')).toBe(true));
    const h3 = third.received.find((m) => m.type === 'history') as Record<string, unknown>;
    expect(h3).toMatchObject({ fromMsc: t0 + 30, toMsc: t0 + 40 });
    third.send({ type: 'resp', reqId: h3.reqId, ok: false, retcode: -4, message: 'no history', data: null });
    await until(() => expect(r.gaps).toHaveLength(4));
    expect(r.gaps[3]).toMatchObject({ state: 'unfillable', reason: 'terminal refused tick history: no history (retcode -4)', from: UTC_12 + 30, to: UTC_12 + 40 });
    expect(r.bridge.status().gaps).toEqual({ open: 0, filled: 1, unfillable: 1 });
  });

  it('starts the fill after the last stored tick when it restarts (lastTickTime)', async () => {
    const r = await rig({ lastTickTime: (s) => (s === 'BTCUSD' ? UTC_12 : null) });
    const ea = await connectEa(r, hello(7200, SERVER_14 + 60_000, { BTCUSD: SERVER_14 + 50 }));
    await until(() => expect(ea.received.filter((m) => m.type === 'history')).toHaveLength(1));
    expect(ea.received.find((m) => m.type === 'history')).toMatchObject({ sym: 'BTCUSD', fromMsc: SERVER_14 + 1, toMsc: SERVER_14 + 50 });
    ea.send(tick(SERVER_14, 1, 2));
    ea.send(tick(SERVER_14 + 60, 1, 3));
    const reqId = ea.received.find((m) => m.type === 'history')?.reqId;
    ea.send({ type: 'resp', reqId, ok: true, retcode: 0, message: '', data: { sym: 'BTCUSD', kind: 'ticks', ticks: [[SERVER_14 + 50, 1, 2, 0, 0, 6]], more: false } });
    await until(() => expect(r.ticks).toHaveLength(2));
    expect(r.ticks.map((t) => t.tsEvent - UTC_12)).toEqual([50, 60]);
    expect(r.bridge.status().duplicates).toBe(1);
  });
});
