import type { Candle, CandleBasis, Clock, Source } from '../core/index.js';
import { CandleAggregator } from './aggregation/index.js';
import { StreamAnalytics } from './CandleAnalytics.js';
import type { BookEntry } from './state/MarketStateBook.js';

/**
 * Price basis of candles built from a source: trade prints for the exchange
 * (so they equal Binance's klines), bid for the MT5 broker (MT5 charts and the
 * bars the bridge sends are bid bars, so built and received bars agree), and
 * quote mid for other recorded quote sources.
 */
export function candleBasisFor(source: Source): CandleBasis {
  if (source === 'binance') return 'trade';
  return source === 'mt5' ? 'bid' : 'mid';
}

/** One (symbol, source) candle stream: its aggregator, analytics, last quote/trade and the times of its last tick. */
export type CandleStream = {
  aggregator: CandleAggregator;
  lastTsEvent: number;
  lastTsInit: number;
  lastMono: number;
  book: BookEntry;
  analytics: StreamAnalytics;
};

/** Called with every candle a stream closes, its analytics and its source. */
export type StreamCloseHandler = (analytics: StreamAnalytics, source: Source, candle: Candle) => void;

/**
 * The pipeline's candle streams, one per (symbol, source), built on first use,
 * and the venue clock estimated from them: each stream's last venue time plus
 * the monotonic time since its tick arrived (so a laptop sleep does not close
 * candles that gap-fill is about to complete).
 */
export class CandleStreams {
  /** Candle streams by symbol, then source: two small maps, no key strings built per tick. */
  private readonly streams = new Map<string, Map<Source, CandleStream>>();

  constructor(
    private readonly clock: Clock,
    private readonly onClosed: StreamCloseHandler,
  ) {}

  /** The stream of a symbol and source, created on first use. */
  stream(symbol: string, source: Source): CandleStream {
    let bySource = this.streams.get(symbol);
    if (!bySource) {
      bySource = new Map();
      this.streams.set(symbol, bySource);
    }
    let stream = bySource.get(source);
    if (!stream) {
      const aggregator = new CandleAggregator({
        symbol,
        basis: candleBasisFor(source),
        clock: this.clock,
        onClosed: (candle) => this.onClosed(analytics, source, candle),
      });
      const analytics = new StreamAnalytics(symbol);
      stream = { aggregator, lastTsEvent: 0, lastTsInit: 0, lastMono: 0, book: { trade: null, quote: null, ticks: 0 }, analytics };
      bySource.set(source, stream);
    }
    return stream;
  }

  /** The stream of a symbol and source if it has seen a tick, else undefined. */
  find(symbol: string, source: Source): CandleStream | undefined {
    return this.streams.get(symbol)?.get(source);
  }

  /** Every stream. */
  *all(): Iterable<CandleStream> {
    for (const bySource of this.streams.values()) yield* bySource.values();
  }

  /** Venue time now: the latest venue time of any stream plus the monotonic time since its tick; `fallback` before any tick. */
  venueNow(fallback: number): number {
    const mono = this.clock.monotonic();
    let now = Number.NEGATIVE_INFINITY;
    for (const s of this.all()) if (s.lastTsInit !== 0) now = Math.max(now, s.lastTsEvent + Math.max(0, mono - s.lastMono));
    return Number.isFinite(now) ? now : fallback;
  }

  /** Closes every candle whose end its stream's estimated venue time has passed by more than `graceMs`. */
  closeUntilVenueTime(graceMs: number): void {
    const mono = this.clock.monotonic();
    for (const stream of this.all()) {
      if (stream.lastTsInit === 0) continue;
      const venueNow = stream.lastTsEvent + Math.max(0, mono - stream.lastMono);
      stream.aggregator.closeUntil(venueNow - graceMs);
    }
  }

  /** Ticks that arrived after their candle had closed, summed over all streams. */
  lateTicks(): number {
    let late = 0;
    for (const stream of this.all()) late += stream.aggregator.stats().lateTicks;
    return late;
  }
}
