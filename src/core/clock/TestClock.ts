import type { Cancel, Clock } from './Clock.js';

type Timer = { id: number; at: number; every: number | null; fn: () => void };

/**
 * A clock that only moves when told. `advance(ms)` fires due timers in time
 * order; `jumpWall(ms)` moves the wall clock without the monotonic clock, as a
 * laptop waking from sleep does.
 */
export class TestClock implements Clock {
  private wall: number;
  private mono = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2024, 0, 1)) {
    this.wall = startMs;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Moves both clocks forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.wall += due.at - this.mono;
      this.mono = due.at;
      if (due.every === null) this.timers = this.timers.filter((t) => t !== due);
      else due.at += due.every;
      due.fn();
    }
    this.wall += target - this.mono;
    this.mono = target;
  }

  /** Moves only the wall clock (sleep, VM pause, NTP step). */
  jumpWall(ms: number): void {
    this.wall += ms;
  }

  /** Sets the wall clock to an absolute time. */
  setWall(ms: number): void {
    this.wall = ms;
  }

  /** Number of pending timers. */
  pending(): number {
    return this.timers.length;
  }

  private add(fn: () => void, ms: number, every: number | null): Cancel {
    const timer: Timer = { id: this.nextId++, at: this.mono + Math.max(0, ms), every, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
}
