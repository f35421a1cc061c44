import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ImportAbortedError, ImportFormatError, importFile } from '../../../src/pipeline/importers/index.js';
import { collect, fixture, tempDir } from './collect.js';

const TRADES = fixture('binance', 'BTCUSDT-trades-2017-08-17_0400-0800.csv');
const KLINES = fixture('binance', 'BTCUSDT-1m-2024-03-11.csv');
const DUKA = fixture('dukascopy', 'dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv');
const binance = { source: 'binance', symbol: 'BTCUSD', onError: 'skip' } as const;
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const tradeLines = readFileSync(TRADES, 'utf8').split('\n');

/** The real trades file with `line` (1-based) replaced by `text`. */
function tradesWith(name: string, line: number, text: string): string {
  const lines = [...tradeLines];
  lines.splice(line - 1, 1, text);
  return tmp.write(name, lines.join('\n'));
}

describe('malformed rows', () => {
  const broken = '100,4290.01000000,abc,0,1502944262000,True,True';

  it("under 'skip' are reported with their 1-based line and raw text, the rest imported", async () => {
    const r = await collect(tradesWith('BTCUSDT-trades-broken.csv', 101, broken), binance);
    expect(r.ticks).toHaveLength(333);
    expect(r.errors).toEqual([
      { file: tmp.path('BTCUSDT-trades-broken.csv'), line: 101, message: 'qty is not a decimal: "abc"', text: broken },
    ]);
    expect(r.ticks[99]!.seq).toBe(99);
    expect(r.ticks[100]!.seq).toBe(101);
  });

  it("under 'stop' throw ImportAbortedError naming the line", async () => {
    const p = tradesWith('BTCUSDT-trades-broken2.csv', 101, broken);
    const error = await collect(p, { ...binance, onError: 'stop' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportAbortedError);
    expect((error as ImportAbortedError).code).toBe('import_aborted');
    expect((error as ImportAbortedError).message).toContain('BTCUSDT-trades-broken2.csv:101: qty is not a decimal');
    expect((error as ImportAbortedError).importError).toMatchObject({ line: 101, text: broken });
  });

  it('reject bad prices, sizes, times, crossed books and broken candles, never producing a tick', async () => {
    const book = [
      'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time',
      '1,27981.3,12.9,27981.4,7.2,1696204800012,1696204800018',
      '2,27981.5,12.9,27981.4,7.2,1696204800013,1696204800018', // crossed
      '3,-27981.3,12.9,27981.4,7.2,1696204800014,1696204800018', // negative price
      '4,27981.3,-1,27981.4,7.2,1696204800015,1696204800018', // negative size
      '5,0,12.9,27981.4,7.2,1696204800016,1696204800018', // zero price
      '6,27981.3,12.9,27981.4,7.2,16962048000160,1696204800018', // a bad timestamp (year 2507)
      '7,27981.3,12.9,27981.4,7.2,1696204800017,1696204800018',
    ].join('\n');
    const r = await collect(tmp.write('BTCUSDT-bookTicker-bad.csv', book), binance);
    expect(r.ticks.map((t) => t.seq)).toEqual([1, 7]);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [3, 'crossed book: bid 27981.5 > ask 27981.4'],
      [4, 'best_bid_price is negative: -27981.3'],
      [5, 'best_bid_qty is negative: -1'],
      [6, 'best_bid_price must be positive: 0'],
      [7, 'time is not a plausible epoch ms: 16962048000160'],
    ]);

    const duka = ['timestamp_ms,ask,bid,ask_volume,bid_volume', '1676894400084,24921.5,NaN,1.48,13.0', '1676894400085,Infinity,24849.4,1.48,13.0', 'x1676894400086,24921.5,24849.4,1.48,13.0', '1676894400087,24921.5,24849.4,1.48,-13.0'];
    const d = await collect(tmp.write('dukascopy_ticks_bad.csv', duka.join('\n')), { source: 'dukascopy', symbol: 'BTCUSD', onError: 'skip' });
    expect(d.ticks).toEqual([]);
    expect(d.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'bid is not a number: "NaN"'],
      [3, 'ask is not a number: "Infinity"'],
      [4, 'not a data row (only the first line may be a header)'],
      [5, 'bid_volume is negative: -13'],
    ]);

    const kl = readFileSync(KLINES, 'utf8').split('\n').slice(0, 3);
    kl[1] = kl[1]!.replace('68937.04000000,68878.51000000', '68937.04000000,68950.00000000'); // low above open
    const k = await collect(tmp.write('BTCUSDT-1m-bad.csv', kl.join('\n')), binance);
    expect(k.candles.map((c) => c.openTime)).toEqual([1710115200000, 1710115320000]);
    expect(k.errors[0]).toMatchObject({ line: 2, message: 'candle breaks low <= open,close <= high: O=68919.99 H=68937.04 L=68950 C=68881.03' });
  });

  it('truncate the reported text to 200 characters', async () => {
    const long = `12,${'9'.repeat(300)}`;
    const r = await collect(tradesWith('BTCUSDT-trades-long.csv', 13, long), binance);
    expect(r.errors[0]!.line).toBe(13);
    expect(r.errors[0]!.text).toBe(long.slice(0, 200));
  });

  it('reject a repeated or earlier candle', async () => {
    const kl = readFileSync(KLINES, 'utf8').split('\n').slice(0, 3);
    const r = await collect(tmp.write('BTCUSDT-1m-dup.csv', [kl[0], kl[1], kl[0], kl[2]].join('\n')), binance);
    expect(r.candles).toHaveLength(3);
    expect(r.errors[0]).toMatchObject({ line: 3 });
    expect(r.errors[0]!.message).toContain('is not after the previous candle');
  });
});

