import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { TestClock } from '../../src/core/clock/TestClock.js';
import { loadRecording, type BinanceRecording } from '../../src/sim/binanceRecording.js';
import { AGG_TRADES_2026, BOOK_TICKER_2023, fixturePath, TRADES_2017 } from '../fixtures/load.js';
import { client, serve, until } from './simHarness.js';

const AGG_FILE = fixturePath(AGG_TRADES_2026);
const BOOK_FILE = fixturePath(BOOK_TICKER_2023);
const TRADES_FILE = fixturePath(TRADES_2017);

describe('loadRecording', () => {
  it('reads the 5000-row µs aggTrades archive', async () => {
    const rec = await loadRecording(AGG_FILE);
    expect(rec.kind).toBe('aggTrades');
    expect(rec.symbol).toBe('btcusdt');
    expect(rec.rows).toHaveLength(5000);
    expect(rec.rows[0]).toEqual({
      kind: 'aggTrades',
      a: 3800397495,
      p: '87648.21000000',
      q: '0.08185000',
      f: 5723703861,
      l: 5723703861,
      T: 1767225600039.409,
      m: true,
      M: true,
    });
  });

  it('reads a headed bookTicker archive and refuses klines', async () => {
    const rec = await loadRecording(BOOK_FILE);
    expect(rec).toMatchObject({ kind: 'bookTicker', symbol: 'btcusdt' });
    expect(rec.rows).toHaveLength(9999);
    await expect(loadRecording(fixturePath('binance/BTCUSDT-1m-2024-03-11.csv'))).rejects.toThrow(/klines/);
  });
});

