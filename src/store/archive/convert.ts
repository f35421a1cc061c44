import {
  DataIntegrityError,
  isSource,
  isTimeframe,
  type Candle,
  type CandleBasis,
  type Source,
  type TakerSide,
  type Tick,
} from '../../core/index.js';
import { readSeq } from '../repos/tickIdentity.js';
import type { ArchiveRow } from './columns.js';

/** A tick archive row back as the core Tick the store would return (synthetic seq reads as null). */
export function rowToTick(r: ArchiveRow): Tick {
  const source = r.source as string;
  if (!isSource(source)) throw new DataIntegrityError(`archived tick has unknown source ${source}`);
  return {
    symbol: r.symbol as string,
    source,
    tsEvent: r.ts_event as number,
    tsInit: r.ts_init as number,
    bid: r.bid as number | null,
    ask: r.ask as number | null,
    last: r.last as number | null,
    volume: r.volume as number,
    trades: r.trades as number,
    takerSide: r.taker_side as TakerSide | null,
    seq: readSeq(r.seq as number),
    offset: r.offset as number,
  };
}

/** A candle archive row back as the core Candle the store would return. */
export function rowToCandle(r: ArchiveRow): Candle {
  const timeframe = r.timeframe as string;
  if (!isTimeframe(timeframe)) throw new DataIntegrityError(`archived candle has unknown timeframe ${timeframe}`);
  const key = r.source as string;
  const sources = key === '' ? [] : key.split('+');
  for (const s of sources) if (!isSource(s)) throw new DataIntegrityError(`archived candle has unknown source ${s}`);
  const hasAnalytics =
    r.atr !== null || r.vwap !== null || r.volatility_state !== null || r.structure_label !== null || r.structure_json !== null;
  return {
    symbol: r.symbol as string,
    timeframe,
    openTime: r.open_time as number,
    open: r.open as number,
    high: r.high as number,
    low: r.low as number,
    close: r.close as number,
    volume: r.volume as number,
    quoteVolume: r.quote_volume as number,
    trades: r.trades as number,
    takerBuyVolume: r.taker_buy_volume as number,
    takerBuyQuoteVolume: r.taker_buy_quote_volume as number,
    basis: r.basis as CandleBasis,
    sources: sources as Source[],
    closed: r.closed === 1,
    tsEvent: r.ts_event as number,
    tsInit: r.ts_init as number,
    ...(hasAnalytics
      ? {
          analytics: {
            atr: r.atr as number | null,
            vwap: r.vwap as number | null,
            volatilityState: r.volatility_state as string | null,
            structureLabel: r.structure_label as string | null,
            structureJson: r.structure_json as string | null,
          },
        }
      : {}),
  };
}

/** Compares two tick rows in the store's read order: time, source, kind, venue seq, then synthetic ids in arrival order. */
export function compareTickRows(a: ArchiveRow, b: ArchiveRow): number {
  const ta = a.ts_event as number;
  const tb = b.ts_event as number;
  if (ta !== tb) return ta - tb;
  if (a.source !== b.source) return (a.source as string) < (b.source as string) ? -1 : 1;
  if (a.kind !== b.kind) return (a.kind as string) < (b.kind as string) ? -1 : 1;
  const sa = a.seq as number;
  const sb = b.seq as number;
  const na = sa < 0 ? 1 : 0;
  const nb = sb < 0 ? 1 : 0;
  if (na !== nb) return na - nb;
  return Math.abs(sa) - Math.abs(sb);
}

/** Compares two candle rows in archive order: source key, then open time. */
export function compareCandleRows(a: ArchiveRow, b: ArchiveRow): number {
  if (a.source !== b.source) return (a.source as string) < (b.source as string) ? -1 : 1;
  return (a.open_time as number) - (b.open_time as number);
}

/** Identity of a tick row (its primary key in `unified_ticks`). */
export function tickRowKey(r: ArchiveRow): string {
  return `${r.ts_event}\0${r.source}\0${r.kind}\0${r.seq}`;
}

/** Identity of a candle row within one symbol and timeframe (its primary key in `candles`). */
export function candleRowKey(r: ArchiveRow): string {
  return `${r.source}\0${r.open_time}`;
}
