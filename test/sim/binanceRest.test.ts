import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ArchiveAggTrade } from '../../src/pipeline/feeds/binance/archive.js';
import type { BinanceReplayServer, BinanceReplayServerOptions } from '../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../src/sim/binanceRecording.js';
import { AGG_TRADES_2026, fixturePath, fixtureRows, KLINES_2017, TRADES_2017 } from '../fixtures/load.js';
import { client, serveOnClock } from './simHarness.js';

const T0 = Date.UTC(2026, 0, 1, 1);
let agg: BinanceRecording;
let rows: readonly ArchiveAggTrade[];
beforeAll(async () => {
  agg = await loadRecording(fixturePath(AGG_TRADES_2026));
  rows = agg.rows as readonly ArchiveAggTrade[];
});

/** A simulator of the aggTrades recording on its own TestClock at T0. */
const serve = (options: Partial<BinanceReplayServerOptions> = {}) => serveOnClock(agg, options, T0);

/** Connects a listener so the replay starts. */
const listen = async (url: string): Promise<string[]> => (await client(url)).frames;

type Got = { status: number; body: unknown; text: string; headers: Headers };
async function get(server: BinanceReplayServer, path: string, headers: Record<string, string> = {}): Promise<Got> {
  const res = await fetch(`${server.restUrl}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as unknown, text, headers: res.headers };
}

const item = (r: ArchiveAggTrade, shift = { a: 0, f: 0, T: 0 }) => ({
  a: r.a + shift.a,
  p: r.p,
  q: r.q,
  f: r.f + shift.f,
  l: r.l + shift.f,
  T: Math.floor(r.T) + shift.T,
  m: r.m,
  M: r.M,
});
const playedWithin = (ms: number) => rows.filter((r) => Math.round(r.T * 1000) - Math.round((rows[0] as ArchiveAggTrade).T * 1000) <= ms * 1000).length;

describe('spot /api/v3/aggTrades from the played history', () => {
  it('serves exactly what was played, never the future, in Binance’s item shape', async () => {
    const { server, clock } = await serve();
    expect((await get(server, '/api/v3/aggTrades?symbol=BTCUSDT')).body).toEqual([]); // nothing played yet
    await listen(`${server.url}/ws/btcusdt@aggTrade`);
    clock.advance(60_000);
    const n = playedWithin(60_000);
    expect(n).toBe(server.status().position);
    const first = rows[0] as ArchiveAggTrade;
    const r = await get(server, `/api/v3/aggTrades?symbol=BTCUSDT&fromId=${first.a}&limit=1000`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(rows.slice(0, n).map((x) => item(x)));
    expect(r.text.startsWith('[{"a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true,"M":true}')).toBe(true);
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('8'); // two aggTrades requests of weight 4
  });

  it('limit (default 500, max 1000), fromId paging, startTime/endTime, latest without params; µs with X-MBX-TIME-UNIT', async () => {
    const { server, clock } = await serve();
    await listen(`${server.url}/ws/btcusdt@aggTrade`);
    clock.advance(739_308); // the whole recording (last row at 739 307.988 ms), not yet loop 1 (starts at 739 309 ms)
    expect(server.status()).toMatchObject({ position: 0, loops: 1 });
    const ids = async (q: string) => ((await get(server, `/api/v3/aggTrades?symbol=BTCUSDT${q}`)).body as { a: number }[]).map((x) => x.a);
    const a0 = (rows[0] as ArchiveAggTrade).a;
    expect(await ids(`&fromId=${a0}`)).toEqual(rows.slice(0, 500).map((r) => r.a));
    expect(await ids(`&fromId=${a0 + 1000}&limit=5000`)).toEqual(rows.slice(1000, 2000).map((r) => r.a));
    expect(await ids('&limit=3')).toEqual(rows.slice(4997).map((r) => r.a));
    const t = Math.floor((rows[100] as ArchiveAggTrade).T);
    const u = Math.floor((rows[110] as ArchiveAggTrade).T);
    const inWindow = rows.filter((r) => Math.floor(r.T) >= t && Math.floor(r.T) <= u).map((r) => r.a);
    expect(await ids(`&startTime=${t}&endTime=${u}`)).toEqual(inWindow);
    expect(await ids(`&endTime=${u}&limit=2`)).toEqual(inWindow.slice(-2));
    const micro = await get(server, `/api/v3/aggTrades?symbol=BTCUSDT&fromId=${a0}&limit=1`, { 'X-MBX-TIME-UNIT': 'MICROSECOND' });
    expect((micro.body as { T: number }[])[0]?.T).toBe(1767225600039409);
  });

  it('after a loop the ids and times of the played rows are shifted exactly like the frames', async () => {
    const { server, clock } = await serve();
    await listen(`${server.url}/ws/btcusdt@aggTrade`);
    clock.advance(739_309 + 1_000);
    const { lengthMs } = server.status();
    const a0 = (rows[0] as ArchiveAggTrade).a;
    const body = (await get(server, `/api/v3/aggTrades?symbol=BTCUSDT&fromId=${a0 + 5000}&limit=1000`)).body;
    const n = server.status().position;
    expect(n).toBe(playedWithin(1_000));
    expect(body).toEqual(rows.slice(0, n).map((r) => item(r, { a: 5000, f: 16028, T: lengthMs })));
  });

  it('answers errors with Binance codes and counts weight (aggTrades 4, exchangeInfo 20) in X-MBX-USED-WEIGHT-1M', async () => {
    const { server, clock } = await serve();
    const a = await get(server, '/api/v3/aggTrades');
    expect(a).toMatchObject({ status: 400, body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." } });
    expect(a.headers.get('x-mbx-used-weight-1m')).toBe('4');
    expect((await get(server, '/api/v3/aggTrades?symbol=ETHUSDT')).body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    expect((await get(server, '/api/v3/aggTrades?symbol=BTCUSDT&fromId=abc')).body).toEqual({
      code: -1100,
      msg: "Illegal characters found in parameter 'fromId'; legal range is '^[0-9]{1,20}$'.",
    });
    expect((await get(server, '/api/v3/klines?symbol=BTCUSDT&interval=7m')).body).toEqual({ code: -1120, msg: 'Invalid interval.' });
    const e = await get(server, '/api/v3/exchangeInfo?symbol=BTCUSDT');
    expect(e.headers.get('x-mbx-used-weight-1m')).toBe(String(4 * 3 + 2 + 20));
    clock.advance(60_000); // a new minute: the window starts over
    expect((await get(server, '/api/v3/ping')).headers.get('x-mbx-used-weight-1m')).toBe('1');
    expect((await get(server, '/fapi/v1/aggTrades?symbol=BTCUSDT')).status).toBe(404); // a spot host has no futures API
  });
});

describe('exchangeInfo', () => {
  it('spot: the recorded symbols with status and filters; an unknown symbol is 400 -1121', async () => {
    const { server } = await serve();
    const ok = (await get(server, '/api/v3/exchangeInfo?symbol=BTCUSDT')).body as { symbols: Record<string, unknown>[]; rateLimits: unknown[] };
    expect(ok.symbols).toHaveLength(1);
    expect(ok.symbols[0]).toMatchObject({
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      filters: [
        { filterType: 'PRICE_FILTER', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', stepSize: '0.00001000' },
      ],
    });
    expect(ok.rateLimits[0]).toEqual({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 });
    expect(await get(server, '/api/v3/exchangeInfo?symbol=PAXGUSDT')).toMatchObject({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
    expect(await get(server, '/api/v3/exchangeInfo?symbols=["BTCUSDT","NOPEUSDT"]')).toMatchObject({ status: 400, body: { code: -1121 } });
    expect(((await get(server, '/api/v3/exchangeInfo')).body as { symbols: unknown[] }).symbols).toHaveLength(1);
  });

  it('USD-M: /fapi/v1/exchangeInfo lists XAUUSDT as TRADIFI_PERPETUAL; aggTrades weigh 20 and carry no M', async () => {
    const xau = await loadRecording(fixturePath(AGG_TRADES_2026), { symbol: 'xauusdt' });
    const { server, clock } = await serve({ recordings: xau, market: 'usdm' });
    const info = await get(server, '/fapi/v1/exchangeInfo');
    expect((info.body as { futuresType: string }).futuresType).toBe('U_MARGINED');
    expect((info.body as { symbols: unknown[] }).symbols).toEqual([
      expect.objectContaining({ symbol: 'XAUUSDT', contractType: 'TRADIFI_PERPETUAL', underlyingType: 'COMMODITY', underlyingSubType: ['TradFi'], status: 'TRADING' }),
    ]);
    expect(info.headers.get('x-mbx-used-weight-1m')).toBe('1');
    expect((await get(server, '/api/v3/exchangeInfo')).status).toBe(404);
    await listen(`${server.url}/market/ws/xauusdt@aggTrade`);
    clock.advance(1);
    const r = await get(server, '/fapi/v1/aggTrades?symbol=XAUUSDT&limit=1');
    expect(r.text).toBe('[{"a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true}]');
    expect(r.headers.get('x-mbx-used-weight-1m')).toBe('21');
    expect((await get(server, '/fapi/v1/aggTrades?symbol=XAUUSDT&startTime=0&endTime=3600000')).body).toEqual({
      code: -1127,
      msg: 'More than 1 hours between startTime and endTime.',
    });
  });
});

describe('klines built from played trades', () => {
  it('equal Binance’s own 1m klines for the first trading day (04:00–07:59), empty minutes included', async () => {
    const trades = await loadRecording(fixturePath(TRADES_2017));
    const { server } = await serve({ recordings: trades, speed: 'max', loop: false });
    await listen(`${server.url}/ws/btcusdt@trade`);
    await vi.waitFor(() => expect(server.status().replaying).toBe(false));
    const official = fixtureRows(KLINES_2017)
      .slice(0, 240)
      .map((c) => c.map((v, i) => (i === 0 || i === 6 || i === 8 ? Number(v) : v)));
    const got = await get(server, '/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1502942400000&limit=1000');
    expect(got.body).toEqual(official);
    const latest = (await get(server, '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2')).body;
    expect(latest).toEqual(official.slice(-2));
    const h1 = (await get(server, '/api/v3/klines?symbol=BTCUSDT&interval=1h')).body as unknown[][];
    expect(h1.map((k) => k.slice(0, 6).concat([k[8]]))).toEqual([
      [1502942400000, '4261.48000000', '4313.62000000', '4261.32000000', '4308.83000000', '47.18100900', 171],
      [1502946000000, '4308.83000000', '4328.69000000', '4291.37000000', '4315.32000000', '23.23491600', 102],
      expect.any(Array),
      expect.any(Array),
    ]);
  });
});

describe('rate limits', () => {
  it('rateLimitRest: 429 with Retry-After; a request before it passes is banned with 418; honoured, it succeeds', async () => {
    const { server, clock } = await serve({ rest: { banSeconds: 120 } });
    server.rateLimitRest(2, 3);
    const first = await get(server, '/api/v3/ping');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((first.body as { code: number }).code).toBe(-1003);
    clock.advance(3_000);
    expect((await get(server, '/api/v3/ping')).status).toBe(429); // honoured, but the fault asked for two
    clock.advance(1_000); // ignored: only 1 of 3 s
    const banned = await get(server, '/api/v3/ping');
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('120');
    expect((banned.body as { msg: string }).msg).toMatch(/^Way too many requests; IP\(127\.0\.0\.1\) banned until \d+/);
    clock.advance(120_000);
    expect((await get(server, '/api/v3/ping')).status).toBe(200);
    expect(server.status().rest).toMatchObject({ rateLimited: 2, banned: 1 });
  });

  it('over the weight limit: 429 until the minute ends', async () => {
    const { server, clock } = await serve({ rest: { weightLimit: 10 } });
    clock.advance(30_000 - (T0 % 60_000));
    expect((await get(server, '/api/v3/aggTrades?symbol=BTCUSDT')).status).toBe(200);
    expect((await get(server, '/api/v3/aggTrades?symbol=BTCUSDT')).status).toBe(200);
    const over = await get(server, '/api/v3/aggTrades?symbol=BTCUSDT');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('30');
    clock.advance(30_000);
    expect((await get(server, '/api/v3/aggTrades?symbol=BTCUSDT')).status).toBe(200);
  });

  it('retention: trades older than the window are no longer served (fromId starts at the oldest kept)', async () => {
    const { server, clock } = await serve({ rest: { retentionMs: 10_000 } });
    await listen(`${server.url}/ws/btcusdt@aggTrade`);
    clock.advance(100_000);
    const n = server.status().position;
    const latest = Math.floor((rows[n - 1] as ArchiveAggTrade).T);
    const kept = rows.slice(0, n).filter((r) => Math.floor(r.T) >= latest - 10_000);
    const body = (await get(server, `/api/v3/aggTrades?symbol=BTCUSDT&fromId=${(rows[0] as ArchiveAggTrade).a}&limit=1000`)).body;
    expect(body).toEqual(kept.map((r) => item(r)));
    expect(kept.length).toBeLessThan(n);
  });
});
