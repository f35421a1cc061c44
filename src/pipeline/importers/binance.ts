import { TIMEFRAME_MS } from '../../core/index.js';
import type { Candle, Tick, Timeframe } from '../../core/index.js';
import { parseArchiveLine } from '../feeds/binance/archive.js';
import type { ArchiveKind, ArchiveRow } from '../feeds/binance/archive.js';
import { RowError } from './errors.js';
import {
  checkTime,
  closedCandle,
  looksLikeHeader,
  parsePrice,
  parseSize,
  parseWallTime,
  quoteTick,
  rejectStrayHeader,
  splitCsv,
  tradeTick,
} from './fields.js';
import { requireTimeframe } from './detect.js';
import type { ParserContext, RowParser } from './types.js';

function mapRow(ctx: ParserContext, row: ArchiveRow, timeframe: Timeframe | null): Tick | Candle {
  switch (row.kind) {
    case 'aggTrades':
      if (row.l < row.f) throw new RowError(`last_trade_id ${row.l} < first_trade_id ${row.f}`);
      return tradeTick(ctx, {
        tsEvent: row.T,
        price: parsePrice(row.p, 'price'),
        volume: parseSize(row.q, 'quantity'),
        trades: row.l - row.f + 1,
        takerSide: row.m ? 'sell' : 'buy',
        seq: row.a,
      });
    case 'trades':
      return tradeTick(ctx, {
        tsEvent: row.T,
        price: parsePrice(row.p, 'price'),
        volume: parseSize(row.q, 'qty'),
        trades: 1,
        takerSide: row.m ? 'sell' : 'buy',
        seq: row.t,
      });
    case 'bookTicker':
      parseSize(row.B, 'best_bid_qty');
      parseSize(row.A, 'best_ask_qty');
      return quoteTick(ctx, row.T, parsePrice(row.b, 'best_bid_price'), parsePrice(row.a, 'best_ask_price'), row.u);
    case 'klines': {
      const tf = timeframe as Timeframe;
      const closeTime = row.openTime + TIMEFRAME_MS[tf] - 1;
      if (Math.floor(row.closeTime) !== closeTime) {
        throw new RowError(`close_time ${row.closeTime} does not fit a ${tf} kline opening at ${row.openTime}`);
      }
      return closedCandle(ctx, {
        timeframe: tf,
        basis: 'trade',
        openTime: row.openTime,
        open: parsePrice(row.open, 'open'),
        high: parsePrice(row.high, 'high'),
        low: parsePrice(row.low, 'low'),
        close: parsePrice(row.close, 'close'),
        volume: parseSize(row.volume, 'volume'),
        quoteVolume: parseSize(row.quoteVolume, 'quote_volume'),
        trades: row.trades,
        takerBuyVolume: parseSize(row.takerBuyVolume, 'taker_buy_volume'),
        takerBuyQuoteVolume: parseSize(row.takerBuyQuoteVolume, 'taker_buy_quote_volume'),
      });
    }
  }
}

/**
 * Row parser for a Binance archive (trades, aggTrades, klines, bookTicker),
 * built on the archive row parser of the Binance feed. Trades become trade
 * ticks (taker side from `is_buyer_maker`), bookTicker rows quote ticks
 * (seq = update_id, time = transaction_time), klines closed trade-basis candles.
 */
export function binanceArchiveParser(ctx: ParserContext, kind: ArchiveKind): RowParser {
  const timeframe = kind === 'klines' ? requireTimeframe(ctx, 'kline') : null;
  return {
    parse(text, first) {
      const result = parseArchiveLine(kind, text);
      if (!result.ok) throw new RowError(result.error);
      if (result.row === null) return rejectStrayHeader(first);
      return mapRow(ctx, result.row, timeframe);
    },
  };
}

/**
 * Row parser for Binance-derived OHLCV bars with header
 * `timestamp,open,high,low,close,volume` (UTC bar start as `YYYY-MM-DD HH:mm:ss`
 * or epoch ms): closed trade-basis candles, trades unknown (0).
 */
export function binanceOhlcvParser(ctx: ParserContext): RowParser {
  const timeframe = requireTimeframe(ctx, 'OHLCV');
  return {
    parse(text, first) {
      const c = splitCsv(text);
      if (looksLikeHeader(c[0])) return rejectStrayHeader(first);
      if (c.length !== 6) throw new RowError(`expected 6 columns, got ${c.length}`);
      const ts = c[0] ?? '';
      const openTime = /^\d+$/.test(ts) ? Number(ts) : parseWallTime(...(ts.split(' ') as [string, string]), 'timestamp');
      return closedCandle(ctx, {
        timeframe,
        basis: 'trade',
        openTime: checkTime(openTime, 'timestamp'),
        open: parsePrice(c[1], 'open'),
        high: parsePrice(c[2], 'high'),
        low: parsePrice(c[3], 'low'),
        close: parsePrice(c[4], 'close'),
        volume: parseSize(c[5], 'volume'),
      });
    },
  };
}
