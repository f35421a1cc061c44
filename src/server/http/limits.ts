import type { IncomingMessage } from 'node:http';
import * as z from 'zod';
import type { Clock } from '../../core/index.js';

/**
 * Fields of the HTTP hardening, to spread flat into the config's `http`
 * object (`http.bodyLimitBytes`, `http.rateLimit`): the largest request body
 * accepted (bigger answers 413) and the per-client token bucket (exceeding
 * answers 429 with Retry-After). `rateLimit: null` turns rate limiting off.
 */
export const httpHardeningFields = {
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest request body accepted, bytes (default 1 MiB); larger bodies answer 413, on /mcp as on /api'),
  rateLimit: z
    .object({
      perSecond: z.number().positive().max(1_000_000).default(50).describe('Requests a client may make per second, sustained'),
      burst: z.number().int().min(1).max(1_000_000).default(100).describe('Requests a client may make at once before the sustained rate applies'),
    })
    .strict()
    .nullable()
    .prefault({})
    .describe('Token bucket per client (remote address, plus the verified bearer token); null disables it'),
};

/** The same fields as one config section (e.g. `http.hardening`), all defaulted. */
export const httpHardeningSchema = z.object(httpHardeningFields).strict().prefault({});

/** The parsed hardening settings. */
export type HttpHardening = z.infer<typeof httpHardeningSchema>;

/** The default hardening (what an empty config section parses to). */
export const DEFAULT_HTTP_HARDENING: HttpHardening = httpHardeningSchema.parse(undefined);

/** Thrown when a request body exceeds the limit; the HTTP layer answers 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** True when the declared Content-Length exceeds `limit` (an unparsable value counts as too large). */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const header = req.headers['content-length'];
  if (header === undefined) return false;
  const n = Number(header);
  return !Number.isFinite(n) || n < 0 || n > limit;
}

/**
 * Reads a request body, refusing early: a declared Content-Length above the
 * limit throws before a byte is read, and a streamed (chunked) body throws as
 * soon as the running total passes the limit, without buffering the rest.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaredTooLarge(req, limit)) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Outcome of one rate-limit check. */
export type RateDecision = Readonly<{ allowed: true }> | Readonly<{ allowed: false; retryAfterSeconds: number }>;

/**
 * Token buckets keyed by client: each holds up to `burst` tokens, refills at
 * `perSecond` on the monotonic clock, and each request takes one. A client
 * without a token waits `Retry-After` seconds (rounded up, at least 1). Full
 * idle buckets are forgotten once more than `maxClients` are held, so memory
 * stays bounded under address churn.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly clock: Clock,
    readonly perSecond: number,
    readonly burst: number,
    private readonly maxClients = 10_000,
  ) {}

  /** Takes one token for `key`, or says how long to wait. */
  take(key: string): RateDecision {
    const now = this.clock.monotonic();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.perSecond) / 1000);
    b.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, b); // most recently used last
    if (this.buckets.size > this.maxClients) this.evict(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond)) };
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (this.buckets.size <= this.maxClients) return;
      const refilled = b.tokens + (Math.max(0, now - b.at) * this.perSecond) / 1000;
      if (refilled >= this.burst) this.buckets.delete(key);
    }
    // Still too many: every client is mid-burst; drop the least recently seen.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxClients) return;
      this.buckets.delete(key);
    }
  }
}
