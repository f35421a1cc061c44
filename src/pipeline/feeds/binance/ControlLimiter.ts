/**
 * Keeps outgoing WebSocket control messages (SUBSCRIBE, UNSUBSCRIBE, ...)
 * under Binance's incoming-message limit per connection (spot 5/s, USD-M
 * 10/s): a sliding one-second window on the injected Clock; messages over the
 * limit wait in order. Exceeding the limit gets the connection closed and,
 * repeated, the IP banned, so this is never bypassed.
 *
 * @see /work/shared/research/protocols.md A.4
 */
import type { Cancel, Clock } from '../../../core/clock/Clock.js';

/** A rate limiter for control messages of one connection. */
export class ControlLimiter {
  private readonly sentAt: number[] = [];
  private readonly queue: string[] = [];
  private timer: Cancel | null = null;

  constructor(
    private readonly clock: Clock,
    /** Messages allowed per second (default 5, spot's limit; keep a margin under USD-M's 10). */
    private readonly perSecond: number,
    /** Sends one message now; returns false if the socket cannot take it (the message is dropped). */
    private readonly sendNow: (text: string) => boolean,
  ) {}

  /** Queues a message; it goes out as soon as the window allows. */
  send(text: string): void {
    this.queue.push(text);
    this.flush();
  }

  /** Messages still waiting. */
  get pending(): number {
    return this.queue.length;
  }

  /** Drops every waiting message and the timer (connection closed). */
  clear(): void {
    this.queue.length = 0;
    this.timer?.();
    this.timer = null;
  }

  private flush(): void {
    if (this.timer) return;
    while (this.queue.length > 0) {
      const now = this.clock.monotonic();
      while (this.sentAt.length > 0 && now - (this.sentAt[0] as number) >= 1000) this.sentAt.shift();
      if (this.sentAt.length >= this.perSecond) {
        const wait = 1000 - (now - (this.sentAt[0] as number));
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.flush();
        }, wait);
        return;
      }
      this.sentAt.push(now);
      this.sendNow(this.queue.shift() as string);
    }
  }
}
