import { createServer, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import type { ArchiveAggTrade } from '../../../../src/pipeline/feeds/binance/archive.js';
import { BinanceRest, restAggTradeTick, type BinanceRestOptions } from '../../../../src/pipeline/feeds/binance/BinanceRest.js';
import {
  BinanceInvalidSymbolError,
  BinanceRateLimitError,
  BinanceRequestError,
  BinanceUnavailableError,
} from '../../../../src/pipeline/feeds/binance/restErrors.js';
import { checkListings } from '../../../../src/pipeline/feeds/binance/symbolCheck.js';
import { BinanceReplayServer, type BinanceReplayServerOptions } from '../../../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../../../src/sim/binanceRecording.js';
import { fixture } from './captures.js';

const T0 = Date.UTC(2026, 0, 1, 1);
let rec: BinanceRecording;
let rows: readonly ArchiveAggTrade[];
beforeAll(async () => {
  rec = await loadRecording(fixture('BTCUSDT-aggTrades-2026-01-01_first5000.csv'));
  rows = rec.rows as readonly ArchiveAggTrade[];
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A simulator that has played the whole recording (spot unless told). */
async function played(options: Partial<BinanceReplayServerOptions> = {}) {
  const clock = new TestClock(T0);
  const server = new BinanceReplayServer({ recordings: rec, clock, speed: 1, loop: false, ...options });
  await server.start();
  closers.push(() => server.close());
  const ws = new WebSocket(`${server.url}/${options.market === 'usdm' ? 'market/' : ''}ws/${rec.symbol}@aggTrade`);
  closers.push(async () => void ws.terminate());
  await new Promise((resolve) => ws.once('open', resolve));
  clock.advance(740_000);
  return { server, serverClock: clock };
}

function client(baseUrls: readonly string[], options: Partial<BinanceRestOptions> = {}) {
  const clock = new TestClock(T0 + 30_000); // mid-minute: weight windows do not roll over by accident
  return { rest: new BinanceRest({ baseUrls, market: 'spot', clock, ...options }), clock };
}

/** A port nothing listens on. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A server that accepts requests and never answers. */
async function hangingUrl(): Promise<string> {
  const s: Server = createServer(() => {});
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  });
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });

