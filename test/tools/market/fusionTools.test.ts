/**
 * get_structure, get_volatility_bridge and get_offsets through their handlers
 * (input and output parsed by their zod schemas), on the real parts the server
 * composes, fed the first BTCUSDT trades (2017-08-17 04:00-08:00).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle, StructureEvent } from '../../../src/core/index.js';
import { Atr, detectStructure } from '../../../src/pipeline/index.js';
import { getOffsets, getStructure, getVolatilityBridge } from '../../../src/tools/index.js';
import { trades2017 } from '../../fixtures/load.js';
import { callTool, realParts, type RealParts } from '../realContext.js';

describe('fusion tools on the 2017 trades', () => {
  let parts: RealParts;
  const m5: Candle[] = [];
  const published: StructureEvent[] = [];
  beforeAll(async () => {
    parts = await realParts([]);
    parts.bus.subscribe('candle.closed', (c) => {
      if (c.timeframe === 'M5') m5.push(c);
    });
    parts.bus.subscribe('structure.event', (e) => published.push(e));
    for (const tick of trades2017()) {
      const wait = tick.tsInit - parts.clock.now();
      if (wait > 0) parts.clock.advance(wait);
      parts.pipeline.ingest(tick);
    }
    parts.clock.advance(5_000);
    parts.recorder.flush();
  });
  afterAll(() => parts.close());

  it('get_structure pages the M5 events oldest first with a cursor; they equal detectStructure over the closed M5 candles', async () => {
    const want = detectStructure(m5, 'BTCUSD', 'M5');
    expect(want.length).toBeGreaterThan(4);
    expect(published.filter((e) => e.timeframe === 'M5')).toEqual(want);
    const got: StructureEvent[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await callTool(getStructure, { symbol: 'btcusd', timeframe: 'M5', limit: 4, ...(cursor ? { cursor } : {}) }, parts.ctx);
      pages++;
      expect(page).toMatchObject({ symbol: 'BTCUSD', timeframe: 'M5', source: 'binance', count: page.events.length, hasMore: page.nextCursor !== null });
      for (const e of page.events) {
        expect(e.formedAt).toBe(new Date(e.formedAtMs).toISOString());
        expect(e.confirmedAt).toBe(new Date(e.confirmedAtMs).toISOString());
        got.push({ id: e.id, kind: e.kind, direction: e.direction, symbol: 'BTCUSD', timeframe: 'M5', level: e.level, top: e.top, bottom: e.bottom, formedAt: e.formedAtMs, confirmedAt: e.confirmedAtMs, refs: e.refs });
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(got).toEqual(want);
    expect(pages).toBe(Math.ceil(want.length / 4));
    const last = m5[m5.length - 1]!;
    const first = await callTool(getStructure, { symbol: 'BTCUSD', timeframe: 'M5', since: new Date(want[2]!.confirmedAt).toISOString() }, parts.ctx);
    expect(first.events.map((e) => e.id)).toEqual(want.filter((e) => e.confirmedAt >= want[2]!.confirmedAt).map((e) => e.id));
    expect(first.asOf).toBe(new Date(last.openTime + 299_999).toISOString());
    expect(first.ageMs).toBe(parts.clock.now() - (last.openTime + 299_999));
    expect(first.sources.map((s) => s.source)).toEqual(['binance']);
  });

  it('get_volatility_bridge answers the reading of the last primary M5, ATR equal to Atr(14) over the M5 candles', async () => {
    const out = await callTool(getVolatilityBridge, { symbol: 'BTCUSD' }, parts.ctx);
    const atr = new Atr(14);
    const atrs = m5.map((c) => atr.add(c));
    const last = m5[m5.length - 1]!;
    expect(out.reason).toBeNull();
    expect(out.warmUp).toEqual({ requiredInputs: 38, stable: true });
    expect(out.reading).toMatchObject({ openTimeMs: last.openTime, primary: 'binance', atr: atrs[atrs.length - 1], offset: null });
    // no offset calibrated (no broker quotes): Binance cannot be expressed in broker terms, so there is no fused close
    expect(out.reading).toMatchObject({ fusedClose: null, fusedSources: [] });
    expect(out.reading?.m5.close).toBe(last.close);
    expect(out.asOf).toBe(new Date(last.tsEvent).toISOString());
  });

  it('get_volatility_bridge says why it has no reading while warming up', async () => {
    const out = await callTool(getVolatilityBridge, { symbol: 'XAUUSD' }, parts.ctx);
    expect(out).toMatchObject({ symbol: 'XAUUSD', reading: null, warmUp: { requiredInputs: 38, stable: false }, asOf: null, ageMs: null });
    expect(out.reason).toMatch(/^warming up: the bridge needs 38 closed binance M5 candles/);
  });

  it('get_offsets lists every symbol, offset null with the reason when nothing can be or was calibrated', async () => {
    const out = await callTool(getOffsets, {}, parts.ctx);
    expect(out.offsets.map((o) => [o.symbol, o.offset, o.pairs, o.held, o.discrepancy])).toEqual([
      ['BTCUSD', null, 0, false, false],
      ['XAUUSD', null, 0, false, false],
      ['GBPJPY', null, 0, false, false],
    ]);
    expect(out.offsets[0]?.reason).toMatch(/^not calibrated yet/);
    expect(out.offsets[2]?.reason).toBe('GBPJPY has no Binance source: nothing to calibrate (no offset is applied)');
    expect(out).toMatchObject({ asOf: null, ageMs: null });
  });

  it('get_offsets answers the calibrated offset once MT5 quotes pair with the trades', async () => {
    const base = parts.clock.now();
    for (let i = 0; i < 12; i++) {
      const ts = base + 1_000 + i * 1_100;
      parts.clock.advance(ts - parts.clock.now());
      const quote = { symbol: 'BTCUSD', tsEvent: ts, tsInit: ts, last: null, volume: 0, trades: 1, takerSide: null, seq: null, offset: 0 } as const;
      parts.pipeline.ingest({ ...quote, source: 'mt5', bid: 4400, ask: 4402 });
      parts.pipeline.ingest({ ...quote, source: 'binance', bid: null, ask: null, last: 4350, seq: 10_000 + i, takerSide: 'buy', volume: 0.1 });
    }
    const out = await callTool(getOffsets, {}, parts.ctx);
    expect(out.offsets[0]).toMatchObject({ symbol: 'BTCUSD', offset: 51, candidate: 51, held: false, discrepancy: false, reason: null });
    expect(out.offsets[0]?.pairs).toBeGreaterThanOrEqual(10);
    expect(out.offsets[0]?.updatedAtMs).toBe(out.ageMs === null ? null : parts.clock.now() - out.ageMs);
    expect(out.asOf).toBe(out.offsets[0]?.updatedAt);
  });
});
