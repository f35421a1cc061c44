import { beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveAggTrade } from '../../src/pipeline/feeds/binance/archive.js';
import type { BinanceReplayServerOptions } from '../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../src/sim/binanceRecording.js';
import { AGG_TRADES_2026, fixturePath } from '../fixtures/load.js';
import { client, serveOnClock, until } from './simHarness.js';

const AGG = fixturePath(AGG_TRADES_2026);
let agg: BinanceRecording;
let ids: number[];
beforeAll(async () => {
  agg = await loadRecording(AGG);
  ids = (agg.rows as readonly ArchiveAggTrade[]).map((r) => r.a);
});

/** A simulator of the aggTrades recording on its own TestClock at 2026-01-01 01:00 UTC. */
const serve = (options: Partial<BinanceReplayServerOptions> = {}) => serveOnClock(agg, options);
const aOf = (frames: readonly string[]) => frames.map((f) => (JSON.parse(f) as { a: number }).a);

describe('fault injection on WebSocket clients', () => {
  it('stallClients: the stalled client gets nothing (its frames are lost), the other carries on; resume ends it', async () => {
    const { server, clock } = await serve();
    const a = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await until(() => expect(a.frames).toHaveLength(1)); // row 0 goes out as the first client connects
    const b = await client(`${server.url}/ws/btcusdt@aggTrade`);
    expect(server.clientList().map((c) => c.id)).toEqual([1, 2]);
    expect(server.stallClients(Infinity, 1)).toEqual([1]);
    clock.advance(1_238); // rows 1..7
    await until(() => expect(b.frames).toHaveLength(7));
    expect(server.clientList()[0]).toMatchObject({ id: 1, stalled: true, skipped: 7 });
    server.resumeClients(1);
    clock.advance(20); // row 8 at 1255.454 ms
    await until(() => expect(a.frames).toHaveLength(2));
    expect(aOf(a.frames)).toEqual([ids[0], ids[8]]);
    expect(aOf(b.frames)).toEqual(ids.slice(1, 9));
  });

  it('a timed stall ends by itself on the server clock; pings are not sent meanwhile', async () => {
    const { server, clock } = await serve();
    const a = await client(`${server.url}/ws/btcusdt@aggTrade`);
    let pings = 0;
    a.ws.on('ping', () => pings++);
    server.stallClients(25_000);
    clock.advance(21_000);
    expect(pings).toBe(0);
    clock.advance(5_000);
    await until(() => expect(a.frames.length).toBeGreaterThan(1));
    expect(server.clientList()[0]?.stalled).toBe(false);
  });

  it('reorderNext: the next n frames arrive in reverse order, each once', async () => {
    const { server, clock } = await serve();
    const a = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await until(() => expect(a.frames).toHaveLength(1));
    server.reorderNext(3);
    clock.advance(1_238); // rows 1..7
    await until(() => expect(a.frames).toHaveLength(8));
    expect(aOf(a.frames)).toEqual([ids[0], ids[3], ids[2], ids[1], ids[4], ids[5], ids[6], ids[7]]);
  });

  it('sendMalformed: four broken frames in the client’s envelope', async () => {
    const { server } = await serve();
    const a = await client(`${server.url}/stream?streams=btcusdt@aggTrade`);
    await until(() => expect(a.frames).toHaveLength(1));
    expect(server.sendMalformed()).toBe(4);
    await until(() => expect(a.frames).toHaveLength(5));
    expect(a.frames.slice(1)).toEqual([
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":17672256}', // truncated: the outer object never closes
      '\u0000garbage\u00ff',
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"NaN","q":"1.0","f":1,"l":1,"T":1,"m":true,"M":true}}',
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":"x","p":"1.0","q":"1.0","f":1,"l":1,"T":1,"m":true,"M":true}}',
    ]);
  });

  it('refuseConnections: WebSocket and REST connections fail until the time has passed', async () => {
    const { server, clock } = await serve();
    server.refuseConnections(5_000, { ws: true, rest: true });
    await expect(client(`${server.url}/ws/btcusdt@aggTrade`)).rejects.toThrow();
    await expect(fetch(`${server.restUrl}/api/v3/ping`)).rejects.toThrow();
    clock.advance(5_000);
    await client(`${server.url}/ws/btcusdt@aggTrade`);
    expect((await fetch(`${server.restUrl}/api/v3/ping`)).status).toBe(200);
  });

  it('drops one client by id', async () => {
    const { server } = await serve();
    const a = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await client(`${server.url}/ws/btcusdt@aggTrade`);
    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));
    expect(server.dropClients(1)).toBe(1);
    expect(await closed).toBe(1006);
    await until(() => expect(server.clientList().map((c) => c.id)).toEqual([2]));
  });
});

describe('USD-M routing', () => {
  it('/market carries aggTrade; /public and the retired unrouted path connect, ack SUBSCRIBE and stay silent', async () => {
    const xau = await loadRecording(AGG, { symbol: 'xauusdt' });
    const { server, clock } = await serve({ recordings: xau, market: 'usdm' });
    const market = await client(`${server.url}/market/stream?streams=xauusdt@aggTrade`);
    const wrong = await client(`${server.url}/public/stream?streams=xauusdt@aggTrade`);
    const legacy = await client(`${server.url}/stream?streams=xauusdt@aggTrade`);
    wrong.ws.send('{"method":"SUBSCRIBE","params":["xauusdt@aggTrade"],"id":1}');
    await until(() => expect(wrong.frames).toEqual(['{"result":null,"id":1}']));
    clock.advance(60_000);
    await until(() => expect(market.frames.length).toBe(server.status().framesSent));
    expect(market.frames.length).toBeGreaterThan(50);
    expect(market.frames[0]).toMatch(/^\{"stream":"xauusdt@aggTrade","data":\{"e":"aggTrade","E":\d+,"a":3800397495,"s":"XAUUSDT"/);
    expect(wrong.frames).toEqual(['{"result":null,"id":1}']);
    expect(legacy.frames).toEqual([]);
  });
});

describe('admin endpoint for an outside harness', () => {
  it('POST /__sim/stall and GET /__sim/clients drive the same hooks', async () => {
    const { server, clock } = await serve();
    const a = await client(`${server.url}/ws/btcusdt@aggTrade`);
    await until(() => expect(a.frames).toHaveLength(1));
    const stall = await fetch(`${server.restUrl}/__sim/stall?client=1&ms=2000`, { method: 'POST' });
    expect(await stall.json()).toEqual({ stalled: [1] });
    const list = await (await fetch(`${server.restUrl}/__sim/clients`)).json();
    expect(list).toEqual([{ id: 1, path: '/ws/btcusdt@aggTrade', streams: ['btcusdt@aggTrade'], stalled: true, skipped: 0 }]);
    clock.advance(1_238);
    expect(server.clientList()[0]?.skipped).toBe(7);
    const rl = await fetch(`${server.restUrl}/__sim/rate-limit?n=1&retryAfter=5`, { method: 'POST' });
    expect(rl.status).toBe(200);
    expect((await fetch(`${server.restUrl}/api/v3/ping`)).status).toBe(429);
    expect((await fetch(`${server.restUrl}/__sim/nope`, { method: 'POST' })).status).toBe(404);
  });
});