describe('BinanceReplayServer frames', () => {
  it('raw /ws/<stream>: every row as the exact spot aggTrade frame, in order (max speed, no loop)', async () => {
    const rec = await loadRecording(AGG_FILE);
    const server = await serve({ recordings: rec, clock: new TestClock(), speed: 'max', loop: false });
    const c = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await until(() => expect(c.frames).toHaveLength(5000));
    expect(c.frames[0]).toBe(
      '{"e":"aggTrade","E":1767225600039,"s":"BTCUSDT","a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true,"M":true}',
    );
    expect(c.frames[4999]).toBe(
      '{"e":"aggTrade","E":1767226339347,"s":"BTCUSDT","a":3800402494,"p":"87759.14000000","q":"0.01614000","f":5723719888,"l":5723719888,"T":1767226339347,"m":true,"M":true}',
    );
    expect(c.frames.map((f) => JSON.parse(f).a)).toEqual(rec.rows.map((r) => (r.kind === 'aggTrades' ? r.a : 0)));
    expect(server.status()).toMatchObject({ loops: 0, framesSent: 5000, clients: 1, replaying: false, speed: 'max', position: 5000, events: 5000 });
  });

  it('combined /stream with timeUnit=MICROSECOND: envelope and µs times', async () => {
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock: new TestClock(), speed: 'max', loop: false });
    const c = await client(`${server.url}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker&timeUnit=MICROSECOND`);
    await until(() => expect(c.frames).toHaveLength(5000));
    expect(c.frames[1]).toBe(
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600272386,"s":"BTCUSDT","a":3800397496,"p":"87648.22000000","q":"0.00013000","f":5723703862,"l":5723703862,"T":1767225600272386,"m":false,"M":true}}',
    );
  });

  it('bookTicker rows: spot frames have no e/E/T; usdm frames carry them', async () => {
    const rec = await loadRecording(BOOK_FILE);
    const spot = await serve({ recordings: rec, clock: new TestClock(), speed: 'max', loop: false });
    const a = await client(`${spot.url}/stream?streams=btcusdt@bookTicker`);
    await until(() => expect(a.frames).toHaveLength(9999));
    expect(a.frames[0]).toBe(
      '{"stream":"btcusdt@bookTicker","data":{"u":3319366863672,"s":"BTCUSDT","b":"27981.30000000","B":"12.91100000","a":"27981.40000000","A":"7.25800000"}}',
    );
    const usdm = await serve({ recordings: rec, clock: new TestClock(), speed: 'max', loop: false, market: 'usdm' });
    const b = await client(`${usdm.url}/public/ws/btcusdt@bookTicker`);
    await until(() => expect(b.frames.length).toBeGreaterThan(0));
    expect(b.frames[0]).toBe(
      '{"e":"bookTicker","u":3319366863672,"s":"BTCUSDT","b":"27981.30000000","B":"12.91100000","a":"27981.40000000","A":"7.25800000","T":1696204800012,"E":1696204800018}',
    );
  });

  it('trades rows feed both @trade and @aggTrade streams', async () => {
    const server = await serve({ recordings: await loadRecording(TRADES_FILE), clock: new TestClock(), speed: 'max', loop: false });
    const c = await client(`${server.url}/stream?streams=btcusdt@trade/btcusdt@aggTrade`);
    await until(() => expect(c.frames).toHaveLength(2 * 334));
    expect(c.frames.slice(0, 2)).toEqual([
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1502942428322,"s":"BTCUSDT","t":0,"p":"4261.48000000","q":"0.10000000","T":1502942428322,"m":true,"M":true}}',
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1502942428322,"s":"BTCUSDT","a":0,"p":"4261.48000000","q":"0.10000000","f":0,"l":0,"T":1502942428322,"m":true,"M":true}}',
    ]);
  });

  it('several recordings are merged by time, each keeping its order', async () => {
    const rec = await loadRecording(AGG_FILE);
    const rows = rec.rows.slice(0, 1000) as Extract<BinanceRecording, { kind: 'aggTrades' }>['rows'];
    const even: BinanceRecording = { kind: 'aggTrades', symbol: 'btcusdt', rows: rows.filter((_, i) => i % 2 === 0) };
    const odd: BinanceRecording = { kind: 'aggTrades', symbol: 'ethusdt', rows: rows.filter((_, i) => i % 2 === 1) };
    const server = await serve({ recordings: [even, odd], clock: new TestClock(), speed: 'max', loop: false });
    const c = await client(`${server.url}/stream?streams=btcusdt@aggTrade/ethusdt@aggTrade`);
    await until(() => expect(c.frames).toHaveLength(1000));
    const got = c.frames.map((f) => JSON.parse(f).data as { a: number; T: number });
    const times = got.map((d) => d.T);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(got.map((d) => d.a).sort()).toEqual(rows.map((r) => r.a).sort());
  });

  it('loops: times shift by lengthMs, ids by the id range, so both keep increasing', async () => {
    const rec = await loadRecording(AGG_FILE);
    const server = await serve({ recordings: rec, clock: new TestClock(), speed: 'max' });
    const c = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await until(() => expect(c.frames.length).toBeGreaterThanOrEqual(10_001));
    const { lengthMs } = server.status();
    expect(lengthMs).toBe(739309); // ms 00:12:19.347 − ms 00:00:00.039 + 1
    const first = JSON.parse(c.frames[0] as string);
    const again = JSON.parse(c.frames[5000] as string);
    const third = JSON.parse(c.frames[10000] as string);
    expect(again).toEqual({ ...first, E: first.E + lengthMs, T: first.T + lengthMs, a: first.a + 5000, f: first.f + 16028, l: first.l + 16028 });
    expect(third.T).toBe(first.T + 2 * lengthMs);
    const last = JSON.parse(c.frames[4999] as string);
    expect(again.T).toBeGreaterThan(last.T);
    expect(server.status().loops).toBeGreaterThanOrEqual(2);
  });
});

describe('BinanceReplayServer backpressure', () => {
  it('max speed stops sending while a client does not read, and resumes when it does', async () => {
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock: new TestClock(), speed: 'max' });
    const c = await client(`${server.url}/ws/btcusdt@aggTrade`);
    c.ws.pause(); // stop reading: kernel buffers fill, then ws bufferedAmount grows past the high-water mark
    const sentNow = () => server.status().framesSent;
    let last = -1;
    // Real I/O, not time: wait until two reads 100 ms apart agree (the pump is parked on backpressure).
    await vi.waitFor(
      () => {
        const now = sentNow();
        const stalled = now === last;
        last = now;
        expect(stalled).toBe(true);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(last).toBeLessThan(200_000); // bounded: about a megabyte plus socket buffers, not the endless loop
    c.ws.resume();
    await until(() => expect(c.frames.length).toBeGreaterThan(last));
    await until(() => expect(sentNow()).toBeGreaterThan(last));
  });
});