describe('reading', () => {
  it('yields batches of batchSize (ticks + candles + errors)', async () => {
    const r = await collect(TRADES, { ...binance, batchSize: 100 });
    expect(r.batches.map((b) => b.ticks.length)).toEqual([100, 100, 100, 34]);
    expect(r.batches.every((b) => b.format === 'binance-trades')).toBe(true);
  });

  it('handles CRLF, blank lines and a header; counts lines physically', async () => {
    const lines = readFileSync(DUKA, 'utf8').split('\n').slice(0, 4);
    const p = tmp.write('dukascopy_ticks_crlf.csv', `${lines[0]}\r\n${lines[1]}\r\n\r\n${lines[2]}\r\nbroken\r\n${lines[3]}\r\n`);
    const r = await collect(p, { source: 'dukascopy', symbol: 'BTCUSD', onError: 'skip' });
    expect(r.ticks).toHaveLength(3);
    expect(r.errors.map((e) => [e.line, e.text])).toEqual([[5, 'broken']]);
  });

  it('reads UTF-16LE with a BOM (as MT5 may write)', async () => {
    const text = '<DATE>\t<TIME>\t<BID>\t<ASK>\t<LAST>\t<VOLUME>\t<FLAGS>\r\n2024.03.19\t00:00:00.123\t2160.12\t2160.45\t\t\t6\r\n';
    const p = tmp.write('XAUUSD_utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = await collect(p, { source: 'mt5', symbol: 'XAUUSD', onError: 'stop', serverOffset: 2 });
    expect(r.ticks).toHaveLength(1);
    expect(r.ticks[0]).toMatchObject({ bid: 2160.12, ask: 2160.45, tsEvent: Date.UTC(2024, 2, 18, 22, 0, 0, 123) });
  });

  it('yields nothing for an empty file and stops reading when the caller breaks', async () => {
    expect((await collect(tmp.write('empty.csv', ''), binance)).batches).toEqual([]);
    let batches = 0;
    for await (const b of importFile(TRADES, { ...binance, batchSize: 10 })) {
      batches += 1;
      expect(b.ticks).toHaveLength(10);
      if (batches === 2) break;
    }
    expect(batches).toBe(2);
  });

  it('fails clearly on an undetectable file and on bad options', async () => {
    const p = tmp.write('mystery.csv', 'a;b;c\n1;2;3\n');
    await expect(collect(p, binance)).rejects.toThrow(ImportFormatError);
    await expect(collect(p, binance)).rejects.toThrow(/cannot tell the binance format of mystery.csv.*pass format/);
    await expect(collect(TRADES, { ...binance, symbol: '' })).rejects.toThrow(/symbol/);
    await expect(collect(TRADES, { ...binance, batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(collect(TRADES, { ...binance, source: 'mt5', serverOffset: 99 })).rejects.toThrow(/serverOffset/);
  });
});
