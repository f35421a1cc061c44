import type { Cancel, Candle, Clock, Source, SymbolSpec } from '../../core/index.js';
import { M5VolatilityBridge } from './M5VolatilityBridge.js';
import type { LabelTimeframe, M5BridgeOptions, StructureLabel, StructureLabelInput, VolatilityBridgeReading } from './types.js';

/** What the service needs from the rest of the pipeline; plain callbacks, so it imports no other component. */
export type VolatilityBridgeServiceOptions = Readonly<{
  clock: Clock;
  symbols: readonly SymbolSpec[];
  /** Bridge tuning shared by every symbol (`symbol` is filled in per symbol). */
  bridge: Omit<M5BridgeOptions, 'symbol'>;
  /** Offset in force for a symbol (the offset engine's `offset`). */
  offsetOf: (symbol: string) => number | null;
  /** Broker spread of a symbol (the offset engine's `brokerSpread`). */
  brokerSpreadOf: (symbol: string) => number | null;
  /** Source quality (the offset engine's `sourceQuality`). Default 1. */
  qualityOf?: (symbol: string, source: Source) => number;
  /** Receives every reading. */
  onReading: (reading: VolatilityBridgeReading) => void;
  /** How long a primary M5 waits for the other source's M5 of the same open time, ms (default 3000). */
  secondaryWaitMs?: number;
  /** How often pending readings are checked, ms (default 500). */
  pollMs?: number;
}>;

type Pending = { candle: Candle; since: number };
type SymbolSlot = {
  spec: SymbolSpec;
  bridge: M5VolatilityBridge;
  secondary: Source | null;
  /** Latest closed M5 of the secondary source. */
  lastSecondary: Candle | null;
  pending: Pending | null;
  labels: Map<string, StructureLabelInput>;
  last: VolatilityBridgeReading | null;
};

/** The other source of a symbol: Binance and MT5 both configured, the one that is not primary. */
function secondaryOf(spec: SymbolSpec): Source | null {
  const sources: Source[] = [];
  if (spec.binance) sources.push('binance');
  if (spec.mt5) sources.push('mt5');
  return sources.find((s) => s !== spec.primary) ?? null;
}

/** Source of a single-source candle (the pipeline builds one aggregator per symbol and source). */
function sourceOf(candle: Candle): Source | null {
  return candle.sources.length === 1 ? (candle.sources[0] as Source) : null;
}

/**
 * The shell around one `M5VolatilityBridge` per symbol: takes closed M5
 * candles of every source (`onCandle`, from `candle.closed`), the structure
 * labels (`setLabel`), and produces one reading per primary M5 once the other
 * source's M5 of the same open time has closed too, or `secondaryWaitMs`
 * after the primary's close (then without it). Readings go to `onReading`.
 */
export class VolatilityBridgeService {
  private readonly slots = new Map<string, SymbolSlot>();
  private stopTimer: Cancel | null = null;

  constructor(private readonly options: VolatilityBridgeServiceOptions) {
    for (const spec of options.symbols) {
      this.slots.set(spec.symbol, {
        spec,
        bridge: new M5VolatilityBridge({ ...options.bridge, symbol: spec.symbol }),
        secondary: secondaryOf(spec),
        lastSecondary: null,
        pending: null,
        labels: new Map(),
        last: null,
      });
    }
  }

  /** Starts the clock-driven check of readings waiting for the secondary. */
  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = this.options.clock.setInterval(() => this.poll(), this.options.pollMs ?? 500);
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }

  /**
   * Warms a symbol's bridge up with stored history: closed M5 candles of its
   * primary source, oldest first (about 40 are needed; see `requiredInputs`),
   * without emitting readings. Call before live candles arrive.
   */
  warmUp(symbol: string, candles: readonly Candle[]): void {
    const slot = this.slots.get(symbol);
    if (!slot) return;
    for (const candle of candles) {
      if (candle.timeframe !== 'M5' || sourceOf(candle) !== slot.spec.primary) continue;
      slot.last = slot.bridge.add({
        primary: candle,
        primarySource: slot.spec.primary,
        secondary: null,
        offset: null,
        brokerSpread: null,
        tsInit: candle.tsInit,
      });
    }
  }

  /** Warm-up still needed for a symbol: inputs the bridge requires, and whether it is stable. */
  warmUpState(symbol: string): { requiredInputs: number; stable: boolean } | null {
    const slot = this.slots.get(symbol);
    return slot ? { requiredInputs: slot.bridge.requiredInputs, stable: slot.bridge.isStable } : null;
  }

  /** Takes a closed candle (any timeframe and source; only M5 of a known symbol is used). */
  onCandle(candle: Candle): void {
    if (candle.timeframe !== 'M5' || !candle.closed) return;
    const slot = this.slots.get(candle.symbol);
    const source = sourceOf(candle);
    if (!slot || source === null) return;
    if (source === slot.spec.primary) {
      if (slot.pending) this.emit(slot);
      slot.pending = { candle, since: this.options.clock.now() };
      if (slot.secondary === null || slot.lastSecondary?.openTime === candle.openTime) this.emit(slot);
      return;
    }
    if (source !== slot.secondary) return;
    slot.lastSecondary = candle;
    if (slot.pending?.candle.openTime === candle.openTime) this.emit(slot);
  }

  /** Sets the structure detector's current label of one source and timeframe of a symbol. */
  setLabel(symbol: string, source: Source, timeframe: LabelTimeframe, label: StructureLabel): void {
    this.slots.get(symbol)?.labels.set(`${source}:${timeframe}`, { source, timeframe, label });
  }

  /** Emits readings that waited `secondaryWaitMs` for the secondary. */
  poll(): void {
    const wait = this.options.secondaryWaitMs ?? 3_000;
    const now = this.options.clock.now();
    for (const slot of this.slots.values()) if (slot.pending && now - slot.pending.since >= wait) this.emit(slot);
  }

  /** Latest reading of a symbol, or null (for `get_volatility_bridge`). */
  reading(symbol: string): VolatilityBridgeReading | null {
    return this.slots.get(symbol)?.last ?? null;
  }

  /** ATR(M5) of a symbol's primary after its last M5, or null (the offset engine's `atrOf`). */
  atr(symbol: string): number | null {
    return this.slots.get(symbol)?.bridge.currentAtr() ?? null;
  }

  private emit(slot: SymbolSlot): void {
    const pending = slot.pending;
    if (!pending) return;
    slot.pending = null;
    const { symbol } = slot.spec;
    const secondary = slot.lastSecondary?.openTime === pending.candle.openTime ? slot.lastSecondary : null;
    const quality: Partial<Record<Source, number>> = {};
    for (const source of [slot.spec.primary, slot.secondary]) {
      if (source) quality[source] = this.options.qualityOf?.(symbol, source) ?? 1;
    }
    const reading = slot.bridge.add({
      primary: pending.candle,
      primarySource: slot.spec.primary,
      secondary,
      secondarySource: slot.secondary,
      offset: this.options.offsetOf(symbol),
      brokerSpread: this.options.brokerSpreadOf(symbol),
      quality,
      labels: [...slot.labels.values()],
      tsInit: this.options.clock.now(),
    });
    if (reading) {
      slot.last = reading;
      this.options.onReading(reading);
    }
  }
}
