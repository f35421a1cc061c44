/**
 * Broker terms for the coordinator: positions, stops and fused prices are
 * broker prices, while the primary candle stream (and the structure events it
 * confirms) of a Binance-primary symbol is in Binance prices. DTMS and exits
 * compare candles and swing levels with stops, so every Binance candle and
 * structure event is shifted by the offset in force (broker mid - Binance
 * price, the one the fuser adds to Binance ticks) before ATR, structure
 * levels and invalidation checks see it. Pure functions, plain addition as
 * the fuser does (no rounding), so a converted candle and a fused tick of the
 * same instant agree to the last bit.
 */
import type { Candle, Source, StructureEvent } from '../../core/index.js';

/** True when a candle's prices are Binance prices (built from Binance ticks only) and need the offset. */
export function isBinanceCandle(candle: Candle): boolean {
  return candle.sources.length > 0 && candle.sources.every((s: Source) => s === 'binance');
}

/**
 * The candle in broker terms: open, high, low, close and the VWAP of its
 * analytics shifted by `offset`; ATR (a range), volumes and times unchanged.
 * The same object when `offset` is 0.
 */
export function candleToBrokerTerms(candle: Candle, offset: number): Candle {
  if (offset === 0) return candle;
  const a = candle.analytics;
  return {
    ...candle,
    open: candle.open + offset,
    high: candle.high + offset,
    low: candle.low + offset,
    close: candle.close + offset,
    ...(a === undefined ? {} : { analytics: { ...a, vwap: a.vwap === null ? null : a.vwap + offset } }),
  };
}

/** The structure event in broker terms: level, top and bottom shifted by `offset` (nulls stay null); the same object when `offset` is 0. */
export function structureToBrokerTerms(event: StructureEvent, offset: number): StructureEvent {
  if (offset === 0) return event;
  const shift = (x: number | null): number | null => (x === null ? null : x + offset);
  return { ...event, level: shift(event.level), top: shift(event.top), bottom: shift(event.bottom) };
}
