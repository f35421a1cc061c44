/**
 * show_chart's structured answer (what non-App hosts get) over the real
 * pipeline fed the 2017 BTCUSDT trades: the same candles and structure the
 * market tools answer, the offset and positions with their reasons, and the
 * positions of a wired trading desk (coordinator scenario A).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_RESOURCE_URI, showChart } from '../../../src/tools/charts/showChart.js';
import { getCandles, getStructure, TRADING_NOT_WIRED } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';
import { scenarioATrading } from '../trading/scenarioA.js';

describe('show_chart over the 2017 BTCUSDT trades', () => {
  let parts: RealParts;
  beforeAll(async () => {
    parts = await realParts(trades2017(), { settleMs: 1_000 });
  });
  afterAll(() => parts.close());

  it('declares its MCP App view', () => {
    expect(showChart.meta).toEqual({ ui: { resourceUri: CHART_RESOURCE_URI } });
    expect(CHART_RESOURCE_URI).toBe('ui://utp/chart.html');
    expect(showChart.annotations.readOnlyHint).toBe(true);
  });

  it('M5: the get_candles page, the structure confirmed since its first candle, trend, freshness and the reasons for what is missing', async () => {
    const out = await callTool(showChart, { symbol: 'btcusd', timeframe: 'M5', bars: 50 }, parts.ctx);
    const candles = await callTool(getCandles, { symbol: 'BTCUSD', timeframe: 'M5', limit: 50 }, parts.ctx);
    expect(out.candles).toEqual(candles.candles);
    expect(out.candles).toHaveLength(48); // 04:00 to 07:55: the whole recording
    expect(out.candles[0]).toMatchObject({ openTime: Date.UTC(2017, 7, 17, 4), open: 4261.48, high: 4280.56, close: 4261.48, closed: true });
    expect(out.candles.at(-1)).toMatchObject({ openTime: Date.UTC(2017, 7, 17, 7, 55), close: 4349.99, closed: false });
    const structure = await callTool(getStructure, { symbol: 'BTCUSD', timeframe: 'M5', since: Date.UTC(2017, 7, 17, 4), limit: 1000 }, parts.ctx);
    expect(out.structure.map((e) => e.id)).toEqual(structure.events.map((e) => e.id));
    expect(out.structure.length).toBeGreaterThan(10);
    const breaks = out.structure.filter((e) => e.kind === 'bos' || e.kind === 'choch').map((e) => [e.kind, e.direction, e.level, e.confirmedAtMs]);
    expect(breaks).toEqual([
      ['bos', 'bullish', 4313.62, Date.UTC(2017, 7, 17, 5, 9, 59, 999)],
      ['bos', 'bullish', 4328.69, Date.UTC(2017, 7, 17, 6, 4, 59, 999)],
      ['bos', 'bullish', 4330.29, Date.UTC(2017, 7, 17, 6, 39, 59, 999)],
      ['choch', 'bearish', 4316.62, Date.UTC(2017, 7, 17, 7, 29, 59, 999)],
      ['bos', 'bearish', 4291.38, Date.UTC(2017, 7, 17, 7, 49, 59, 999)],
    ]);
    expect(out).toMatchObject({
      symbol: 'BTCUSD',
      timeframe: 'M5',
      source: 'binance',
      lastIsOpen: true,
      trend: 'bearish',
      structureNote: null,
      positions: [],
      positionsNote: TRADING_NOT_WIRED,
      offset: null,
      offsetNote: 'not calibrated yet: needs 10 paired Binance and MT5 mids, at most one a second',
      asOf: '2017-08-17T07:59:42.846Z',
      ageMs: 1_005,
      gaps: { open: [], filled: 0, unfillable: [] },
      sources: [{ source: 'binance', feed: 'binance-spot', state: 'replaying', active: true }],
    });
  });

  it('D1 has candles but no structure, and says why', async () => {
    const out = await callTool(showChart, { symbol: 'BTCUSD', timeframe: 'D1' }, parts.ctx);
    expect(out.candles).toHaveLength(1);
    expect(out.structure).toEqual([]);
    expect(out.structureNote).toBe('structure is detected on M1, M5, M15, H1 and H4 only, not D1');
  });

  it('an unknown symbol fails with the valid ones', async () => {
    await expect(callTool(showChart, { symbol: 'EURUSD', timeframe: 'M5' }, parts.ctx)).rejects.toThrow(/unknown symbol "EURUSD"; valid symbols: BTCUSD/);
  });

  it('with a trading desk wired: the open BTCUSD position with its entry and trailed stop', async () => {
    const desk = await scenarioATrading();
    const out = await callTool(showChart, { symbol: 'BTCUSD', timeframe: 'M5', bars: 20 }, { ...parts.ctx, trading: desk.view });
    expect(out.positionsNote).toBeNull();
    expect(out.positions).toEqual([{ ticket: 'P1', side: 'buy', volume: 0.5, openPrice: 72632, sl: 72806.98, tp: null, profit: expect.any(Number) }]);
    desk.close();
  });
});
