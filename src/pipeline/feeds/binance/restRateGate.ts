import type { Clock } from '../../../core/clock/Clock.js';
import { BinanceAbortedError, BinanceRateLimitError } from './restErrors.js';

/** Clock tolerance, ms: a timer due at t may fire when the clock reads a hair under t. */
const EPS = 0.5;

/**
 * The REST client's request-weight budget and rate-limit state, shared by
 * concurrent calls: weight is reserved per minute of the injected clock
 * against a self-imposed budget (learning Binance's own figure from
 * `X-MBX-USED-WEIGHT-1M`), and after a 429/418 nothing is sent before
 * `Retry-After` has passed, so a ban never escalates.
 */
export class RestRateGate {
  private minute = -1;
  private used = 0;
  private retryAt = 0;
  private waitingCalls = 0;
  private limitedCount = 0;

  constructor(
    private readonly clock: Clock,
    /** Weight we allow ourselves per minute. */
    readonly budget: number,
  ) {}

  /** Calls waiting for the rate limit or the budget. */
  get waiting(): number {
    return this.waitingCalls;
  }

  /** 429/418 answers received. */
  get rateLimited(): number {
    return this.limitedCount;
  }

  /** Weight used in the minute of `now` (ours, or Binance's figure when higher). */
  usedWeight(now: number): number {
    return this.minute === Math.floor(now / 60_000) ? this.used : 0;
  }

  /** No request before this time (epoch ms), or null when none is pending at `now`. */
  retryAfter(now: number): number | null {
    return this.retryAt > now ? this.retryAt : null;
  }

  /** Learns the weight Binance counts for us this minute (`X-MBX-USED-WEIGHT-1M`). */
  noteWeight(header: string | null): void {
    const n = Number(header);
    if (header === null || !Number.isFinite(n)) return;
    const minute = Math.floor(this.clock.now() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
    this.used = Math.max(this.used, n);
  }

  /** A 429 or 418: holds every request until its `Retry-After` (default 1 s, 2 min for a ban); returns the error to throw. */
  limited(status: 429 | 418, retryAfter: string | null, text: string, url: string): BinanceRateLimitError {
    const sec = Number(retryAfter);
    const ms = Number.isFinite(sec) && sec >= 0 ? sec * 1000 : status === 418 ? 120_000 : 1_000;
    const now = this.clock.now();
    this.retryAt = Math.max(this.retryAt, now + ms);
    this.limitedCount++;
    return new BinanceRateLimitError(`Binance ${status === 418 ? 'banned' : 'rate-limited'} us for ${ms} ms: ${text.slice(0, 160)}`, status, ms, this.retryAt, url);
  }

  /** Waits (on the clock) until no Retry-After is pending and `weight` fits the budget, then reserves it. */
  async pass(weight: number, signal: AbortSignal | undefined): Promise<void> {
    this.waitingCalls++;
    try {
      for (;;) {
        if (signal?.aborted) throw new BinanceAbortedError('waiting for the rate limit');
        const now = this.clock.now() + EPS;
        if (this.retryAt > now) {
          await this.sleep(this.retryAt - now + EPS, signal);
          continue;
        }
        const minute = Math.floor(now / 60_000);
        if (minute !== this.minute) {
          this.minute = minute;
          this.used = 0;
        }
        if (this.used > 0 && this.used + weight > this.budget) {
          await this.sleep((minute + 1) * 60_000 - now + EPS, signal);
          continue;
        }
        this.used += weight;
        return;
      }
    } finally {
      this.waitingCalls--;
    }
  }

  private sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const cancel = this.clock.setTimeout(done, ms);
      const abort = () => {
        cancel();
        reject(new BinanceAbortedError('waiting for the rate limit'));
      };
      signal?.addEventListener('abort', abort, { once: true });
    });
  }
}
