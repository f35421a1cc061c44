import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import { randomUUID } from 'node:crypto';
import { InvalidRequestError, TemporaryError } from '../../../core/errors.js';
import { MT5_PROTOCOL_VERSION, TRADING_TYPES, UtpMessageSchema, type RespMessage, type UtpMessage } from './schema.js';
import type { Mt5RequestInput } from './types.js';

/** The link to the terminal closed while a request waited; the request may be retried on the next connection. */
export class LinkClosedError extends TemporaryError {}

/**
 * The wire line of a request to the terminal: the input with protocol
 * version, `seq`, whole-ms `ts` and `reqId`, plus an idempotency key for a
 * trading request that has none. An `InvalidRequestError` (returned, not
 * thrown) when the schema refuses it.
 */
export function requestMessage(input: Mt5RequestInput, seq: number, now: number, reqId: string): UtpMessage | InvalidRequestError {
  const trading = (TRADING_TYPES as readonly string[]).includes(input.type);
  const key = trading && !('idempotencyKey' in input && input.idempotencyKey) ? { idempotencyKey: randomUUID() } : {};
  const message = { v: MT5_PROTOCOL_VERSION, ...input, ...key, seq, ts: Math.floor(now), reqId }; // `ts` is whole ms on the wire
  const checked = UtpMessageSchema.safeParse(message);
  if (!checked.success) return new InvalidRequestError(`bad MT5 ${input.type} request: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return message as UtpMessage;
}

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
