import type { Cancel, Clock } from '../../../core/clock/Clock.js';

/**
 * The two timers of a Binance stream connection, on the injected clock:
 * the reconnect retry, with jittered exponential backoff after failures in a
 * row (min(max, initial × 2^(n-1)) × (0.5 + 0.5 × random); a connection that
 * delivers a frame resets the count), and the scheduled rotation.
 */
export class ReconnectTimers {
  private failures = 0;
  private retryTimer: Cancel | null = null;
  private rotateTimer: Cancel | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly initialMs: number,
    private readonly maxMs: number,
    /** Jitter source in [0, 1), read at each retry (default Math.random). */
    private readonly random: (() => number) | undefined,
  ) {}

  /** A connection worked: the next failure starts from the first delay again. */
  connected(): void {
    this.failures = 0;
  }

  /** Counts one more failure and runs `reconnect` once after the backoff delay (replacing a pending retry). */
  retry(reconnect: () => void): void {
    this.failures++;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** (this.failures - 1));
    const delay = Math.round(base * (0.5 + 0.5 * (this.random ?? Math.random)()));
    this.retryTimer?.();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      reconnect();
    }, delay);
  }

  /** Runs `rotate` once after `ms` (replacing a pending rotation); 0, a negative or an infinite `ms` only cancels. */
  rotateIn(ms: number, rotate: () => void): void {
    this.rotateTimer?.();
    this.rotateTimer = null;
    if (!(ms > 0) || ms === Infinity) return;
    this.rotateTimer = this.clock.setTimeout(() => {
      this.rotateTimer = null;
      rotate();
    }, ms);
  }

  /** Cancels both timers. */
  cancel(): void {
    this.retryTimer?.();
    this.rotateTimer?.();
    this.retryTimer = this.rotateTimer = null;
  }
}
