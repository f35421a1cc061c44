/**
 * One stream of ticks of a symbol that starts on a millisecond boundary: the
 * live stream of one connection, or one history answer. Within a session a
 * key seen N times before counts as a re-delivery for its first N
 * occurrences, so ticks that legitimately repeat inside one millisecond
 * (A, B, A) survive while a re-sent range is dropped.
 */
export interface DedupeSession {
  /** True when this occurrence of `key` was already delivered. */
  isDuplicate(key: string): boolean;
  /** Ends the session (its counts stop following evictions). */
  close(): void;
}

/**
 * Bounded duplicate filter for one symbol's MT5 ticks keyed by
 * `(tmsc, bid, ask, last, flags)`: a multiset of the last `capacity`
 * delivered keys, consumed per `DedupeSession`. Memory stays bounded; a
 * re-delivery older than the window is the caller's to reject (by time).
 */
export class TickDedupe {
  private readonly seen = new Map<string, number>();
  private fifo: string[] = [];
  private head = 0;
  private readonly sessions = new Set<Map<string, number>>();

  constructor(private readonly capacity = 10_000) {}

  /** Starts a session (a stream starting on a millisecond boundary). */
  openSession(): DedupeSession {
    const consumed = new Map<string, number>();
    this.sessions.add(consumed);
    return {
      isDuplicate: (key) => this.check(consumed, key),
      close: () => {
        this.sessions.delete(consumed);
      },
    };
  }

  /** Keys currently remembered. */
  size(): number {
    return this.fifo.length - this.head;
  }

  private check(consumed: Map<string, number>, key: string): boolean {
    const used = consumed.get(key) ?? 0;
    const have = this.seen.get(key) ?? 0;
    consumed.set(key, used + 1);
    if (used < have) return true;
    this.seen.set(key, have + 1);
    this.fifo.push(key);
    if (this.fifo.length - this.head > this.capacity) this.evictOldest();
    return false;
  }

  private evictOldest(): void {
    const key = this.fifo[this.head++] as string;
    if (this.head > 4096 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
    const n = (this.seen.get(key) ?? 1) - 1;
    if (n <= 0) this.seen.delete(key);
    else this.seen.set(key, n);
    for (const consumed of this.sessions) {
      const c = consumed.get(key);
      if (c === undefined) continue;
      if (c <= 1) consumed.delete(key);
      else consumed.set(key, c - 1);
    }
  }
}
