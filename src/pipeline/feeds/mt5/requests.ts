import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { TemporaryError } from '../../../core/errors.js';
import type { RespMessage } from './schema.js';

/** The link to the terminal closed while a request waited; the request may be retried on the next connection. */
export class LinkClosedError extends TemporaryError {}

type Pending = { resolve: (resp: RespMessage) => void; reject: (error: Error) => void; cancel: Cancel };

/**
 * Requests sent to the terminal and waiting for their `resp`, by `reqId`.
 * Each one times out on the injected clock (rejected with `TemporaryError`);
 * a closed link rejects them all. A late or unknown answer is reported, not
 * thrown.
 */
export class PendingRequests {
  private readonly map = new Map<string, Pending>();

  constructor(private readonly clock: Clock) {}

  /** Registers a request; the promise settles with its answer, a timeout or a closed link. */
  add(reqId: string, timeoutMs: number, what: string): Promise<RespMessage> {
    return new Promise<RespMessage>((resolve, reject) => {
      const cancel = this.clock.setTimeout(() => {
        if (this.map.delete(reqId)) reject(new TemporaryError(`MT5 ${what} ${reqId}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.map.set(reqId, { resolve, reject, cancel });
    });
  }

  /** Settles the request a `resp` answers; false when no request waits for it (late or unknown). */
  settle(resp: RespMessage): boolean {
    const p = this.map.get(resp.reqId);
    if (p === undefined) return false;
    this.map.delete(resp.reqId);
    p.cancel();
    p.resolve(resp);
    return true;
  }

  /** Withdraws one request (its send failed). */
  fail(reqId: string, error: Error): void {
    const p = this.map.get(reqId);
    if (p === undefined) return;
    this.map.delete(reqId);
    p.cancel();
    p.reject(error);
  }

  /** Rejects every waiting request (link closed, bridge stopped). */
  rejectAll(error: Error): void {
    const all = [...this.map.values()];
    this.map.clear();
    for (const p of all) {
      p.cancel();
      p.reject(error);
    }
  }

  /** Requests waiting for an answer. */
  size(): number {
    return this.map.size;
  }
}
