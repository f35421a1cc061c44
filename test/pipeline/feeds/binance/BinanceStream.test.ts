import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import type { FeedState } from '../../../../src/core/types/FeedStatus.js';
import type { Tick } from '../../../../src/core/types/Tick.js';
import type { ArchiveAggTrade } from '../../../../src/pipeline/feeds/binance/archive.js';
import { BinanceStream, type BinanceStreamOptions } from '../../../../src/pipeline/feeds/binance/BinanceStream.js';
import { BinanceReplayServer, type BinanceReplayServerOptions } from '../../../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../../../src/sim/binanceRecording.js';
import { fixture } from './captures.js';
import { expectedTick } from './feedHarness.js';

const T0 = Date.UTC(2026, 0, 1, 1);
let rec: BinanceRecording;
let rows: readonly ArchiveAggTrade[];
beforeAll(async () => {
  rec = await loadRecording(fixture('BTCUSDT-aggTrades-2026-01-01_first5000.csv'));
  rows = rec.rows as readonly ArchiveAggTrade[];
});

const servers: BinanceReplayServer[] = [];
const streams: BinanceStream[] = [];
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.stop()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(options: Partial<BinanceReplayServerOptions> = {}) {
  const clock = new TestClock(T0);
  const server = new BinanceReplayServer({ recordings: rec, clock, speed: 1, ...options });
  servers.push(server);
  await server.start();
  return { server, serverClock: clock };
}

function open(url: string, options: Partial<BinanceStreamOptions> = {}) {
  const clock = new TestClock(T0);
  const ticks: Tick[] = [];
  const states: FeedState[] = [];
  const stream = new BinanceStream({
    baseUrl: url,
    streams: ['btcusdt@aggTrade', 'btcusdt@bookTicker'],
    symbols: { btcusdt: 'BTCUSD' },
    clock,
    random: () => 1,
    onTick: (t) => ticks.push(t),
    onStatus: (s) => states.push(s.state),
    ...options,
  });
  streams.push(stream);
  return { stream, clock, ticks, states };
}

const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });

/** The tick the mapper must make of archive row `r` (ms connection unless `micro`). */
function expected(r: ArchiveAggTrade, tsInit: number, micro = false): Tick {
  return { ...expectedTick(r), tsEvent: micro ? r.T : Math.floor(r.T), tsInit };
}

describe('BinanceStream ← BinanceReplayServer, end to end', () => {
  it('max speed: the 5000 ticks equal the recording exactly, in order, no loss, no duplicates', async () => {
    const { server } = await serve({ speed: 'max', loop: false });
    const { stream, ticks, clock } = open(server.url);
    await stream.start();
    await until(() => expect(ticks).toHaveLength(5000));
    expect(ticks).toEqual(rows.map((r) => expected(r, clock.now())));
    expect(new Set(ticks.map((t) => t.seq)).size).toBe(5000);
    expect(stream.status()).toMatchObject({
      id: 'binance-spot',
      source: 'binance',
      state: 'connected',
      symbols: ['BTCUSD'],
      frames: 5000,
      ticks: 5000,
      dropped: 0,
      reconnects: 0,
      lastMessageAt: T0,
    });
    expect(stream.counters().fastPath).toBe(5000);
  });

  it('timeUnit=MICROSECOND keeps the archive’s µs: tsEvent equals the row time exactly', async () => {
    const { server } = await serve({ speed: 'max', loop: false });
    const { stream, ticks, clock } = open(server.url, { timeUnit: 'MICROSECOND' });
    expect(stream.url).toBe(`${server.url}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker&timeUnit=MICROSECOND`);
    await stream.start();
    await until(() => expect(ticks).toHaveLength(5000));
    expect(ticks).toEqual(rows.map((r) => expected(r, clock.now(), true)));
  });

  it('loop: after the end, times continue shifted by the recording length and seq keeps increasing', async () => {
    const { server } = await serve({ speed: 'max' });
    const { stream, ticks } = open(server.url);
    await stream.start();
    await until(() => expect(ticks.length).toBeGreaterThanOrEqual(7000));
    const { lengthMs } = server.status();
    for (let i = 0; i < 2000; i++) {
      const a = ticks[i] as Tick;
      expect(ticks[5000 + i]).toEqual({ ...a, tsEvent: a.tsEvent + lengthMs, seq: (a.seq ?? 0) + 5000 });
    }
    for (let i = 1; i < 7000; i++) {
      expect((ticks[i]?.seq ?? 0) - (ticks[i - 1]?.seq ?? 0)).toBe(1);
      expect(ticks[i]?.tsEvent).toBeGreaterThanOrEqual(ticks[i - 1]?.tsEvent ?? 0);
    }
  });

  it('finite speed with TestClock: ticks arrive as the server clock advances, in order', async () => {
    const { server, serverClock } = await serve({ speed: 1 });
    const { stream, ticks } = open(server.url);
    await stream.start();
    await until(() => expect(ticks).toHaveLength(1));
    serverClock.advance(232); // row 1 is 232.977 ms after row 0
    expect(server.status().framesSent).toBe(1);
    serverClock.advance(1);
    await until(() => expect(ticks).toHaveLength(2));
    serverClock.advance(5); // row 2 at 237.324 ms
    await until(() => expect(ticks).toHaveLength(3));
    serverClock.advance(1000); // rows 3..7 fall within 1.238 s (row 8 at 1255.454 ms)
    await until(() => expect(ticks).toHaveLength(8));
    serverClock.advance(2000); // rows 8..13 within 3.238 s (row 14 at 3272.617 ms)
    await until(() => expect(ticks.map((t) => t.seq)).toEqual(rows.slice(0, 14).map((r) => r.a)));
    expect(server.status().framesSent).toBe(14);
  });
});

