/**
 * Load management input: the event-loop delay measured by
 * `perf_hooks.monitorEventLoopDelay`, reported in the system status since
 * start (`delay`) and over a recent window (`recent`, when a clock rotates the
 * window). `loadView` turns it into the tools' load signal: while the recent
 * p99 is above a threshold, analysis work is answered from cache or deferred;
 * DTMS decisions are never deferred.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Cancel, Clock } from '../../core/index.js';
import type { LoopDelay } from './types.js';

/** Options of the monitor's recent window. */
export type LoadWindowOptions = Readonly<{
  /** Rotates the recent window; without it `recent()` covers the time since start. */
  clock?: Clock;
  /** Length of one window, ms (default 5000): `recent()` covers the last complete window and the current one. */
  windowMs?: number;
}>;

/** Measures event-loop delay while started. */
export class LoadMonitor {
  private histogram: IntervalHistogram | null = null;
  private current: IntervalHistogram | null = null;
  private previous: LoopDelay | null = null;
  private stopRotation: Cancel | null = null;

  constructor(
    private readonly resolutionMs = 20,
    private readonly window: LoadWindowOptions = {},
  ) {}

  /** Starts sampling; a second call does nothing. */
  start(): void {
    if (this.histogram !== null) return;
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    const clock = this.window.clock;
    if (clock) {
      this.current = monitorEventLoopDelay({ resolution: this.resolutionMs });
      this.current.enable();
      this.stopRotation = clock.setInterval(() => this.rotate(), this.window.windowMs ?? 5_000);
    }
  }

  /** Stops sampling; safe to call twice. */
  stop(): void {
    this.histogram?.disable();
    this.histogram = null;
    this.current?.disable();
    this.current = null;
    this.previous = null;
    this.stopRotation?.();
    this.stopRotation = null;
  }

  /**
   * Percentiles since start, in ms beyond the sampling interval (the
   * histogram measures each timer's total wait, which includes the
   * resolution); null when not started or nothing sampled yet.
   */
  delay(): LoopDelay | null {
    return this.read(this.histogram);
  }

  /**
   * The recent delay: per percentile the worse of the last complete window
   * and the current one (so a spike counts for one to two windows); the delay
   * since start when no clock rotates windows; null before any sample.
   */
  recent(): LoopDelay | null {
    if (this.current === null) return this.delay();
    const now = this.read(this.current);
    const prev = this.previous;
    if (now === null || prev === null) return now ?? prev;
    return { p50Ms: Math.max(now.p50Ms, prev.p50Ms), p99Ms: Math.max(now.p99Ms, prev.p99Ms), maxMs: Math.max(now.maxMs, prev.maxMs), meanMs: Math.max(now.meanMs, prev.meanMs) };
  }

  private rotate(): void {
    if (this.current === null) return;
    this.previous = this.read(this.current);
    this.current.reset();
  }

  private read(h: IntervalHistogram | null): LoopDelay | null {
    if (h === null || h.count === 0) return null;
    const ms = (ns: number): number => Number(Math.max(0, ns / 1e6 - this.resolutionMs).toFixed(3));
    return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
  }
}

/** The load signal tools read (structurally the tools' `LoadView`). */
export type LoadSignal = Readonly<{
  /** True while the recent event-loop p99 delay is above the threshold. */
  busy(): boolean;
  /** Event-loop delay since start, for status answers. */
  delay(): LoopDelay | null;
}>;

/**
 * The tools' load view over a monitor: busy while its recent p99 delay
 * (`recent()`) is above `thresholdMs`. Wire it as `ToolContext.load`.
 */
export function loadView(monitor: Pick<LoadMonitor, 'recent' | 'delay'>, thresholdMs: number): LoadSignal {
  return {
    busy: () => (monitor.recent()?.p99Ms ?? 0) > thresholdMs,
    delay: () => monitor.delay(),
  };
}
