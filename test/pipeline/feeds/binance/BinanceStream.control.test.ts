import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { BinanceStream, type BinanceStreamOptions, type StreamEvent } from '../../../../src/pipeline/feeds/binance/BinanceStream.js';
import { BinanceReplayServer } from '../../../../src/sim/BinanceReplayServer.js';
import { loadRecording, type BinanceRecording } from '../../../../src/sim/binanceRecording.js';
import { fixture } from './captures.js';

const T0 = Date.UTC(2026, 0, 1, 1);
let rec: BinanceRecording;
beforeAll(async () => {
  rec = await loadRecording(fixture('BTCUSDT-aggTrades-2026-01-01_first5000.csv'));
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(options: Partial<BinanceStreamOptions> = {}) {
  const serverClock = new TestClock(T0);
  const server = new BinanceReplayServer({ recordings: rec, clock: serverClock, speed: 1, pongTimeoutMs: Infinity });
  await server.start();
  closers.push(() => server.close());
  const clock = new TestClock(T0);
  const events: StreamEvent[] = [];
  const stream = new BinanceStream({
    baseUrl: server.url,
    streams: ['btcusdt@aggTrade'],
    symbols: { btcusdt: 'BTCUSD', ethusdt: 'ETHUSD' },
    clock,
    random: () => 1,
    onTick: () => {},
    onEvent: (e) => events.push(e),
    ...options,
  });
  closers.push(() => stream.stop());
  await stream.start();
  return { server, serverClock, clock, stream, events };
}

const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 2 });

describe('BinanceStream live control messages', () => {
  it('SUBSCRIBE / UNSUBSCRIBE go out at most controlPerSecond a second; later connections carry them in the URL', async () => {
    const { server, clock, stream } = await setup({ controlPerSecond: 2 });
    await until(() => expect(server.clientList()).toHaveLength(1));
    stream.subscribe(['btcusdt@bookTicker']);
    stream.subscribe(['btcusdt@trade', 'btcusdt@aggTrade']); // the one already there is not sent again
    stream.subscribe(['ethusdt@aggTrade']);
    await until(() => expect(server.clientList()[0]?.streams).toEqual(['btcusdt@aggTrade', 'btcusdt@bookTicker', 'btcusdt@trade']));
    expect(stream.lifecycle().pendingControl).toBe(1);
    clock.advance(1_000);
    await until(() => expect(server.clientList()[0]?.streams).toHaveLength(4));
    expect(stream.url).toBe(`${server.url}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker/btcusdt@trade/ethusdt@aggTrade`);
    expect(stream.status().symbols).toEqual(['BTCUSD', 'ETHUSD']);
    stream.unsubscribe(['btcusdt@trade']);
    await until(() => expect(server.clientList()[0]?.streams).toEqual(['btcusdt@aggTrade', 'btcusdt@bookTicker', 'ethusdt@aggTrade']));
  });
});

describe('BinanceStream watchdog per symbol', () => {
  it('a symbol silent past its threshold kills the connection even while others stream', async () => {
    const { server, serverClock, clock, stream, events } = await setup({
      streams: ['btcusdt@aggTrade', 'ethusdt@aggTrade'],
      silenceMs: 60_000,
      symbolSilenceMs: { ETHUSD: 2_000 },
    });
    await until(() => expect(server.clientList()).toHaveLength(1));
    for (let t = 0; t < 2_500; t += 250) {
      serverClock.advance(1_000);
      await new Promise((r) => setTimeout(r, 5));
      clock.advance(250);
    }
    await until(() => expect(stream.lifecycle().silentKills).toBe(1));
    expect(events.filter((e) => e.kind === 'silent')).toEqual([
      { stream: 'binance-spot', kind: 'silent', symbol: 'ETHUSD', detail: expect.stringMatching(/^no ETHUSD tick for \d+ ms$/) },
    ]);
    expect(stream.status().ticks).toBeGreaterThan(5); // BTCUSD was streaming all along
  });

  it('refuses a non-positive per-symbol threshold', () => {
    expect(
      () =>
        new BinanceStream({ baseUrl: 'ws://127.0.0.1:1', streams: ['btcusdt@aggTrade'], symbols: {}, clock: new TestClock(), onTick: () => {}, symbolSilenceMs: { BTCUSD: 0 } }),
    ).toThrow(/symbolSilenceMs.BTCUSD must be > 0/);
  });
});
