import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../../src/core/clock/TestClock.js';
import { BinanceMapper, type DropReason } from '../../../../src/pipeline/feeds/binance/BinanceMapper.js';

const NOW = Date.UTC(2026, 0, 1, 0, 0, 1);
// First row of BTCUSDT-aggTrades-2026-01-01 as the spot stream sends it.
const AGG =
  '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1767225600039,"s":"BTCUSDT","a":3800397495,"p":"87648.21000000","q":"0.08185000","f":5723703861,"l":5723703861,"T":1767225600039,"m":true,"M":true}}';
const BOOK = '{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"87648.21000000","B":"1.50000000","a":"87648.22000000","A":"0.30000000"}}';

function make(options: { timeUnit?: 'MICROSECOND'; fastPath?: boolean } = {}) {
  return new BinanceMapper({ symbols: { btcusdt: 'BTCUSD', xauusdt: 'XAUUSD' }, clock: new TestClock(NOW), ...options });
}

describe('BinanceMapper: well-formed frames', () => {
  it('aggTrade → trade tick (m=true: taker sold), tsInit from the clock', () => {
    expect(make().map(AGG)).toEqual({
      kind: 'tick',
      tick: {
        symbol: 'BTCUSD',
        source: 'binance',
        tsEvent: 1767225600039,
        tsInit: NOW,
        bid: null,
        ask: null,
        last: 87648.21,
        volume: 0.08185,
        trades: 1,
        takerSide: 'sell',
        seq: 3800397495,
        offset: 0,
      },
    });
  });

  it('aggTrade covering several trades counts l - f + 1', () => {
    const raw = AGG.replace('"l":5723703861', '"l":5723703864');
    expect(make().map(raw)).toMatchObject({ kind: 'tick', tick: { trades: 4 } });
  });

  it('spot bookTicker → quote stamped with tsInit; a locked book (bid = ask) is kept', () => {
    expect(make().map(BOOK)).toMatchObject({ kind: 'tick', tick: { bid: 87648.21, ask: 87648.22, seq: 400900217, tsEvent: NOW, tsInit: NOW } });
    const locked = BOOK.replace('"a":"87648.22000000"', '"a":"87648.21000000"');
    expect(make().map(locked).kind).toBe('tick');
  });

  it('trade stream → trade tick with trades = 1 and seq = t', () => {
    const raw =
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1502942428322,"s":"BTCUSDT","t":12,"p":"4261.48000000","q":"0.10000000","T":1502942428322,"m":false,"M":true}}';
    expect(make().map(raw)).toMatchObject({ kind: 'tick', tick: { last: 4261.48, volume: 0.1, trades: 1, seq: 12, takerSide: 'buy', tsEvent: 1502942428322 } });
  });

  it('raw (/ws) frames without the envelope', () => {
    const m = make();
    expect(m.map(AGG.slice(AGG.indexOf('{"e"'), -1))).toMatchObject({ kind: 'tick', tick: { symbol: 'BTCUSD', seq: 3800397495 } });
    expect(m.map('{"u":7,"s":"BTCUSDT","b":"1.0","B":"2","a":"1.5","A":"3"}')).toMatchObject({ kind: 'tick', tick: { bid: 1, ask: 1.5, seq: 7 } });
  });

  it('USD-M aggTrade with nq and st (after the CM migration) is accepted', () => {
    const raw =
      '{"stream":"xauusdt@aggTrade","data":{"e":"aggTrade","E":1767225600100,"a":5,"s":"XAUUSDT","p":"4330.50","q":"0.120","nq":"0.100","f":9,"l":10,"T":1767225600099,"m":false,"st":1}}';
    expect(make().map(raw)).toMatchObject({ kind: 'tick', tick: { symbol: 'XAUUSD', last: 4330.5, volume: 0.12, trades: 2, tsEvent: 1767225600099 } });
  });

  it('timeUnit=MICROSECOND: µs timestamps become fractional ms', () => {
    const raw = AGG.replaceAll('1767225600039', '1767225600039409');
    expect(make({ timeUnit: 'MICROSECOND' }).map(raw)).toMatchObject({ kind: 'tick', tick: { tsEvent: 1767225600039.409 } });
    expect(make({ timeUnit: 'MICROSECOND' }).map('{"e":"serverShutdown","E":1767225600039409}')).toEqual({
      kind: 'shutdown',
      tsEvent: 1767225600039.409,
    });
  });

  it('control replies and serverShutdown are typed non-tick outcomes', () => {
    const m = make();
    expect(m.map('{"result":null,"id":1}')).toEqual({ kind: 'control', id: 1, result: null, error: null });
    expect(m.map('{"result":["btcusdt@aggTrade"],"id":"list"}')).toEqual({ kind: 'control', id: 'list', result: ['btcusdt@aggTrade'], error: null });
    expect(m.map('{"error":{"code":2,"msg":"Invalid request"},"id":3}')).toEqual({
      kind: 'control',
      id: 3,
      result: null,
      error: { code: 2, msg: 'Invalid request' },
    });
    expect(m.map('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1767225600000}}')).toEqual({ kind: 'shutdown', tsEvent: 1767225600000 });
    expect(m.counters()).toMatchObject({ frames: 4, controls: 3, shutdowns: 1, ticks: 0, dropped: 0 });
  });
});

