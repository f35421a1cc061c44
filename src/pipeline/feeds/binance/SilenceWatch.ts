/**
 * The silence rules of one connection: an open socket with no frame for
 * `silenceMs`, or no tick of a watched symbol for its own threshold, is dead
 * (Binance's USD-M wrong-route failure connects and then says nothing). The
 * stream's watchdog timer calls `check` every quarter of the smallest threshold;
 * activity is counted, not timed, so the hot path never reads the clock.
 */

type SymbolWatch = { limit: number; count: number; seen: number; activeAt: number };

/** Per-connection silence detector (monotonic ms in, verdict out). */
export class SilenceWatch {
  private readonly watches = new Map<string, SymbolWatch>();
  private seenFrames = 0;
  private activeAt = 0;

  constructor(
    /** No frame at all for this long = dead. */
    readonly silenceMs: number,
    /** Canonical symbol → no tick of it for this long = dead. */
    symbolSilenceMs: Readonly<Record<string, number>>,
  ) {
    for (const [symbol, limit] of Object.entries(symbolSilenceMs)) this.watches.set(symbol, { limit, count: 0, seen: 0, activeAt: 0 });
  }

  /** How often the watchdog should look, ms. */
  get periodMs(): number {
    return Math.max(1, Math.floor(Math.min(this.silenceMs, ...[...this.watches.values()].map((w) => w.limit)) / 4));
  }

  /** True when some symbol has its own threshold (then `tick` must be called per tick). */
  get perSymbol(): boolean {
    return this.watches.size > 0;
  }

  /** A (new) socket is live from `now`: every clock starts over. */
  reset(now: number): void {
    this.activeAt = now;
    for (const w of this.watches.values()) {
      w.seen = w.count;
      w.activeAt = now;
    }
  }

  /** Counts a tick of `symbol`. */
  tick(symbol: string): void {
    const w = this.watches.get(symbol);
    if (w) w.count++;
  }

  /** Given the frames received so far, the reason the socket is dead, or null. */
  check(now: number, frames: number): { why: string; symbol: string | null } | null {
    if (frames !== this.seenFrames) {
      this.seenFrames = frames;
      this.activeAt = now;
    } else if (now - this.activeAt >= this.silenceMs) {
      return { why: `no frame for ${now - this.activeAt} ms`, symbol: null };
    }
    for (const [symbol, w] of this.watches) {
      if (w.count !== w.seen) {
        w.seen = w.count;
        w.activeAt = now;
      } else if (now - w.activeAt >= w.limit) {
        return { why: `no ${symbol} tick for ${now - w.activeAt} ms`, symbol };
      }
    }
    return null;
  }
}