describe('BinanceReplayServer pacing and protocol (TestClock)', () => {
  it('speed 10: frames go out when the clock reaches their time / 10', async () => {
    const clock = new TestClock();
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock, speed: 10 });
    const c = await client(`${server.url}/ws/btcusdt@aggTrade`);
    expect(server.status()).toMatchObject({ framesSent: 1, replaying: true });
    // rows 1..3 are 232.977, 237.324 and 357.540 ms after row 0 → 23.2977, 23.7324, 35.754 ms at speed 10
    clock.advance(23);
    expect(server.status().framesSent).toBe(1);
    clock.advance(1);
    expect(server.status().framesSent).toBe(3);
    clock.advance(11);
    expect(server.status().framesSent).toBe(3);
    clock.advance(1);
    expect(server.status().framesSent).toBe(4);
    await until(() => expect(c.frames).toHaveLength(4));
    expect(c.frames.map((f) => JSON.parse(f).a)).toEqual([3800397495, 3800397496, 3800397497, 3800397498]);
  });

  it('answers SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / properties like Binance', async () => {
    const clock = new TestClock();
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock, speed: 1 });
    const c = await client(`${server.url}/ws`);
    const ask = async (msg: string) => {
      const n = c.frames.length;
      c.ws.send(msg);
      await until(() => expect(c.frames.length).toBeGreaterThan(n));
      return c.frames[n];
    };
    expect(await ask('{"method":"LIST_SUBSCRIPTIONS","id":1}')).toBe('{"result":[],"id":1}');
    expect(await ask('{"method":"SUBSCRIBE","params":["BTCUSDT@aggTrade"],"id":2}')).toBe('{"result":null,"id":2}');
    expect(await ask('{"method":"LIST_SUBSCRIPTIONS","id":"x3"}')).toBe('{"result":["btcusdt@aggTrade"],"id":"x3"}');
    expect(await ask('{"method":"GET_PROPERTY","params":["combined"],"id":4}')).toBe('{"result":false,"id":4}');
    clock.advance(233);
    await until(() => expect(c.frames.at(-1)).toMatch(/^\{"e":"aggTrade".*"a":3800397496/));
    expect(await ask('{"method":"SET_PROPERTY","params":["combined",true],"id":5}')).toBe('{"result":null,"id":5}');
    clock.advance(5);
    await until(() => expect(c.frames.at(-1)).toMatch(/^\{"stream":"btcusdt@aggTrade","data":\{.*"a":3800397497/));
    expect(await ask('{"method":"UNSUBSCRIBE","params":["btcusdt@aggTrade"],"id":6}')).toBe('{"result":null,"id":6}');
    expect(await ask('{"method":"FOO","id":7}')).toMatch(/^\{"error":\{"code":2,"msg":"Invalid request: unknown variant/);
    expect(await ask('{"method":')).toMatch(/^\{"error":\{"code":3,"msg":"Invalid JSON/);
    const sent = server.status().framesSent;
    clock.advance(1000);
    expect(server.status().framesSent).toBe(sent); // nobody subscribed any more
  });

  it('pings every 20 s and drops a client that never pongs (after 60 s)', async () => {
    const clock = new TestClock();
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock, speed: 1 });
    const good = await client(`${server.url}/ws/btcusdt@bookTicker`);
    const mute = await client(`${server.url}/ws/btcusdt@bookTicker`, { autoPong: false });
    const closed = new Promise<number>((resolve) => mute.ws.once('close', (code) => resolve(code)));
    for (let s = 20; s <= 80; s += 20) {
      clock.advance(20_000);
      await until(() => expect(good.pings).toBe(s / 20));
    }
    expect(await closed).toBe(1006);
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.status().clients).toBe(1);
  });

  it('refuses unknown paths with 404', async () => {
    const server = await serve({ recordings: await loadRecording(AGG_FILE), clock: new TestClock() });
    await expect(client(`${server.url}/api/v3/stream`)).rejects.toThrow(/404/);
  });
});
