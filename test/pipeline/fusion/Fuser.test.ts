import { describe, expect, it } from 'vitest';
import type { SymbolSpec, Tick } from '../../../src/core/index.js';
import { Fuser, type SourceSwitch } from '../../../src/pipeline/fusion/Fuser.js';

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };

function trade(source: 'binance' | 'mt5', ts: number, price: number): Tick {
  return source === 'binance'
    ? { symbol: 'BTCUSD', source, tsEvent: ts, tsInit: ts, bid: null, ask: null, last: price, volume: 0.1, trades: 1, takerSide: 'buy', seq: ts, offset: 0 }
    : { symbol: 'BTCUSD', source, tsEvent: ts, tsInit: ts, bid: price - 5, ask: price + 5, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0 };
}

function setup(offset = 0) {
  const out: Tick[] = [];
  const switches: SourceSwitch[] = [];
  const fuser = new Fuser([SPEC], () => offset, (s) => switches.push(s), (t) => out.push(t));
  return { fuser, out, switches };
}

describe('Fuser', () => {
  it('passes the primary source, keeps the standby out, and marks a source live when its data arrives', () => {
    const { fuser, out, switches } = setup();
    fuser.fuse(trade('binance', 1000, 100));
    fuser.fuse(trade('mt5', 1001, 102));
    fuser.fuse(trade('binance', 1002, 101));
    expect(out.map((t) => [t.source, t.tsEvent])).toEqual([['binance', 1000], ['binance', 1002]]);
    expect(switches).toEqual([{ symbol: 'BTCUSD', from: null, to: 'binance', reason: 'binance delivering data' }]);
    expect(fuser.liveSources('BTCUSD').sort()).toEqual(['binance', 'mt5']);
  });

  it('fails over to MT5 without a gap: standby ticks after the last fused tick are emitted first, then back to Binance', () => {
    const { fuser, out, switches } = setup();
    fuser.fuse(trade('binance', 1000, 100));
    fuser.fuse(trade('mt5', 999, 100));
    fuser.fuse(trade('mt5', 1500, 100.5));
    fuser.fuse(trade('mt5', 2000, 101));
    fuser.setLive('BTCUSD', 'binance', false, 'all Binance connections down');
    fuser.fuse(trade('mt5', 2500, 101.5));
    fuser.setLive('BTCUSD', 'binance', true, 'Binance reconnected');
    fuser.fuse(trade('mt5', 2600, 101.6));
    fuser.fuse(trade('binance', 2700, 101.7));
    expect(out.map((t) => [t.source, t.tsEvent])).toEqual([
      ['binance', 1000],
      ['mt5', 1500],
      ['mt5', 2000],
      ['mt5', 2500],
      ['mt5', 2600],
      ['binance', 2700],
    ]);
    expect(switches.map((s) => [s.from, s.to, s.reason])).toEqual([
      [null, 'binance', 'binance delivering data'],
      ['binance', 'mt5', 'all Binance connections down'],
      ['mt5', 'binance', 'Binance reconnected; caught up'],
    ]);
  });

  it('holds the failback until the primary catches up: its older (gap-filled) ticks never send the stream back in time', () => {
    const { fuser, out, switches } = setup();
    fuser.fuse(trade('binance', 1000, 100));
    fuser.setLive('BTCUSD', 'binance', false, 'down');
    fuser.fuse(trade('mt5', 1500, 100.5));
    fuser.fuse(trade('mt5', 3000, 101));
    fuser.setLive('BTCUSD', 'binance', true, 'back');
    fuser.fuse(trade('binance', 1200, 100.1)); // REST gap-fill of the outage
    fuser.fuse(trade('binance', 2900, 100.9));
    fuser.fuse(trade('mt5', 3100, 101.1));
    fuser.fuse(trade('binance', 3200, 101.2));
    expect(out.map((t) => [t.source, t.tsEvent])).toEqual([['binance', 1000], ['mt5', 1500], ['mt5', 3000], ['mt5', 3100], ['binance', 3200]]);
    expect(switches.at(-1)).toEqual({ symbol: 'BTCUSD', from: 'mt5', to: 'binance', reason: 'back; caught up' });
    expect(fuser.behind('BTCUSD')).toBe(0);
  });

  it('expresses Binance prices in broker terms with the offset and records the offset applied', () => {
    const { fuser, out } = setup(2.34);
    fuser.fuse(trade('binance', 1000, 24_850));
    fuser.fuse(trade('mt5', 1001, 24_852.34));
    expect(out).toHaveLength(1);
    expect(out[0]?.last).toBeCloseTo(24_852.34, 8);
    expect(out[0]?.offset).toBe(2.34);
  });

  it('reports no active source when every source is down', () => {
    const { fuser, switches } = setup();
    fuser.fuse(trade('binance', 1000, 100));
    fuser.setLive('BTCUSD', 'binance', false, 'down');
    expect(fuser.active('BTCUSD')).toBeNull();
    expect(switches.at(-1)).toEqual({ symbol: 'BTCUSD', from: 'binance', to: null, reason: 'down' });
  });
});
