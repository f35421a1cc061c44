import type { Source, SymbolSpec, Tick } from '../../core/index.js';

/** A change of a symbol's active source. */
export type SourceSwitch = Readonly<{ symbol: string; from: Source | null; to: Source | null; reason: string }>;

type SymbolState = {
  spec: SymbolSpec;
  live: Set<Source>;
  active: Source | null;
  lastFused: number;
  standby: Tick[];
  /** The primary is back but still catching up (gap-fill): switch once one of its ticks is newer than the last fused one. */
  failback: string | null;
  behind: number;
};

/** Standby ticks kept per symbol so a failover continues from where the old source stopped. */
const STANDBY_KEEP = 512;

/**
 * Decides, per symbol, which source feeds the unified stream: the primary
 * while it is live, otherwise the other configured source, and back to the
 * primary when it returns. Ticks of the active source pass, expressed in
 * broker terms (a Binance price plus the calibrated offset, which the fused
 * tick records); ticks of a standby source do not enter the fused stream but
 * are kept briefly, so that when the active source fails the standby's ticks
 * since the last fused tick are emitted first: the stream goes on without a gap.
 */
export class Fuser {
  private readonly symbols = new Map<string, SymbolState>();

  constructor(
    specs: readonly SymbolSpec[],
    private readonly offsetOf: (symbol: string) => number,
    private readonly onSwitch: (change: SourceSwitch) => void,
    private readonly emit: (tick: Tick) => void,
  ) {
    for (const spec of specs) this.symbols.set(spec.symbol, { spec, live: new Set(), active: null, lastFused: -Infinity, standby: [], failback: null, behind: 0 });
  }

  /** Marks a source live or down for a symbol (from feed health); may switch the active source. */
  setLive(symbol: string, source: Source, live: boolean, reason: string): void {
    const s = this.symbols.get(symbol);
    if (!s) return;
    if (live) s.live.add(source);
    else s.live.delete(source);
    this.decide(s, reason);
  }

  /** The source feeding the unified stream of a symbol, or null when none is live. */
  active(symbol: string): Source | null {
    return this.symbols.get(symbol)?.active ?? null;
  }

  /** Sources currently live for a symbol. */
  liveSources(symbol: string): Source[] {
    return [...(this.symbols.get(symbol)?.live ?? [])];
  }

  /**
   * Takes an accepted tick: emits it (in broker terms) when its source is
   * active, keeps it as standby otherwise. A tick from a source not yet marked
   * live marks it live (data arriving is the best proof of life).
   */
  fuse(tick: Tick): void {
    const s = this.symbols.get(tick.symbol);
    if (!s) return;
    if (!s.live.has(tick.source)) {
      s.live.add(tick.source);
      this.decide(s, `${tick.source} delivering data`);
    }
    if (s.failback !== null && tick.source === s.spec.primary && tick.tsEvent > s.lastFused) {
      this.switchTo(s, tick.source, `${s.failback}; caught up`);
    }
    if (s.active === tick.source) {
      this.pass(s, tick);
      return;
    }
    s.standby.push(tick);
    if (s.standby.length > STANDBY_KEEP) s.standby.splice(0, s.standby.length - STANDBY_KEEP);
  }

  /** Ticks of the active source older than the fused stream's last tick: kept out, so the stream never goes back in time. */
  behind(symbol: string): number {
    return this.symbols.get(symbol)?.behind ?? 0;
  }

  private pass(s: SymbolState, tick: Tick): void {
    if (tick.tsEvent < s.lastFused) {
      s.behind++;
      return;
    }
    s.lastFused = tick.tsEvent;
    if (tick.source !== 'binance') return this.emit(tick);
    const offset = this.offsetOf(tick.symbol);
    if (offset === 0) return this.emit(tick);
    this.emit({
      ...tick,
      bid: tick.bid === null ? null : tick.bid + offset,
      ask: tick.ask === null ? null : tick.ask + offset,
      last: tick.last === null ? null : tick.last + offset,
      offset,
    });
  }

  private decide(s: SymbolState, reason: string): void {
    const { primary } = s.spec;
    const next = s.live.has(primary) ? primary : ([...s.live][0] ?? null);
    if (next !== primary) s.failback = null;
    if (next === s.active) return;
    if (next === primary && s.active !== null && s.lastFused > -Infinity) {
      // Failback waits until the primary has caught up (its gap-fill replays older trades first).
      s.failback = reason;
      return;
    }
    this.switchTo(s, next, reason);
  }

  private switchTo(s: SymbolState, next: Source | null, reason: string): void {
    s.failback = null;
    const from = s.active;
    s.active = next;
    this.onSwitch({ symbol: s.spec.symbol, from, to: next, reason });
    const backlog = s.standby.filter((t) => t.source === next && t.tsEvent > s.lastFused);
    s.standby = s.standby.filter((t) => t.source !== next);
    for (const tick of backlog) this.pass(s, tick);
  }
}