describe('BinanceRest against the simulator', () => {
  it('pages aggTrades by fromId (1000 a page) over the whole recording; each item becomes the tick the stream would give', async () => {
    const { server } = await played();
    const { rest } = client([server.restUrl]);
    const got: number[] = [];
    for (let from = (rows[0] as ArchiveAggTrade).a; ; ) {
      const page = await rest.aggTrades({ symbol: 'btcusdt', fromId: from, limit: 1000 });
      if (page.length === 0) break;
      got.push(...page.map((t) => t.a));
      from = (page.at(-1)?.a ?? 0) + 1;
    }
    expect(got).toEqual(rows.map((r) => r.a));
    const [first] = await rest.aggTrades({ symbol: 'BTCUSDT', limit: 1, fromId: (rows[0] as ArchiveAggTrade).a });
    expect(restAggTradeTick('BTCUSD', first as never, 7)).toEqual({
      symbol: 'BTCUSD',
      source: 'binance',
      tsEvent: 1767225600039,
      tsInit: 7,
      bid: null,
      ask: null,
      last: 87648.21,
      volume: 0.08185,
      trades: 1,
      takerSide: 'sell',
      seq: 3800397495,
      offset: 0,
    });
    expect(rest.status()).toMatchObject({ baseUrl: server.restUrl, requests: 7, failures: 0, usedWeight: 28, budget: 3000, retryAt: null });
  });

  it('klines and exchangeInfo; an unlisted symbol is a typed BinanceInvalidSymbolError, a bad parameter a BinanceRequestError', async () => {
    const { server } = await played();
    const { rest } = client([server.restUrl]);
    const k = await rest.klines({ symbol: 'BTCUSDT', interval: '1m', limit: 1 });
    expect(k).toEqual([expect.objectContaining({ openTime: Date.UTC(2026, 0, 1, 0, 12), closeTime: Date.UTC(2026, 0, 1, 0, 12) + 59_999 })]);
    const info = await rest.exchangeInfo({ symbol: 'btcusdt' });
    expect(info.symbols.map((s) => [s.symbol, s.status])).toEqual([['BTCUSDT', 'TRADING']]);
    const bad = await rest.exchangeInfo({ symbol: 'NOPEUSDT' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BinanceInvalidSymbolError);
    expect(bad).toMatchObject({ symbol: 'NOPEUSDT', status: 400, binanceCode: -1121, code: 'invalid_request' });
    const invalid = await rest.klines({ symbol: 'BTCUSDT', interval: '7m' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BinanceRequestError);
    expect(invalid).toMatchObject({ status: 400, binanceCode: -1120, message: expect.stringMatching(/-1120 Invalid interval\./) });
  });

  it('checkListings: spot finds the missing symbol one by one; USD-M accepts TRADIFI_PERPETUAL', async () => {
    const { server } = await played();
    const { rest } = client([server.restUrl]);
    const spot = await checkListings(rest, 'spot', ['btcusdt', 'paxgusdt']);
    expect(spot).toEqual({ missing: new Map([['PAXGUSDT', 'PAXGUSDT is not listed on Binance spot (exchangeInfo: -1121 Invalid symbol.)']]), unverified: null });
    const xau = await loadRecording(fixture('BTCUSDT-aggTrades-2026-01-01_first5000.csv'), { symbol: 'xauusdt' });
    const usdm = await played({ recordings: xau, market: 'usdm' });
    const fut = client([usdm.server.restUrl], { market: 'usdm' }).rest;
    expect(await checkListings(fut, 'usdm', ['xauusdt', 'paxgusdt'])).toEqual({
      missing: new Map([['PAXGUSDT', 'PAXGUSDT is not listed on Binance USD-M futures (exchangeInfo)']]),
      unverified: null,
    });
    const down = client([await deadUrl()]).rest;
    expect((await checkListings(down, 'spot', ['btcusdt'])).unverified).toMatch(/^could not verify listings: Binance REST unavailable/);
  });

  it('fails over to the next base URL on a refused connection and on a timeout (on the Clock)', async () => {
    const { server } = await played();
    const { rest } = client([await deadUrl(), server.restUrl]);
    expect(await rest.aggTrades({ symbol: 'BTCUSDT', limit: 2 })).toHaveLength(2);
    expect(rest.status()).toMatchObject({ baseUrl: server.restUrl, failovers: 1, failures: 0 });
    const slow = client([await hangingUrl(), server.restUrl], { timeoutMs: 5_000 });
    const pending = slow.rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 });
    await new Promise((r) => setTimeout(r, 20)); // let the request reach the silent server
    slow.clock.advance(5_000);
    expect(await pending).toHaveLength(1);
    const none = client([await deadUrl(), await deadUrl()]).rest;
    const err = await none.aggTrades({ symbol: 'BTCUSDT' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinanceUnavailableError);
    expect((err as BinanceUnavailableError).attempts).toEqual([expect.stringMatching(/ECONNREFUSED$/), expect.stringMatching(/ECONNREFUSED$/)]);
    expect(none.status()).toMatchObject({ failures: 1, lastError: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('429: a typed error, and no request goes out before Retry-After has passed on the clock (no 418)', async () => {
    const { server, serverClock } = await played();
    const { rest, clock } = client([server.restUrl]);
    server.rateLimitRest(1, 2);
    const err = await rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinanceRateLimitError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 2_000, retryAt: T0 + 32_000, code: 'temporary' });
    const next = rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 });
    await until(() => expect(rest.status()).toMatchObject({ waiting: 1, retryAt: T0 + 32_000 }));
    clock.advance(1_999);
    expect(rest.status().waiting).toBe(1);
    serverClock.advance(2_000);
    clock.advance(1);
    expect(await next).toHaveLength(1);
    expect(server.status().rest).toMatchObject({ rateLimited: 1, banned: 0 });
  });

  it('keeps its weight under the self-imposed budget: waits for the next minute (and learns the used weight from the header)', async () => {
    const { server } = await played();
    const { rest, clock } = client([server.restUrl], { weightBudget: 10 });
    await rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 });
    await rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 });
    expect(rest.status().usedWeight).toBe(8);
    let done = false;
    const third = rest.aggTrades({ symbol: 'BTCUSDT', limit: 1 }).then(() => (done = true));
    await until(() => expect(rest.status().waiting).toBe(1));
    clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    clock.advance(1); // the next minute
    await third;
    expect(server.status().rest.requests).toBe(3);
  });
});