describe('BinanceStream connection management', () => {
  it('reconnects after a dropped socket with exponential backoff, counting reconnects', async () => {
    const { server, serverClock } = await serve({ speed: 1 });
    const { stream, clock, ticks, states } = open(server.url);
    await stream.start();
    await until(() => expect(ticks).toHaveLength(1)); // row 0 on connect: a frame resets the backoff
    server.dropClients();
    await until(() => expect(stream.status().state).toBe('disconnected'));
    expect(stream.status().detail).toMatch(/closed 1006/);
    clock.advance(499);
    expect(stream.status().reconnects).toBe(0);
    clock.advance(1); // 0.5 s
    expect(stream.status()).toMatchObject({ reconnects: 1, state: 'starting' });
    await until(() => expect(stream.status().state).toBe('connected'));
    // No frame since: the next failure doubles the delay.
    server.dropClients();
    await until(() => expect(stream.status().state).toBe('disconnected'));
    clock.advance(999);
    expect(stream.status().reconnects).toBe(1);
    clock.advance(1); // 1 s
    await until(() => expect(stream.status()).toMatchObject({ reconnects: 2, state: 'connected' }));
    await until(() => expect(server.status().clients).toBe(1));
    serverClock.advance(233);
    await until(() => expect(ticks).toHaveLength(2));
    expect(states).toEqual(['starting', 'connected', 'disconnected', 'starting', 'connected', 'disconnected', 'starting', 'connected']);
  });

  it('reconnects at once on serverShutdown, without backoff', async () => {
    const { server } = await serve({ speed: 1 });
    const { stream } = open(server.url);
    await stream.start();
    await until(() => expect(server.status().clients).toBe(1));
    server.sendServerShutdown();
    await until(() => expect(stream.status()).toMatchObject({ reconnects: 1, state: 'connected' }));
    expect(stream.counters().shutdowns).toBe(1);
  });

  it('treats an open but silent socket as dead (watchdog)', async () => {
    const { server } = await serve({ speed: 1 });
    const { stream, clock } = open(server.url, { silenceMs: 1000 });
    await stream.start();
    await until(() => expect(stream.status().frames).toBe(1));
    clock.advance(1000);
    expect(stream.status().state).toBe('connected');
    clock.advance(250); // silent since the check at 250 ms
    await until(() => expect(stream.status().state).toBe('disconnected'));
    expect(stream.status().detail).toMatch(/no frame for 1000 ms/);
    clock.advance(500);
    await until(() => expect(stream.status()).toMatchObject({ state: 'connected', reconnects: 1 }));
  });

  it('keeps retrying while the server is down; stop() cancels every timer', async () => {
    const { server } = await serve();
    const url = server.url;
    await server.close();
    const { stream, clock } = open(url);
    await stream.start();
    expect(stream.status().state).toBe('disconnected');
    expect(stream.status().detail).toMatch(/ECONNREFUSED/);
    clock.advance(500);
    await until(() => expect(stream.status()).toMatchObject({ state: 'disconnected', reconnects: 1 }));
    await stream.stop();
    await stream.stop();
    expect(stream.status().state).toBe('stopped');
    expect(clock.pending()).toBe(0);
  });

  it('stop() closes the socket cleanly', async () => {
    const { server } = await serve();
    const { stream, clock, states } = open(server.url);
    await stream.start();
    await until(() => expect(server.status().clients).toBe(1));
    await stream.stop();
    await until(() => expect(server.status().clients).toBe(0));
    expect(states.at(-1)).toBe('stopped');
    expect(clock.pending()).toBe(0);
  });

  it('reports malformed frames through onDrop and counts them', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws) => {
      ws.send('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"');
      ws.send('{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"2.0","B":"1","a":"1.0","A":"1"}}');
      ws.send('{"stream":"btcusdt@bookTicker","data":{"u":2,"s":"BTCUSDT","b":"1.0","B":"1","a":"2.0","A":"1"}}');
    });
    const drops: [string, string][] = [];
    const port = (wss.address() as { port: number }).port;
    const { stream, ticks } = open(`ws://127.0.0.1:${port}`, { onDrop: (reason, sample) => drops.push([reason, sample]) });
    try {
      await stream.start();
      await until(() => expect(ticks).toHaveLength(1));
      expect(drops).toEqual([
        ['invalid_json', '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"'],
        ['crossed_book', '{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"2.0","B":"1","a":"1.0","A":"1"}}'],
      ]);
      expect(stream.status()).toMatchObject({ frames: 3, ticks: 1, dropped: 2 });
    } finally {
      await stream.stop();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});

describe('BinanceStream configuration', () => {
  it('refuses a non-WebSocket base URL and an empty stream list, listing both problems', () => {
    expect(() => open('http://127.0.0.1:1', { streams: [] })).toThrow(/ws:\/\/ or wss:\/\/.*streams must not be empty/);
  });
});
