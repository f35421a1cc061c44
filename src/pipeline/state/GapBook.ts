import type { Gap } from '../../core/index.js';

/** Gap flags of one symbol, as every market answer carries them. */
export type GapSummary = Readonly<{ open: readonly Gap[]; filled: number; unfillable: readonly Gap[] }>;

const KEEP_CLOSED = 200;

/**
 * Every gap the feeds reported, by symbol: the ones still open, how many were
 * filled, and the ones that could not be filled (kept, bounded, so answers can
 * say which ranges are missing).
 */
export class GapBook {
  private readonly open = new Map<string, Gap>();
  private readonly unfillable: Gap[] = [];
  private readonly filled = new Map<string, number>();

  /** Records a new or updated gap. */
  apply(gap: Gap): void {
    if (gap.state === 'open') {
      this.open.set(gap.id, gap);
      return;
    }
    this.open.delete(gap.id);
    if (gap.state === 'filled') {
      this.filled.set(gap.symbol, (this.filled.get(gap.symbol) ?? 0) + 1);
      return;
    }
    this.unfillable.push(gap);
    if (this.unfillable.length > KEEP_CLOSED) this.unfillable.shift();
  }

  /** Gap flags of a symbol. */
  summary(symbol: string): GapSummary {
    return {
      open: [...this.open.values()].filter((g) => g.symbol === symbol),
      filled: this.filled.get(symbol) ?? 0,
      unfillable: this.unfillable.filter((g) => g.symbol === symbol),
    };
  }
}
