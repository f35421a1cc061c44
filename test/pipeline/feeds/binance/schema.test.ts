import { describe, expect, it } from 'vitest';
import {
  AggTradeSchema,
  BookTickerSchema,
  CombinedEnvelopeSchema,
  ControlReplySchema,
  ControlRequestSchema,
  FuturesBookTickerSchema,
  KlineSchema,
  ServerShutdownSchema,
  SpotBookTickerSchema,
  parseStreamName,
} from '../../../../src/pipeline/feeds/binance/schema.js';
import { readCapture } from './captures.js';

function payloads(file: string, kind: string): unknown[] {
  return readCapture(file)
    .map((f) => CombinedEnvelopeSchema.parse(JSON.parse(f.raw)))
    .filter((e) => parseStreamName(e.stream).kind === kind)
    .map((e) => e.data);
}

describe('Binance wire schemas on captured frames', () => {
  it('spot bookTicker (no e/E/T) passes the spot schema, not the USD-M one', () => {
    const spot = payloads('BINANCE.ws.1.0.txt', 'bookTicker');
    expect(spot).toHaveLength(84);
    for (const d of spot) {
      expect(SpotBookTickerSchema.safeParse(d).success).toBe(true);
      expect(BookTickerSchema.safeParse(d).success).toBe(true);
      expect(FuturesBookTickerSchema.safeParse(d).success).toBe(false);
    }
  });

  it('USD-M bookTicker (e, E, T) passes both the USD-M and the either-market schema', () => {
    const fut = payloads('BINANCE_FUTURES.ws.1.0.txt', 'bookTicker');
    expect(fut).toHaveLength(613);
    for (const d of fut) expect(FuturesBookTickerSchema.parse(d)).toMatchObject({ e: 'bookTicker' });
  });

  it('aggTrade of both markets and klines parse; unknown fields are kept (looseObject)', () => {
    const aggs = [...payloads('BINANCE.ws.1.0.txt', 'aggTrade'), ...payloads('BINANCE_FUTURES.ws.1.0.txt', 'aggTrade')];
    expect(aggs).toHaveLength(93);
    for (const d of aggs) expect(AggTradeSchema.safeParse(d).success).toBe(true);
    expect(AggTradeSchema.parse({ ...(aggs[0] as object), nq: '1', st: 1, ps: 'NKNUSDT' })).toMatchObject({ ps: 'NKNUSDT' });
    for (const d of payloads('BINANCE_FUTURES.ws.1.0.txt', 'kline')) expect(KlineSchema.safeParse(d).success).toBe(true);
  });

  it('control messages and serverShutdown', () => {
    expect(ControlReplySchema.parse({ result: null, id: 1 })).toEqual({ result: null, id: 1 });
    expect(ControlRequestSchema.safeParse({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 1 }).success).toBe(true);
    expect(ControlRequestSchema.safeParse({ method: 'SUBSCRIBE', params: [], id: 'x'.repeat(37) }).success).toBe(false);
    expect(ServerShutdownSchema.parse({ e: 'serverShutdown', E: 1 })).toEqual({ e: 'serverShutdown', E: 1 });
  });

  it('parseStreamName', () => {
    expect(parseStreamName('BTCUSDT@aggTrade')).toEqual({ instrument: 'btcusdt', kind: 'aggTrade', name: 'aggTrade' });
    expect(parseStreamName('btcusdt@kline_1m@+08:00')).toEqual({ instrument: 'btcusdt', kind: 'kline', name: 'kline_1m' });
    expect(parseStreamName('nknusdt@depth@100ms').kind).toBe('other');
    expect(parseStreamName('!serverShutdown')).toEqual({ instrument: '', kind: 'other', name: '!serverShutdown' });
  });
});
