import type { Cancel, Clock } from './Clock.js';

/** The system clock. The only place in the code base that reads the time. */
export class LiveClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return () => clearTimeout(handle);
  }

  setInterval(fn: () => void, ms: number): Cancel {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return () => clearInterval(handle);
  }
}