describe('BinanceMapper: malformed frames are dropped and counted with the reason', () => {
  const cases: [string, string, DropReason][] = [
    ['truncated JSON', AGG.slice(0, 60), 'invalid_json'],
    ['not JSON at all', 'hello', 'invalid_json'],
    ['NaN price', AGG.replace('"p":"87648.21000000"', '"p":"NaN"'), 'non_finite'],
    ['Infinity size', AGG.replace('"q":"0.08185000"', '"q":"Infinity"'), 'non_finite'],
    ['negative quantity', AGG.replace('"q":"0.08185000"', '"q":"-0.08185000"'), 'negative_size'],
    ['zero price', AGG.replace('"p":"87648.21000000"', '"p":"0.00000000"'), 'non_positive_price'],
    ['negative price', AGG.replace('"p":"87648.21000000"', '"p":"-1.5"'), 'non_positive_price'],
    ['crossed book', BOOK.replace('"b":"87648.21000000"', '"b":"87650.00000000"'), 'crossed_book'],
    ['negative bid size', BOOK.replace('"B":"1.50000000"', '"B":"-1"'), 'negative_size'],
    ['unknown symbol', AGG.replace('btcusdt@', 'ethusdt@').replace('"BTCUSDT"', '"ETHUSDT"'), 'unknown_symbol'],
    ['unknown stream', '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}', 'unknown_stream'],
    ['price as a JSON number', AGG.replace('"p":"87648.21000000"', '"p":87648.21'), 'schema_mismatch'],
    ['missing trade time', AGG.replace(',"T":1767225600039', ''), 'schema_mismatch'],
    ['stream and symbol disagree', AGG.replace('"s":"BTCUSDT"', '"s":"XAUUSDT"'), 'schema_mismatch'],
    ['last trade id before first', AGG.replace('"l":5723703861', '"l":5723703860'), 'schema_mismatch'],
    ['price with exponent', AGG.replace('"p":"87648.21000000"', '"p":"8.7e4"'), 'schema_mismatch'],
    ['array frame', '[1,2]', 'schema_mismatch'],
  ];

  for (const fastPath of [true, false]) {
    it.each(cases)(`${fastPath ? 'fast' : 'zod'} path: %s`, (_name, raw, reason) => {
      const m = make({ fastPath });
      const out = m.map(raw);
      expect(out).toMatchObject({ kind: 'drop', reason });
      expect(m.counters()).toMatchObject({ frames: 1, dropped: 1, ticks: 0 });
      expect(m.counters().byReason[reason]).toBe(1);
    });
  }

  it('counts every reason separately over a mixed run', () => {
    const m = make();
    for (const [, raw] of cases) m.map(raw);
    m.map(AGG);
    const c = m.counters();
    expect(c).toMatchObject({ frames: cases.length + 1, ticks: 1, dropped: cases.length });
    expect(c.byReason).toEqual({
      invalid_json: 2,
      schema_mismatch: 6,
      unknown_stream: 1,
      unknown_symbol: 1,
      non_finite: 2,
      negative_size: 2,
      non_positive_price: 2,
      crossed_book: 1,
    });
  });

  it('fast path never accepts what JSON.parse rejects (whitespace, escapes, leading zeros, trailing bytes)', () => {
    const odd = [
      AGG.replace('"a":3800397495', '"a": 3800397495'),
      AGG.replace('"s":"BTCUSDT"', '"s":"BTC\\u0055SDT"'),
      AGG.replace('"a":3800397495', '"a":03800397495'),
      `${AGG}x`,
      AGG.slice(0, -1),
      AGG.replace('"M":true', '"M":tru'),
    ];
    for (const raw of odd) {
      let ok = true;
      try {
        JSON.parse(raw);
      } catch {
        ok = false;
      }
      expect(make().map(raw)).toEqual(make({ fastPath: false }).map(raw));
      if (!ok) expect(make().map(raw)).toMatchObject({ kind: 'drop', reason: 'invalid_json' });
    }
  });
});
