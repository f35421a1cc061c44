import type {
  Candle,
  Cancel,
  LiveMarketView,
  MarketSnapshot,
  OffsetUpdate,
  Source,
  SymbolSpec,
  Tick,
  Timeframe,
} from '../core/index.js';
import { OffsetEngine } from './calibration/OffsetEngine.js';
import type { StreamAnalytics } from './CandleAnalytics.js';
import { CandleStreams } from './CandleStreams.js';
import { publishSourceSwitch, publishVolatilityRejected } from './pipelineEvents.js';
import type { PipelineOptions, PipelineStats } from './pipelineTypes.js';
import { publishCalibration } from './publishCalibration.js';
import type { StructureDetector } from './structure/StructureDetector.js';
import { TickGate } from './filters/TickGate.js';
import { Fuser } from './fusion/Fuser.js';
import { GapBook, type GapSummary } from './state/GapBook.js';
import { applyToEntry, MarketStateBook, snapshotOf } from './state/MarketStateBook.js';
import { VolatilityBridgeService } from './volatility/VolatilityBridgeService.js';

export { candleBasisFor } from './CandleStreams.js';
export type { PipelineOptions, PipelineStats } from './pipelineTypes.js';

/** Timeframes whose structure labels vote in the M5 bridge. */
const LABEL_TIMEFRAMES = new Set(['M1', 'M5', 'M15']);
/** Least venue time between two early calibrations of a symbol still without an offset, ms. */
const EARLY_CALIBRATION_MS = 1_000;

/**
 * The Unified Tick Pipeline's data path: validate, reject spikes, aggregate
 * candles for every timeframe per (symbol, source) from the venue's own
 * prices, feed the offset engine, and fuse: per symbol one source is
 * active (the primary while live, else the other), its ticks are expressed in
 * broker terms and published as `tick.fused`; closed candles go out as
 * `candle.closed`, with their analytics (ATR, VWAP, volatility state,
 * structure) for M1-H4, after the `structure.event`s their close confirmed
 * (primary source only); M5 closes feed the volatility bridge
 * (`volatility.m5`). Every `offsetIntervalMs` the offset engine calibrates
 * (`offset.updated`, `offset.discrepancy`).
 * Candles close when a later tick arrives, or by the clock once the venue time
 * (estimated from the last tick) has passed their end plus a grace period.
 */
export class Pipeline implements LiveMarketView {
  private readonly book = new MarketStateBook();
  private readonly gapBook = new GapBook();
  private readonly gate: TickGate;
  private readonly calibrator: OffsetEngine;
  private readonly offsets = new Map<string, number>();
  private readonly earlyAt = new Map<string, number>();
  /** Symbols whose MT5 stream delivered a tick: only their Binance ticks go to the offset engine. */
  private readonly brokered = new Set<string>();
  /** The M5 volatility bridge of every symbol (fed by closed candles; warm it up from the store at start). */
  readonly volatility: VolatilityBridgeService;
  private readonly fuser: Fuser;
  private fused = 0;
  private stopOffsetTimer: Cancel | null = null;
  private readonly specs = new Map<string, SymbolSpec>();
  private readonly streams: CandleStreams;
  private candlesClosed = 0;
  private stopTimer: Cancel | null = null;

