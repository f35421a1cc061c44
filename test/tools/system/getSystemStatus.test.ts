import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tick } from '../../../src/core/index.js';
import { getSystemStatus } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

describe('get_system_status over a pipeline fed the first BTCUSDT trades plus three bad ticks', () => {
  const trades = trades2017();
  const last = trades[333] as Tick;
  // Arrive with the last trade's receive time: a crossed quote, a NaN print and a symbol nobody configured.
  const bad: Tick[] = [
    { ...last, seq: null, last: null, volume: 0, bid: 4350, ask: 4349.5 },
    { ...last, seq: null, last: Number.NaN },
    { ...last, seq: null, symbol: 'ETHUSD' },
  ];
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(trades, { settleMs: 1_000, extra: bad });
  });
  afterAll(() => parts.close());

  it('reports mode, uptime, symbols with tick counts, the feed, pipeline counters, replay and the store', async () => {
    const out = (await callTool(getSystemStatus, {}, parts.ctx)) as Record<string, unknown>;
    const candles = (parts.store.db.prepare('SELECT COUNT(*) AS n FROM candles').get() as { n: number }).n;
    // Started 60 s before the first trade was received (04:00:28.327); now = last receive (07:59:42.851) + 1 s.
    expect(out).toEqual({
      mode: 'replay',
      version: '0.1.0-test',
      startedAt: '2017-08-17T03:59:28.327Z',
      uptimeMs: 1502956783851 - 1502942368327,
      symbols: [
        { symbol: 'BTCUSD', binance: 'btcusdt (spot)', mt5: 'BTCUSD', primary: 'binance', ticks: 334 },
        { symbol: 'XAUUSD', binance: 'xauusdt (usdm)', mt5: 'XAUUSD', primary: 'binance', ticks: 0 },
        { symbol: 'GBPJPY', binance: null, mt5: 'GBPJPY', primary: 'mt5', ticks: 0 },
      ],
      feeds: [
        {
          id: 'binance-spot',
          source: 'binance',
          state: 'replaying',
          detail: 'replaying BTCUSDT-trades-2017-08-17_0400-0800.csv at max speed',
          symbols: ['BTCUSD'],
          frames: 339,
          ticks: 337,
          dropped: 2,
          reconnects: 0,
          lastMessageAgeMs: 1_000,
        },
      ],
      pipeline: expect.objectContaining({
        accepted: 334,
        rejected: 3,
        rejectReasons: { 'crossed book': 1, 'non-positive or non-finite trade price': 1, 'unknown symbol': 1 },
        unknownSymbol: 1,
        lateTicks: 0,
        spikes: 0,
        fused: 334,
        candlesClosed: candles,
      }),
      ram: null,
      archive: null,
      replay: { file: 'BTCUSDT-trades-2017-08-17_0400-0800.csv', speed: 'max', loops: 0, framesSent: 337 },
      store: { path: ':memory:', sizeBytes: parts.store.sizeBytes(), ticks: 334, candles, pendingWrites: 0, writeErrors: 0 },
      trading: null,
    });
    expect(out.uptimeMs).toBe(14_415_524);
    expect(candles).toBeGreaterThan(14_000); // S1 .. H1 closed since 04:00:28, every one recorded
    expect(parts.listenerErrors).toEqual([]);
  });

  it('takes no input; unknown keys are stripped by the schema', () => {
    expect(getSystemStatus.input.parse({})).toEqual({});
    expect(getSystemStatus.input.parse({ verbose: true })).toEqual({});
  });

  it('uptime and feed age move with the clock', async () => {
    parts.clock.advance(9_000);
    const out = (await callTool(getSystemStatus, {}, parts.ctx)) as { uptimeMs: number; feeds: { lastMessageAgeMs: number }[] };
    expect(out.uptimeMs).toBe(14_424_524);
    expect(out.feeds[0]?.lastMessageAgeMs).toBe(10_000);
  });
});
