/** Tuning of one symbol's pair book. */
export type PairBookOptions = Readonly<{
  /** Oldest a broker quote in force may be when a Binance price is paired with it, ms. */
  pairWindowMs: number;
  /** At most one pair per this many ms of venue time (time sampling, so bursts do not dominate), ms. */
  minPairSpacingMs: number;
  /** Pairs kept (ring buffer). */
  maxPairs: number;
  /** Broker quotes kept for as-of lookups of late Binance prices. */
  brokerHistory?: number;
  /** Binance prices kept while waiting for the broker stream to reach their time. */
  maxPending?: number;
  /**
   * How long a Binance price waits for the broker stream to reach its time
   * before the broker's silence is taken as "quote unchanged" and it is paired
   * with the latest broker quote, ms (covers the bridge's delivery lag).
   */
  brokerGraceMs: number;
}>;

/** Counters of a pair book. */
export type PairBookStats = Readonly<{ pairs: number; tooOld: number; sampledOut: number; noBroker: number; outOfOrder: number; pendingDropped: number }>;

class Ring {
  readonly ts: Float64Array;
  readonly v: Float64Array;
  readonly w: Float64Array;
  head = 0;
  size = 0;
  constructor(readonly capacity: number) {
    this.ts = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.w = new Float64Array(capacity);
  }
  push(ts: number, v: number, w = 0): void {
    this.ts[this.head] = ts;
    this.v[this.head] = v;
    this.w[this.head] = w;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }
  /** Physical index of the i-th newest entry (0 = newest). */
  at(i: number): number {
    return (this.head - 1 - i + 2 * this.capacity) % this.capacity;
  }
}

/**
 * Pairs one symbol's Binance prices with the broker mid in force at the same
 * venue instant (an as-of join: the latest broker quote at or before the
 * Binance price's time, no older than `pairWindowMs`). A Binance price newer
 * than the broker stream waits until the broker reaches its time, so the pair
 * is the same whichever feed's frame arrives first. Each pair is
 * `broker mid - Binance price`; pairs are time-sampled (`minPairSpacingMs`)
 * and kept in a bounded ring. Broker quotes are assumed in venue-time order
 * per source (an older one is counted and ignored).
 */
export class PairBook {
  private readonly pairs: Ring;
  private readonly broker: Ring;
  private pendTs: number[] = [];
  private pendPx: number[] = [];
  private lastPairTs = Number.NEGATIVE_INFINITY;
  private counts = { pairs: 0, tooOld: 0, sampledOut: 0, noBroker: 0, outOfOrder: 0, pendingDropped: 0 };

  constructor(private readonly options: PairBookOptions) {
    this.pairs = new Ring(Math.max(1, options.maxPairs));
    this.broker = new Ring(Math.max(2, options.brokerHistory ?? 512));
  }

  /** Venue time of the newest broker quote, or -Infinity before the first. */
  get brokerTs(): number {
    return this.broker.size === 0 ? Number.NEGATIVE_INFINITY : (this.broker.ts[this.broker.at(0)] as number);
  }

  /** Takes one broker quote (mid and spread) at venue time `ts`. */
  addBroker(ts: number, mid: number, spread: number): void {
    if (ts < this.brokerTs) {
      this.counts.outOfOrder++;
      return;
    }
    const prevTs = this.brokerTs;
    const prevMid = this.broker.size === 0 ? Number.NaN : (this.broker.v[this.broker.at(0)] as number);
    this.broker.push(ts, mid, spread);
    if (this.pendTs.length === 0) return;
    const keepTs: number[] = [];
    const keepPx: number[] = [];
    for (let i = 0; i < this.pendTs.length; i++) {
      const t = this.pendTs[i] as number;
      const px = this.pendPx[i] as number;
      if (t > ts) {
        keepTs.push(t);
        keepPx.push(px);
      } else if (t === ts) this.pair(t, px, ts, mid);
      else if (Number.isFinite(prevTs) && prevTs <= t) this.pair(t, px, prevTs, prevMid);
      else this.counts.noBroker++;
    }
    this.pendTs = keepTs;
    this.pendPx = keepPx;
  }

  /** Takes one Binance price at venue time `ts`; pairs it now or once the broker stream reaches `ts`. */
  addBinance(ts: number, price: number): void {
    if (ts > this.brokerTs) {
      this.pendTs.push(ts);
      this.pendPx.push(price);
      const max = this.options.maxPending ?? 4096;
      if (this.pendTs.length > max) {
        // Drop the older half at once (amortised O(1) per tick), not one element per tick, while the broker is silent.
        const drop = this.pendTs.length - (max >> 1);
        this.pendTs.splice(0, drop);
        this.pendPx.splice(0, drop);
        this.counts.pendingDropped += drop;
      }
      return;
    }
    for (let i = 0; i < this.broker.size; i++) {
      const k = this.broker.at(i);
      const bts = this.broker.ts[k] as number;
      if (bts <= ts) return this.pair(ts, price, bts, this.broker.v[k] as number);
    }
    this.counts.noBroker++;
  }

  /**
   * Pairs every waiting Binance price at least `brokerGraceMs` older than
   * `now` with the broker quote in force (the latest; the broker has been
   * silent since). Runs before each calibration.
   */
  settle(now: number): void {
    if (this.pendTs.length === 0) return;
    const cutoff = now - this.options.brokerGraceMs;
    const bts = this.brokerTs;
    const mid = this.broker.size === 0 ? Number.NaN : (this.broker.v[this.broker.at(0)] as number);
    const keepTs: number[] = [];
    const keepPx: number[] = [];
    for (let i = 0; i < this.pendTs.length; i++) {
      const t = this.pendTs[i] as number;
      const px = this.pendPx[i] as number;
      if (t > cutoff) {
        keepTs.push(t);
        keepPx.push(px);
      } else if (Number.isFinite(bts)) this.pair(t, px, bts, mid);
      else this.counts.noBroker++;
    }
    this.pendTs = keepTs;
    this.pendPx = keepPx;
  }

  /** Pair values (broker - Binance) whose Binance time is in (from, to], oldest first, and the time range they span. */
  pairsIn(from: number, to: number): { values: number[]; first: number; last: number } {
    const values: number[] = [];
    let first = Number.NaN;
    let last = Number.NaN;
    for (let i = this.pairs.size - 1; i >= 0; i--) {
      const k = this.pairs.at(i);
      const t = this.pairs.ts[k] as number;
      if (t <= from || t > to) continue;
      values.push(this.pairs.v[k] as number);
      if (Number.isNaN(first)) first = t;
      last = t;
    }
    return { values, first, last };
  }

  /** Median broker spread (ask - bid) over the kept broker quotes, or null before any. */
  brokerSpread(): number | null {
    if (this.broker.size === 0) return null;
    const s: number[] = [];
    for (let i = 0; i < this.broker.size; i++) s.push(this.broker.w[this.broker.at(i)] as number);
    s.sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  }

  stats(): PairBookStats {
    return { ...this.counts };
  }

  private pair(t: number, price: number, brokerTs: number, brokerMid: number): void {
    if (t - brokerTs > this.options.pairWindowMs) {
      this.counts.tooOld++;
      return;
    }
    if (t - this.lastPairTs < this.options.minPairSpacingMs) {
      this.counts.sampledOut++;
      return;
    }
    this.lastPairTs = t;
    this.pairs.push(t, brokerMid - price);
    this.counts.pairs++;
  }
}
