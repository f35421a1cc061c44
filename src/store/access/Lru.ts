/**
 * A small least-recently-used cache with a weight budget (e.g. rows held):
 * the access layer keeps hot closed ranges (archived days, which never
 * change) here so repeated reads skip the archive. Insertion order of a Map
 * is the recency order.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxWeight: number) {}

  /** The cached value (now the most recent), or undefined. */
  get(key: K): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  /** Caches a value; evicts the least recent entries beyond the budget. An entry heavier than the whole budget is not kept. */
  set(key: K, value: V, weight = 1): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.weight;
      this.map.delete(key);
    }
    if (weight > this.maxWeight) return;
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [k, e] of this.map) {
      if (this.total <= this.maxWeight) break;
      this.map.delete(k);
      this.total -= e.weight;
    }
  }

  /** Entries and weight held. */
  stats(): { entries: number; weight: number; hits: number; misses: number } {
    return { entries: this.map.size, weight: this.total, hits: this.hits, misses: this.misses };
  }
}

/** Reads through an LRU: a concurrent read of the same key shares one promise. */
export class AsyncLru<K, V> {
  private readonly lru: Lru<K, V>;
  private readonly pending = new Map<K, Promise<V>>();

  constructor(maxWeight: number, private readonly weigh: (value: V) => number) {
    this.lru = new Lru<K, V>(maxWeight);
  }

  /** The cached value, or `load()`'s result (cached once it resolves). */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.lru.get(key);
    if (hit !== undefined) return hit;
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = load().then(
      (v) => {
        this.pending.delete(key);
        this.lru.set(key, v, this.weigh(v));
        return v;
      },
      (e: unknown) => {
        this.pending.delete(key);
        throw e;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  stats(): { entries: number; weight: number; hits: number; misses: number } {
    return this.lru.stats();
  }
}
