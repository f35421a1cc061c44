/**
 * Load management input: the event-loop delay measured by
 * `perf_hooks.monitorEventLoopDelay`, reported in the system status. Under
 * load (TODO) analysis work would be deferred or answered from cache; DTMS
 * decisions are never deferred.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoopDelay } from './types.js';

/** Measures event-loop delay while started. */
export class LoadMonitor {
  private histogram: IntervalHistogram | null = null;

  constructor(private readonly resolutionMs = 20) {}

  /** Starts sampling; a second call does nothing. */
  start(): void {
    if (this.histogram !== null) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
  }

  /** Stops sampling; safe to call twice. */
  stop(): void {
    this.histogram?.disable();
    this.histogram = null;
  }

  /**
   * Percentiles since start, in ms beyond the sampling interval (the
   * histogram measures each timer's total wait, which includes the
   * resolution); null when not started or nothing sampled yet.
   */
  delay(): LoopDelay | null {
    const h = this.histogram;
    if (h === null || h.count === 0) return null;
    const ms = (ns: number): number => Number(Math.max(0, ns / 1e6 - this.resolutionMs).toFixed(3));
    return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
  }
}
