import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candle, SystemEvent, Tick } from '../../src/core/index.js';

const FIXTURES = new URL('../fixtures/binance/', import.meta.url);

function lines(name: string): string[][] {
  return readFileSync(new URL(name, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(','));
}

/**
 * The official Binance BTCUSDT spot 1m klines of 2017-08-17 (1200 rows,
 * 04:00-23:59 UTC) as closed BTCUSD candles of source binance.
 */
export function klines2017(): Candle[] {
  return lines('BTCUSDT-1m-2017-08-17.csv').map((c) => ({
    symbol: 'BTCUSD',
    timeframe: 'M1',
    openTime: Number(c[0]),
    open: Number(c[1]),
    high: Number(c[2]),
    low: Number(c[3]),
    close: Number(c[4]),
    volume: Number(c[5]),
    quoteVolume: Number(c[7]),
    trades: Number(c[8]),
    takerBuyVolume: Number(c[9]),
    takerBuyQuoteVolume: Number(c[10]),
    basis: 'trade',
    sources: ['binance'],
    closed: true,
    tsEvent: Number(c[6]),
    tsInit: Number(c[6]) + 1,
  }));
}

/** The first 334 BTCUSDT spot trades (ids 0-333, 2017-08-17 04:00-08:00 UTC) as BTCUSD ticks. */
export function trades2017(): Tick[] {
  return lines('BTCUSDT-trades-2017-08-17_0400-0800.csv').map((c) => ({
    symbol: 'BTCUSD',
    source: 'binance',
    tsEvent: Number(c[4]),
    tsInit: Number(c[4]) + 5,
    bid: null,
    ask: null,
    last: Number(c[1]),
    volume: Number(c[2]),
    trades: 1,
    takerSide: c[5] === 'False' ? 'buy' : 'sell',
    seq: Number(c[0]),
    offset: 0,
  }));
}

/**
 * The first three rows of Binance USD-M BTCUSDT bookTicker 2023-10-02
 * (shared/data/binance-btcusdt-um-bookticker-2023-10-02), transcribed, as quote ticks.
 */
export function quotes2023(): Tick[] {
  const rows: [number, number, number, number, number][] = [
    [3319366863672, 27981.3, 27981.4, 1696204800012, 1696204800018],
    [3319366863746, 27981.3, 27981.4, 1696204800013, 1696204800018],
    [3319366864247, 27981.3, 27981.4, 1696204800025, 1696204800029],
  ];
  return rows.map(([u, bid, ask, t, e]) => ({
    symbol: 'BTCUSD',
    source: 'binance',
    tsEvent: t,
    tsInit: e,
    bid,
    ask,
    last: null,
    volume: 0,
    trades: 0,
    takerSide: null,
    seq: u,
    offset: 0,
  }));
}

/**
 * The first `n` Dukascopy BTCUSD ticks of 2023-02-20 12:00 UTC as quote ticks
 * of a broker feed without venue ids (source mt5, seq null), their times cut
 * to the whole second the way an MT5 `time` field (no `time_msc`) reports
 * them: several ticks share each second, in arrival order.
 */
export function brokerQuotes(n = 40): Tick[] {
  const rows = readFileSync(new URL('../fixtures/dukascopy/dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv', import.meta.url), 'utf8')
    .split('\n')
    .slice(1, n + 1)
    .map((l) => l.trim().split(','));
  return rows.map((c) => ({
    symbol: 'BTCUSD',
    source: 'mt5',
    tsEvent: Math.floor(Number(c[0]) / 1000) * 1000,
    tsInit: Number(c[0]),
    bid: Number(c[2]),
    ask: Number(c[1]),
    last: null,
    volume: 0,
    trades: 0,
    takerSide: null,
    seq: null,
    offset: 0,
  }));
}

/** A system event as a feed would raise it. */
export function feedEvent(kind: string, tsEvent: number, data: Record<string, unknown> = {}): SystemEvent {
  return { kind, level: 'info', component: 'binance-spot', symbol: 'BTCUSD', message: kind, data, tsEvent, tsInit: tsEvent + 1 };
}

/** A fresh temporary folder and its cleanup. */
export function tmpFolder(prefix = 'utp-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
