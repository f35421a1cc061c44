import type { Clock, EventBus, Tick } from '../../core/index.js';
import { TickRing, type TickRingOptions, type TickRingStatus } from './TickRing.js';

/** Reads durable ticks of a symbol from `from` on, ascending, in pages (e.g. the store's `tickPages` over unified_ticks). */
export type TickHistoryReader = (symbol: string, from: number) => Iterable<readonly Tick[]>;

/** Options of the tick buffer service. */
export type TickBufferOptions = TickRingOptions &
  Readonly<{
    bus: EventBus;
    clock: Clock;
    /**
     * Bus topic buffered. `tick.accepted` (default): every accepted tick of
     * every source in venue prices, exactly what the BusRecorder writes to
     * unified_ticks, so SQLite is the durable copy of the ring, a refill
     * reproduces it, and a query stitched across RAM and SQLite answers one
     * consistent stream. `tick.fused`: the unified stream (one source per
     * symbol, broker terms); then RAM and SQLite hold different streams and
     * a range crossing their border changes character.
     */
    topic?: 'tick.fused' | 'tick.accepted';
  }>;

/**
 * The RAM tick buffer as a service: subscribes to the bus and keeps the
 * last hours of raw ticks per symbol in a {@link TickRing}; on start it can
 * refill the window from SQLite so a restart does not empty it. The data
 * access layer reads it through `ring` (a `TickWindow`).
 */
export class TickBuffer {
  readonly ring: TickRing;
  private off: (() => void) | null = null;
  private readonly topic: 'tick.fused' | 'tick.accepted';

  constructor(private readonly options: TickBufferOptions) {
    this.ring = new TickRing(options);
    this.topic = options.topic ?? 'tick.accepted';
  }

  /**
   * Refills the window of each symbol (ticks from now minus the window) from
   * durable history, then subscribes to the bus. Returns ticks refilled per
   * symbol. The ring then covers from the first refilled tick, so a range of
   * the window that SQLite no longer holds (its day archived and pruned) is
   * still answered by the archive, not shadowed by an empty RAM range.
   */
  start(symbols: readonly string[] = [], history?: TickHistoryReader): Record<string, number> {
    const refilled: Record<string, number> = {};
    if (history) {
      const from = this.options.clock.now() - this.ring.windowMs;
      for (const symbol of symbols) refilled[symbol] = this.ring.refill(symbol, history(symbol, from));
    }
    if (this.off === null) this.off = this.options.bus.subscribe(this.topic, (t) => this.ring.add(t));
    return refilled;
  }

  /** Unsubscribes; the buffered ticks stay readable. Safe to call twice. */
  stop(): void {
    this.off?.();
    this.off = null;
  }

  /** Memory and window state, for get_system_status (`tickBuffer` field). */
  status(): TickRingStatus {
    return this.ring.status();
  }
}
