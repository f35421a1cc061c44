import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { BinanceMapper, type MapOutcome } from '../../../../src/pipeline/feeds/binance/BinanceMapper.js';
import { readCapture } from './captures.js';

const SPOT = { nknusdt: 'NKNUSD', blzeth: 'BLZETH', lrcbtc: 'LRCBTC', runeeur: 'RUNEEUR' };
const FUTURES = { sushiusdt: 'SUSHIUSD', akrousdt: 'AKROUSD', keepusdt: 'KEEPUSD', ctkusdt: 'CTKUSD' };

function mapper(symbols: Record<string, string>, extra: { timeUnit?: 'MICROSECOND'; fastPath?: boolean } = {}) {
  const clock = new TestClock(Date.UTC(2026, 0, 1));
  return { clock, m: new BinanceMapper({ symbols, clock, ...extra }) };
}

function tickOf(out: MapOutcome) {
  if (out.kind !== 'tick') throw new Error(`expected a tick, got ${JSON.stringify(out)}`);
  return out.tick;
}

describe('BinanceMapper on real spot frames (cryptofeed capture 2021-10-12)', () => {
  const frames = readCapture('BINANCE.ws.1.0.txt');

  it('maps every bookTicker and aggTrade, passes klines, drops depth as unknown_stream', () => {
    const { m } = mapper(SPOT);
    for (const f of frames) m.map(f.raw, f.receivedAt);
    const c = m.counters();
    expect(frames).toHaveLength(265);
    expect(c).toMatchObject({ frames: 265, ticks: 86, quotes: 84, trades: 2, klines: 2, dropped: 177, controls: 0 });
    expect(c.byReason.unknown_stream).toBe(177);
    expect(c.fastPath).toBe(86);
  });

  it('spot bookTicker has no timestamp: tsEvent is the receive time', () => {
    const { m } = mapper(SPOT);
    const f = frames.find((x) => x.raw.includes('@bookTicker'));
    expect(f?.raw).toBe(
      '{"stream":"nknusdt@bookTicker","data":{"u":499869768,"s":"NKNUSDT","b":"0.35210000","B":"672.00000000","a":"0.35260000","A":"3199.00000000"}}',
    );
    const receivedAt = 1633998513.377805 * 1000;
    expect(tickOf(m.map(f?.raw ?? '', receivedAt))).toEqual({
      symbol: 'NKNUSD',
      source: 'binance',
      tsEvent: receivedAt,
      tsInit: receivedAt,
      bid: 0.3521,
      ask: 0.3526,
      last: null,
      volume: 0,
      trades: 0,
      takerSide: null,
      seq: 499869768,
      offset: 0,
    });
  });

  it('spot aggTrade: price, size, trade count, taker side, seq and trade time', () => {
    const { m } = mapper(SPOT);
    const aggs = frames.filter((x) => x.raw.includes('@aggTrade')).map((x) => tickOf(m.map(x.raw, x.receivedAt)));
    expect(aggs).toEqual([
      expect.objectContaining({ symbol: 'NKNUSD', last: 0.3528, volume: 58, trades: 1, takerSide: 'buy', seq: 15683430, tsEvent: 1633998523963 }),
      expect.objectContaining({ symbol: 'LRCBTC', last: 0.00000638, volume: 177, trades: 1, takerSide: 'buy', seq: 9213679, tsEvent: 1633998534486 }),
    ]);
    expect(aggs[0]?.tsInit).toBe(1633998523.957215 * 1000);
  });

  it('kline is a typed "not a tick" outcome with the parsed event', () => {
    const { m } = mapper(SPOT);
    const f = frames.find((x) => x.raw.includes('nknusdt@kline_1m'));
    const out = m.map(f?.raw ?? '');
    expect(out.kind).toBe('kline');
    if (out.kind !== 'kline') return;
    expect(out.symbol).toBe('NKNUSD');
    expect(out.event.k).toMatchObject({ t: 1633998480000, T: 1633998539999, i: '1m', c: '0.35280000', n: 30, x: false });
  });

  it('frames of instruments outside the symbol map are dropped as unknown_symbol', () => {
    const { m } = mapper({ nknusdt: 'NKNUSD' });
    for (const f of frames) m.map(f.raw, f.receivedAt);
    const c = m.counters();
    expect(c.ticks).toBe(75); // 74 bookTicker + 1 aggTrade of NKNUSDT
    expect(c.byReason.unknown_symbol).toBe(12); // lrcbtc 9 + 1 aggTrade + 1 kline, blzeth 1 bookTicker
  });
});

describe('BinanceMapper on real USD-M frames (cryptofeed capture 2021-07-22)', () => {
  const frames = readCapture('BINANCE_FUTURES.ws.1.0.txt');

  it('maps all 613 bookTicker and 91 aggTrade frames, none crossed or malformed', () => {
    const { m } = mapper(FUTURES);
    for (const f of frames) m.map(f.raw, f.receivedAt);
    expect(m.counters()).toMatchObject({ frames: 1535, quotes: 613, trades: 91, klines: 67, dropped: 764, fastPath: 704 });
  });

  it('USD-M bookTicker carries T (transaction time), used as tsEvent', () => {
    const { m } = mapper(FUTURES);
    const f = frames.find((x) => x.raw.includes('@bookTicker'));
    const t = tickOf(m.map(f?.raw ?? '', f?.receivedAt));
    expect(t).toMatchObject({ symbol: 'SUSHIUSD', bid: 7.611, ask: 7.612, seq: 600859600576, tsEvent: 1626992741012 });
    expect(t.tsInit).toBe(1626992741.06217 * 1000);
  });

  it('USD-M aggTrade (a before s, no M)', () => {
    const { m } = mapper(FUTURES);
    const f = frames.find((x) => x.raw.includes('@aggTrade'));
    expect(f?.raw).toBe(
      '{"stream":"ctkusdt@aggTrade","data":{"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,"l":23961322,"T":1626992741421,"m":false}}',
    );
    expect(tickOf(m.map(f?.raw ?? ''))).toMatchObject({
      symbol: 'CTKUSD',
      last: 1.011,
      volume: 10,
      trades: 1,
      takerSide: 'buy',
      seq: 16599292,
      tsEvent: 1626992741421,
    });
  });
});

describe('fast and zod paths agree', () => {
  it('gives identical outcomes on every captured frame', () => {
    for (const [file, symbols] of [
      ['BINANCE.ws.1.0.txt', SPOT],
      ['BINANCE_FUTURES.ws.1.0.txt', FUTURES],
    ] as const) {
      const fast = mapper(symbols).m;
      const slow = mapper(symbols, { fastPath: false }).m;
      for (const f of readCapture(file)) expect(fast.map(f.raw, f.receivedAt)).toEqual(slow.map(f.raw, f.receivedAt));
      expect(slow.counters().fastPath).toBe(0);
    }
  });
});
