import type { FeedState } from '../../../core/types/FeedStatus.js';
import type { GapState } from '../../../core/types/Gap.js';
import type { Mt5BridgeStatus, Mt5TerminalInfo } from './types.js';

/** Gaps whose state is remembered for the status counts; the oldest is forgotten past this. */
const MAX_GAPS = 10_000;

/** What the bridge knows beyond its counters when it reports its status. */
export type Mt5StatusContext = Readonly<{
  id: string;
  state: FeedState;
  symbols: readonly string[];
  host: string;
  port: number;
  /** Latest trade-server offset, seconds, or null before the first hello. */
  offset: number | null;
  terminal: Mt5TerminalInfo | null;
  lastSeq: number | null;
  now: number;
}>;

/**
 * The MT5 bridge's health counters: lines, ticks, drops by reason, duplicates,
 * connections, gap states, the last line's time and the last error; and the
 * status report built from them. Plain mutable fields, bumped in place on the
 * line and tick path.
 */
export class Mt5BridgeCounters {
  /** Lines received from the connected terminal. */
  frames = 0;
  /** Ticks delivered downstream. */
  ticks = 0;
  /** Malformed lines dropped. */
  dropped = 0;
  /** Re-delivered ticks dropped. */
  duplicates = 0;
  /** Terminal connections accepted since start. */
  connections = 0;
  /** Wall time of the last line from the terminal. */
  lastMessageAt: number | null = null;
  /** Why the link last closed, cleared on a new hello. */
  lastError = '';
  private readonly drops: Record<string, number> = {};
  private readonly gapState = new Map<string, GapState>();

  /** Counts a dropped line or refused tick by reason; `malformed` lines also count as dropped frames. */
  drop(reason: string, malformed: boolean): void {
    if (malformed) this.dropped++;
    this.drops[reason] = (this.drops[reason] ?? 0) + 1;
  }

  /** Records the latest state of a gap (the oldest gaps are forgotten past a bound). */
  gap(id: string, state: GapState): void {
    this.gapState.delete(id);
    this.gapState.set(id, state);
    if (this.gapState.size > MAX_GAPS) this.gapState.delete(this.gapState.keys().next().value as string);
  }

  /** The status report: health, counters, offset and terminal. */
  status(ctx: Mt5StatusContext): Mt5BridgeStatus {
    const gaps = { open: 0, filled: 0, unfillable: 0 };
    for (const s of this.gapState.values()) gaps[s]++;
    const { offset, terminal: t } = ctx;
    const who = t ? `; terminal ${t.login}@${t.server} build ${t.build}` : '';
    const off = offset === null ? '' : `; server offset ${offset >= 0 ? '+' : ''}${offset} s`;
    const err = this.lastError ? `; last error: ${this.lastError}` : '';
    return {
      id: ctx.id,
      source: 'mt5',
      state: ctx.state,
      symbols: ctx.symbols,
      detail: `tcp ${ctx.host}:${ctx.port}${who}${off}${err}`,
      frames: this.frames,
      ticks: this.ticks,
      dropped: this.dropped,
      reconnects: Math.max(0, this.connections - 1),
      lastMessageAt: this.lastMessageAt,
      tsInit: ctx.now,
      serverUtcOffsetSec: offset,
      terminal: t,
      connections: this.connections,
      lastSeq: ctx.lastSeq,
      duplicates: this.duplicates,
      drops: { ...this.drops },
      gaps,
    };
  }
}
