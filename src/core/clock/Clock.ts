/** Cancels a scheduled timer. */
export type Cancel = () => void;

/**
 * The only way components learn the time or schedule work. `LiveClock` reads
 * the system; `TestClock` is advanced by tests, so no test sleeps for real.
 */
export interface Clock {
  /** Wall-clock time, epoch ms UTC. */
  now(): number;
  /** Monotonic time in ms (never jumps with the wall clock); used to detect sleep. */
  monotonic(): number;
  /** Runs `fn` once after `ms`. */
  setTimeout(fn: () => void, ms: number): Cancel;
  /** Runs `fn` every `ms` until cancelled. */
  setInterval(fn: () => void, ms: number): Cancel;
}