  constructor(private readonly options: PipelineOptions) {
    for (const spec of options.symbols) this.specs.set(spec.symbol, spec);
    this.streams = new CandleStreams(options.clock, (analytics, source, candle) => this.onClosed(analytics, source, candle));
    this.gate = new TickGate(options.bus, (symbol) => this.specs.has(symbol), options.spike);
    options.bus.subscribe('gap.updated', (gap) => this.gapBook.apply(gap));
    this.calibrator = new OffsetEngine({
      ...options.offset,
      atrOf: (symbol) => this.volatility.atr(symbol),
      quality: (symbol, source) => this.baseQuality(symbol, source),
    });
    this.volatility = new VolatilityBridgeService({
      clock: options.clock,
      symbols: options.symbols,
      bridge: options.bridge ?? {},
      offsetOf: (symbol) => this.calibrator.offset(symbol),
      brokerSpreadOf: (symbol) => this.calibrator.brokerSpread(symbol),
      qualityOf: (symbol, source) => this.calibrator.sourceQuality(symbol, source),
      onReading: (reading) => options.bus.publish('volatility.m5', reading),
    });
    this.fuser = new Fuser(
      options.symbols,
      (symbol) => this.offsets.get(symbol) ?? 0,
      (change) => publishSourceSwitch(options.bus, options.clock, change),
      (tick) => {
        this.fused++;
        this.book.apply(tick);
        options.bus.publish('tick.fused', tick);
      },
    );
  }

