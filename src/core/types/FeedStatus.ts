import type { Source } from './Source.js';

/** Connection state of one feed. */
export type FeedState = 'starting' | 'connected' | 'disconnected' | 'replaying' | 'stopped' | 'waiting';

/**
 * Health of one feed (a Binance connection group or the MT5 bridge), as the
 * status tool and every market answer report it.
 */
export type FeedStatus = Readonly<{
  /** Stable feed id, e.g. `binance-spot`. */
  id: string;
  source: Source;
  state: FeedState;
  /** Canonical symbols this feed serves. */
  symbols: readonly string[];
  /** Human-readable detail (e.g. replay speed and loop count, last error). */
  detail: string;
  /** Frames received since start. */
  frames: number;
  /** Ticks produced since start. */
  ticks: number;
  /** Frames counted and dropped as malformed since start. */
  dropped: number;
  /** Reconnects since start. */
  reconnects: number;
  /** Time of the last frame, epoch ms, or null. */
  lastMessageAt: number | null;
  tsInit: number;
}>;
