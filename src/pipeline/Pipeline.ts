import type {
  Candle,
  CandleBasis,
  Cancel,
  Clock,
  EventBus,
  LiveMarketView,
  MarketSnapshot,
  Source,
  SymbolSpec,
  Tick,
  Timeframe,
} from '../core/index.js';
import { CandleAggregator } from './aggregation/index.js';
import { validateTick } from './filters/validateTick.js';
import { MarketStateBook } from './state/MarketStateBook.js';

/** Options of the tick pipeline. */
export type PipelineOptions = Readonly<{
  bus: EventBus;
  clock: Clock;
  symbols: readonly SymbolSpec[];
  /** How often candles are closed by the clock when no tick arrives, ms. */
  closeIntervalMs?: number;
  /** Grace after a candle's end before the clock closes it (late ticks), ms. */
  closeGraceMs?: number;
}>;

/** Counters the status tool reports. */
export type PipelineStats = Readonly<{
  accepted: number;
  rejected: number;
  unknownSymbol: number;
  lateTicks: number;
  candlesClosed: number;
  rejectReasons: Readonly<Record<string, number>>;
}>;

/** Price basis of candles built from a source: trade prints for the exchange, quote mid for brokers. */
export function candleBasisFor(source: Source): CandleBasis {
  return source === 'binance' ? 'trade' : 'mid';
}

type Stream = { aggregator: CandleAggregator; lastTsEvent: number; lastTsInit: number };

/**
 * The Unified Tick Pipeline's data path for accepted ticks: validate, update
 * the market state book, aggregate candles for every timeframe per
 * (symbol, source), and publish `tick.fused` and `candle.closed` on the bus.
 * Candles close when a later tick arrives, or by the clock once the venue time
 * (estimated from the last tick) has passed their end plus a grace period.
 */
export class Pipeline implements LiveMarketView {
  private readonly book = new MarketStateBook();
  private readonly specs = new Map<string, SymbolSpec>();
  private readonly streams = new Map<string, Stream>();
  private readonly reasons: Record<string, number> = {};
  private accepted = 0;
  private rejected = 0;
  private unknownSymbol = 0;
  private candlesClosed = 0;
  private stopTimer: Cancel | null = null;

  constructor(private readonly options: PipelineOptions) {
    for (const spec of options.symbols) this.specs.set(spec.symbol, spec);
  }

  /** Starts the clock-driven candle close. */
  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = this.options.clock.setInterval(() => this.closeByClock(), this.options.closeIntervalMs ?? 250);
  }

  /** Stops the timer; candles still forming stay open (they are not complete). */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }

  /** Takes one tick from a feed into the unified stream. Returns false when it was rejected. */
  ingest(tick: Tick): boolean {
    const { bus } = this.options;
    if (!this.specs.has(tick.symbol)) {
      this.unknownSymbol++;
      return false;
    }
    const reason = validateTick(tick);
    if (reason !== null) {
      this.rejected++;
      this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
      bus.publish('tick.rejected', { tick, reason, tsInit: tick.tsInit });
      return false;
    }
    this.accepted++;
    this.book.apply(tick);
    const stream = this.stream(tick.symbol, tick.source);
    stream.lastTsEvent = tick.tsEvent;
    stream.lastTsInit = tick.tsInit;
    stream.aggregator.add(tick);
    bus.publish('tick.fused', tick);
    return true;
  }

  snapshot(symbol: string): MarketSnapshot {
    return this.book.snapshot(symbol);
  }

  openCandle(symbol: string, timeframe: Timeframe): Candle | null {
    const stream = this.streams.get(streamKey(symbol, this.primaryCandleSource(symbol)));
    return stream ? stream.aggregator.openCandle(timeframe) : null;
  }

  primaryCandleSource(symbol: string): string {
    return this.specs.get(symbol)?.primary ?? 'binance';
  }

  /** Known symbols, in configuration order. */
  symbols(): readonly SymbolSpec[] {
    return this.options.symbols;
  }

  stats(): PipelineStats {
    let lateTicks = 0;
    for (const stream of this.streams.values()) lateTicks += stream.aggregator.stats().lateTicks;
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      unknownSymbol: this.unknownSymbol,
      lateTicks,
      candlesClosed: this.candlesClosed,
      rejectReasons: { ...this.reasons },
    };
  }

  /** Closes every candle whose end the estimated venue time has passed (plus grace). */
  closeByClock(): void {
    const now = this.options.clock.now();
    const grace = this.options.closeGraceMs ?? 2_000;
    for (const stream of this.streams.values()) {
      if (stream.lastTsInit === 0) continue;
      const venueNow = stream.lastTsEvent + Math.max(0, now - stream.lastTsInit);
      stream.aggregator.closeUntil(venueNow - grace);
    }
  }

  private stream(symbol: string, source: Source): Stream {
    const key = streamKey(symbol, source);
    let stream = this.streams.get(key);
    if (!stream) {
      const aggregator = new CandleAggregator({
        symbol,
        basis: candleBasisFor(source),
        clock: this.options.clock,
        onClosed: (candle) => {
          this.candlesClosed++;
          this.options.bus.publish('candle.closed', candle);
        },
      });
      stream = { aggregator, lastTsEvent: 0, lastTsInit: 0 };
      this.streams.set(key, stream);
    }
    return stream;
  }
}

function streamKey(symbol: string, source: string): string {
  return `${symbol}|${source}`;
}