  /** Starts the clock-driven candle close. */
  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = this.options.clock.setInterval(() => this.closeByClock(), this.options.closeIntervalMs ?? 250);
    this.stopOffsetTimer = this.options.clock.setInterval(() => this.refreshOffsets(), this.options.offsetIntervalMs ?? 60_000);
    this.volatility.start();
  }

  /** Stops the timer; candles still forming stay open (they are not complete). */
  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
    this.stopOffsetTimer?.();
    this.stopOffsetTimer = null;
    this.volatility.stop();
  }

  /** Takes one tick from a feed into the unified stream. Returns false when it was rejected. */
  ingest(tick: Tick): boolean {
    const { bus } = this.options;
    if (!this.gate.pass(tick)) return false;
    const stream = this.streams.stream(tick.symbol, tick.source);
    applyToEntry(stream.book, tick);
    stream.lastTsEvent = tick.tsEvent;
    stream.lastTsInit = tick.tsInit;
    stream.lastMono = this.options.clock.monotonic();
    stream.aggregator.add(tick);
    // Binance prices pair only with broker quotes: until the symbol's first MT5 tick they would only pile up unpaired
    if (tick.source !== 'binance' || this.brokered.has(tick.symbol)) this.calibrator.add(tick);
    bus.publish('tick.accepted', tick);
    if (tick.source === 'mt5' && !this.offsets.has(tick.symbol)) {
      this.brokered.add(tick.symbol);
      this.earlyCalibration(tick);
    }
    this.fuser.fuse(tick);
    return true;
  }

  /** Marks a source live or down for a symbol (from feed health); the fuser fails over or back. */
  setSourceLive(symbol: string, source: Source, live: boolean, reason: string): void {
    this.fuser.setLive(symbol, source, live, reason);
  }

  /** Source currently feeding the unified stream of a symbol. */
  activeSource(symbol: string): Source | null {
    return this.fuser.active(symbol);
  }

  /** Last trade and quote of one source of a symbol, in that venue's own prices. */
  sourceSnapshot(symbol: string, source: Source): MarketSnapshot {
    return snapshotOf(symbol, this.streams.find(symbol, source)?.book);
  }

  /** Offset (broker - Binance) the fused stream applies to a symbol's Binance prices, 0 until calibrated. */
  offset(symbol: string): number {
    return this.offsets.get(symbol) ?? 0;
  }

  /**
   * Runs one calibration of every symbol (on the offset interval) at the
   * estimated venue time: sets the offsets the fused stream applies, publishes
   * `offset.updated` per symbol, and `offset.discrepancy` plus a
   * `system.event` (warn when flagged, info when settled) per discrepancy event.
   */
  refreshOffsets(): void {
    publishCalibration(this.options.bus, this.options.clock, this.calibrator.calibrate(this.venueNow()), this.offsets);
  }

  /** The last offset calibration of every symbol that has one (for `get_offsets`). */
  offsetUpdates(): OffsetUpdate[] {
    return this.calibrator.updates();
  }

  /** True while a symbol's offset is held because of a discrepancy. */
  inDiscrepancy(symbol: string): boolean {
    return this.calibrator.inDiscrepancy(symbol);
  }

  /**
   * The structure detector of a symbol's primary candle source and timeframe
   * (its state, trend and in-memory log of confirmed events); null for S1/D1
   * and before the first closed candle.
   */
  structureDetector(symbol: string, timeframe: Timeframe): StructureDetector | null {
    const stream = this.streams.find(symbol, this.primaryCandleSource(symbol) as Source);
    return stream?.analytics.detector(timeframe) ?? null;
  }

  /** Venue time now: the latest venue time of any stream plus the monotonic time since its tick; the clock before any tick. */
  private venueNow(): number {
    return this.streams.venueNow(this.options.clock.now());
  }

  /** Before a symbol's first offset, calibrates as soon as enough pairs exist (at most once a second of venue time). */
  private earlyCalibration(tick: Tick): void {
    const last = this.earlyAt.get(tick.symbol) ?? Number.NEGATIVE_INFINITY;
    if (tick.tsEvent - last < EARLY_CALIBRATION_MS) return;
    this.earlyAt.set(tick.symbol, tick.tsEvent);
    if ((this.calibrator.pairStats(tick.symbol)?.pairs ?? 0) >= (this.options.offset?.minPairs ?? 10)) this.refreshOffsets();
  }

  /** Base quality of a source for the offset engine: 0 when down, 0.5 with a gap open, else 1. */
  private baseQuality(symbol: string, source: Source): number {
    if (!this.fuser.liveSources(symbol).includes(source)) return 0;
    return this.gapBook.summary(symbol).open.some((g) => g.source === source) ? 0.5 : 1;
  }

  snapshot(symbol: string): MarketSnapshot {
    return this.book.snapshot(symbol);
  }

  openCandle(symbol: string, timeframe: Timeframe): Candle | null {
    const stream = this.streams.find(symbol, this.primaryCandleSource(symbol) as Source);
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
    const lateTicks = this.streams.lateTicks();
    const g = this.gate.stats();
    return {
      accepted: g.accepted,
      rejected: g.rejected,
      unknownSymbol: g.unknownSymbol,
      lateTicks,
      candlesClosed: this.candlesClosed,
      rejectReasons: g.rejectReasons,
      spikes: g.spikes,
      fused: this.fused,
    };
  }

  gaps(symbol: string): GapSummary {
    return this.gapBook.summary(symbol);
  }

  /**
   * Closes every candle whose end the estimated venue time has passed (plus
   * grace). Venue time is estimated as the last tick's venue time plus the
   * monotonic time since it arrived, so a laptop sleep does not close candles
   * that gap-fill is about to complete.
   */
  closeByClock(): void {
    this.streams.closeUntilVenueTime(this.options.closeGraceMs ?? 2_000);
  }

  /**
   * A closed candle of one stream: analytics first, then `structure.event`
   * (primary source only), `candle.closed` with the analytics, and the M5
   * bridge (labels of M1/M5/M15, then the candle).
   */
  private onClosed(analytics: StreamAnalytics, source: Source, candle: Candle): void {
    this.candlesClosed++;
    const { bus } = this.options;
    const out = analytics.onClosed(candle);
    if (out.events.length > 0 && source === this.primaryCandleSource(candle.symbol)) {
      for (const e of out.events) bus.publish('structure.event', e);
    }
    bus.publish('candle.closed', out.candle);
    if (out.candle.analytics && LABEL_TIMEFRAMES.has(candle.timeframe)) {
      this.volatility.setLabel(candle.symbol, source, candle.timeframe as 'M1' | 'M5' | 'M15', out.trend ?? 'neutral');
    }
    try {
      this.volatility.onCandle(out.candle);
    } catch (error) {
      // a candle older than the bridge's last (warm-up from a later stored run): the bridge keeps its state
      publishVolatilityRejected(bus, this.options.clock, candle, source, error);
    }
  }
}
