import type { Clock } from '../../../core/clock/Clock.js';
import { ControlLimiter } from './ControlLimiter.js';
import { symbolsOf } from './streamSupport.js';

/** A live subscription change. */
type ControlMethod = 'SUBSCRIBE' | 'UNSUBSCRIBE';

/**
 * The stream names a Binance connection carries and the canonical symbols
 * they serve; live SUBSCRIBE/UNSUBSCRIBE go out through a rate limiter, and
 * every later connection opens with the current list in its URL. A socket
 * that was opened with an older list catches up with one SUBSCRIBE.
 */
export class StreamSubscriptions {
  private readonly list: string[];
  private served: readonly string[];
  private readonly limiter: ControlLimiter;
  private controlId = 1;

  constructor(
    streams: readonly string[],
    private readonly symbolMap: Readonly<Record<string, string>>,
    clock: Clock,
    controlPerSecond: number,
    /** Sends a control text on the current socket; false when it is not open. */
    sendNow: (text: string) => boolean,
  ) {
    this.list = [...streams];
    this.served = symbolsOf(this.list, symbolMap);
    this.limiter = new ControlLimiter(clock, controlPerSecond, sendNow);
  }

  /** Current stream names. */
  get streams(): readonly string[] {
    return this.list;
  }

  /** Canonical symbols the current streams serve. */
  get symbols(): readonly string[] {
    return this.served;
  }

  /** Control messages waiting for the rate limit. */
  get pendingControl(): number {
    return this.limiter.pending;
  }

  /** Adds streams; a SUBSCRIBE goes out (rate-limited) when the socket is `open`. */
  subscribe(streams: readonly string[], open: boolean): void {
    this.control('SUBSCRIBE', streams.filter((s) => !this.list.includes(s)), open);
  }

  /** Removes streams; an UNSUBSCRIBE goes out (rate-limited) when the socket is `open`. */
  unsubscribe(streams: readonly string[], open: boolean): void {
    this.control('UNSUBSCRIBE', streams.filter((s) => this.list.includes(s)), open);
  }

  /** The SUBSCRIBE a socket opened with `openedWith` needs to carry the current streams, or null. */
  catchUp(openedWith: readonly string[]): string | null {
    const missing = this.list.filter((s) => !openedWith.includes(s));
    return missing.length > 0 ? JSON.stringify({ method: 'SUBSCRIBE', params: missing, id: this.controlId++ }) : null;
  }

  /** Forgets queued control messages (their socket is gone). */
  clearQueue(): void {
    this.limiter.clear();
  }

  private control(method: ControlMethod, params: string[], open: boolean): void {
    if (params.length === 0) return;
    if (method === 'SUBSCRIBE') this.list.push(...params);
    else for (const p of params) this.list.splice(this.list.indexOf(p), 1);
    this.served = symbolsOf(this.list, this.symbolMap);
    if (open) this.limiter.send(JSON.stringify({ method, params, id: this.controlId++ }));
  }
}
