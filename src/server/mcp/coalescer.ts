import type { Cancel, Clock } from '../../core/index.js';

/**
 * Rate-limits notifications per key: the first change of a quiet key is
 * emitted at once, changes inside the following `intervalMs` collapse into a
 * single trailing emission at the end of that window (which opens a new
 * window). So a key is emitted at most once per interval and its last change
 * is never lost. Time comes from the injected `Clock` (tests use `TestClock`).
 */
export class Coalescer {
  private readonly windows = new Map<string, { pending: boolean; cancel: Cancel }>();

  constructor(
    private readonly clock: Clock,
    private readonly emit: (key: string) => void,
    private readonly intervalMs = 1_000,
  ) {}

  /** Records a change of `key`: emits now when the key is quiet, else once when its window ends. */
  push(key: string): void {
    const window = this.windows.get(key);
    if (window) {
      window.pending = true;
      return;
    }
    this.fire(key);
  }

  /** Keys with an open window (emitted within the last interval). */
  active(): number {
    return this.windows.size;
  }

  /** Drops every open window and pending emission. */
  close(): void {
    for (const w of this.windows.values()) w.cancel();
    this.windows.clear();
  }

  private fire(key: string): void {
    const window = { pending: false, cancel: (() => {}) as Cancel };
    this.windows.set(key, window);
    window.cancel = this.clock.setTimeout(() => {
      this.windows.delete(key);
      if (window.pending) this.fire(key);
    }, this.intervalMs);
    this.emit(key);
  }
}
