import { describe, expect, it } from 'vitest';
import { TickDedupe } from '../../../../src/pipeline/feeds/mt5/dedupe.js';
import { LineFramer } from '../../../../src/pipeline/feeds/mt5/framing.js';
import { mapWireBar, mapWireTick, tickKey } from '../../../../src/pipeline/feeds/mt5/mapping.js';
import { OffsetSchedule } from '../../../../src/pipeline/feeds/mt5/offsets.js';
import { eetServerOffsetHours } from '../../../../src/pipeline/importers/serverTime.js';

describe('LineFramer', () => {
  const run = (chunks: string[], max = 20) => {
    const f = new LineFramer(max);
    const lines: string[] = [];
    const long: number[] = [];
    for (const c of chunks) f.push(Buffer.from(c), (l) => lines.push(l), (n) => long.push(n));
    return { lines, long, pending: f.pending() };
  };

  it('splits lines across chunks, strips CR and skips blank lines', () => {
    expect(run(['{"a":', '1}\r\n\n{"b"', ':2}\n{"c"'])).toEqual({ lines: ['{"a":1}', '{"b":2}'], long: [], pending: 4 });
  });

  it('keeps a UTF-8 character split across chunks whole', () => {
    const bytes = Buffer.from('"€uro"\n');
    const f = new LineFramer(100);
    const lines: string[] = [];
    f.push(bytes.subarray(0, 2), (l) => lines.push(l), () => {});
    f.push(bytes.subarray(2), (l) => lines.push(l), () => {});
    expect(lines).toEqual(['"€uro"']);
  });

  it('reports an over-long line once, discards it to its newline and carries on', () => {
    const out = run(['x'.repeat(15), 'y'.repeat(15), 'z'.repeat(15), '\nok\n', 'w'.repeat(25) + '\nfine\n']);
    expect(out.lines).toEqual(['ok', 'fine']);
    expect(out.long).toEqual([30, 25]);
    expect(out.pending).toBe(0);
  });
});

describe('OffsetSchedule', () => {
  it('knows nothing before the first announcement', () => {
    const s = new OffsetSchedule();
    expect(s.latest()).toBeNull();
    expect(s.toUtc(1)).toBeNull();
    expect(s.toServer(1)).toBeNull();
  });

  it('converts with the announcement in force at each server time (spring DST change)', () => {
    const s = new OffsetSchedule();
    const change = Date.UTC(2024, 2, 10, 7); // 07:00 UTC: server clock 09:00 (+2) jumps to 10:00 (+3)
    expect(s.record(7200, Date.UTC(2024, 2, 9, 12))).toBe(true);
    expect(s.record(7200, Date.UTC(2024, 2, 9, 13))).toBe(false);
    expect(s.record(10_800, change + 3 * 3_600_000)).toBe(true);
    expect(s.latest()).toBe(10_800);
    expect(s.toUtc(Date.UTC(2024, 2, 10, 8, 59, 59, 999))).toBe(Date.UTC(2024, 2, 10, 6, 59, 59, 999));
    expect(s.toUtc(Date.UTC(2024, 2, 10, 10))).toBe(change);
    expect(s.toServer(Date.UTC(2024, 2, 10, 6, 30))).toBe(Date.UTC(2024, 2, 10, 8, 30));
    expect(s.toServer(Date.UTC(2024, 2, 10, 7, 30))).toBe(Date.UTC(2024, 2, 10, 10, 30));
  });

  it('uses the past rule for server times before the first announcement, else the oldest offset', () => {
    const eet = new OffsetSchedule((serverMs) => eetServerOffsetHours(serverMs - 3 * 3_600_000) * 3600);
    eet.record(10_800, Date.UTC(2024, 2, 19, 3));
    expect(eet.toUtc(Date.UTC(2024, 2, 8, 12))).toBe(Date.UTC(2024, 2, 8, 10));
    expect(eet.toUtc(Date.UTC(2024, 2, 19, 12))).toBe(Date.UTC(2024, 2, 19, 9));
    const plain = new OffsetSchedule();
    plain.record(10_800, Date.UTC(2024, 2, 19, 3));
    expect(plain.toUtc(Date.UTC(2024, 2, 8, 12))).toBe(Date.UTC(2024, 2, 8, 9));
  });
});

describe('TickDedupe', () => {
  it('keeps A, B, A inside one millisecond and drops the same three re-delivered', () => {
    const d = new TickDedupe(100);
    const live = d.openSession();
    expect(['A', 'B', 'A'].map((k) => live.isDuplicate(k))).toEqual([false, false, false]);
    const history = d.openSession();
    expect(['A', 'B', 'A', 'A', 'C'].map((k) => history.isDuplicate(k))).toEqual([true, true, true, false, false]);
  });

  it('stays bounded: the oldest keys fall out of the window', () => {
    const d = new TickDedupe(3);
    const s = d.openSession();
    for (const k of ['a', 'b', 'c', 'd', 'e']) s.isDuplicate(k);
    expect(d.size()).toBe(3);
    const again = d.openSession();
    expect(['c', 'd', 'e', 'a'].map((k) => again.isDuplicate(k))).toEqual([true, true, true, false]);
  });
});

describe('MT5 tick and bar mapping', () => {
  const w = { tmsc: 1_676_901_600_084, bid: 24849.4, ask: 24921.5, last: 0, vol: 0, flags: 6 };

  it('turns a quote tick into a core quote of source mt5 with no sequence and no trades', () => {
    expect(mapWireTick('BTCUSD', 1_676_894_400_084, w, 5)).toEqual({
      symbol: 'BTCUSD', source: 'mt5', tsEvent: 1_676_894_400_084, tsInit: 5, bid: 24849.4, ask: 24921.5, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0,
    });
    expect(tickKey(w)).toBe('1676901600084|24849.4|24921.5|0|6');
  });

  it('reads trades, taker side and the quote from the flags', () => {
    const trade = mapWireTick('XAUUSD', 1, { ...w, last: 2160.5, vol: 0.3, flags: 8 | 16 | 32 }, 1);
    expect(trade).toMatchObject({ bid: null, ask: null, last: 2160.5, volume: 0.3, takerSide: 'buy', trades: 0 });
    const both = mapWireTick('XAUUSD', 1, { ...w, last: 2160.5, vol: 0.3, flags: 2 | 8 | 64 }, 1);
    expect(both).toMatchObject({ bid: 24849.4, ask: 24921.5, last: 2160.5, takerSide: 'sell' });
  });

  it('refuses empty ticks and crossed books', () => {
    expect(mapWireTick('X', 1, { ...w, bid: 0 }, 1)).toBe('empty_tick');
    expect(mapWireTick('X', 1, { ...w, bid: 25000 }, 1)).toBe('crossed_book');
  });

  it('turns a bar into a closed bid candle with tick volume', () => {
    const c = mapWireBar('BTCUSD', 'H1', Date.UTC(2024, 2, 11, 9), { t: 0, o: 71194.51, h: 71833.59, l: 71139.78, c: 71762.38, tickVol: 12285, spread: 1175 }, 7);
    expect(c).toEqual({
      symbol: 'BTCUSD', timeframe: 'H1', openTime: Date.UTC(2024, 2, 11, 9), open: 71194.51, high: 71833.59, low: 71139.78, close: 71762.38,
      volume: 12285, quoteVolume: 0, trades: 12285, takerBuyVolume: 0, takerBuyQuoteVolume: 0, basis: 'bid', sources: ['mt5'], closed: true,
      tsEvent: Date.UTC(2024, 2, 11, 10) - 1, tsInit: 7,
    });
  });
});
