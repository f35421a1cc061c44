import type { EventBus, Tick } from '../../core/index.js';
import { SpikeFilter, type SpikeFilterOptions } from './SpikeFilter.js';
import { validateTick } from './validateTick.js';

/** Counters of the gate, as the status tool reports them. */
export type TickGateStats = Readonly<{ accepted: number; rejected: number; unknownSymbol: number; spikes: number; rejectReasons: Readonly<Record<string, number>> }>;

/**
 * The pipeline's front gate: a tick of an unknown symbol, an invalid tick
 * (`validateTick`) or a spike (`SpikeFilter`) is counted by reason, published
 * as `tick.rejected` and goes no further; every other tick passes.
 */
export class TickGate {
  private readonly spike: SpikeFilter | null;
  private readonly reasons: Record<string, number> = {};
  private accepted = 0;
  private rejected = 0;
  private unknownSymbol = 0;
  private spikes = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly known: (symbol: string) => boolean,
    spike: SpikeFilterOptions | false | undefined,
  ) {
    this.spike = spike === false ? null : new SpikeFilter(spike);
  }

  /** True when the tick may enter the pipeline; false after counting and publishing its rejection. */
  pass(tick: Tick): boolean {
    if (!this.known(tick.symbol)) {
      this.unknownSymbol++;
      return this.reject(tick, 'unknown symbol', `unknown symbol ${tick.symbol}`);
    }
    const reason = validateTick(tick);
    if (reason !== null) return this.reject(tick, reason, reason);
    const spike = this.spike?.check(tick) ?? null;
    if (spike !== null) {
      this.spikes++;
      return this.reject(tick, 'spike', `spike: ${spike}`);
    }
    this.accepted++;
    return true;
  }

  stats(): TickGateStats {
    return { accepted: this.accepted, rejected: this.rejected, unknownSymbol: this.unknownSymbol, spikes: this.spikes, rejectReasons: { ...this.reasons } };
  }

  private reject(tick: Tick, key: string, reason: string): false {
    this.rejected++;
    this.reasons[key] = (this.reasons[key] ?? 0) + 1;
    this.bus.publish('tick.rejected', { tick, reason, tsInit: tick.tsInit });
    return false;
  }
}
