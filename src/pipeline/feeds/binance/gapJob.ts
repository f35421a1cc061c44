import type { Cancel, Clock } from '../../../core/clock/Clock.js';
import type { SkippedRange, TradeLane } from './TradeSequencer.js';

/** A range of ids a job could not fill, and why. */
export type Missing = SkippedRange & { why: string };

/**
 * One gap-fill job: the hole of one symbol's trade lane being filled from
 * REST, from the lane's next id (and time) when it started, with what was
 * given up, its failure streak and a way to abort its request or cut its
 * retry wait short.
 */
export type GapJob = {
  lane: TradeLane;
  /** Gap id: `<feed>:<symbol>:aggTrade:<fromSeq>`. */
  id: string;
  reason: string;
  fromSeq: number;
  toSeq: number | null;
  from: number;
  to: number;
  /** Reported `open` (there is a held live id bounding the hole). */
  opened: boolean;
  /** No hole: REST has nothing newer (catch-up after an outage). */
  caughtUp: boolean;
  recoveredAtStart: number;
  missing: Missing[];
  done: boolean;
  /** Monotonic time of the first failure of the current streak, or null. */
  failingSince: number | null;
  /** Retries so far (the backoff exponent). */
  attempt: number;
  lastError: string;
  ac: AbortController;
  /** Ends the current retry wait now, when one runs. */
  wake: (() => void) | null;
};

/** A new job for a lane's hole, starting at its next expected id. */
export function newGapJob(feed: string, lane: TradeLane, reason: string): GapJob {
  return {
    lane,
    id: `${feed}:${lane.symbol}:aggTrade:${lane.next}`,
    reason,
    fromSeq: lane.next,
    toSeq: null,
    from: lane.lastTsEvent,
    to: lane.lastTsEvent,
    opened: false,
    caughtUp: false,
    recoveredAtStart: lane.recovered,
    missing: [],
    done: false,
    failingSince: null,
    attempt: 0,
    lastError: '',
    ac: new AbortController(),
    wake: null,
  };
}

/** Waits the job's next retry delay (first `initial`, doubling up to `max`) on the clock; `job.wake()` ends it early. */
export function retryWait(job: GapJob, clock: Clock, retryMs: Readonly<{ initial: number; max: number }>): Promise<void> {
  const delay = Math.min(retryMs.max, retryMs.initial * 2 ** job.attempt++);
  return new Promise<void>((resolve) => {
    let cancel: Cancel = () => {};
    job.wake = () => {
      cancel();
      job.wake = null;
      resolve();
    };
    cancel = clock.setTimeout(() => job.wake?.(), delay);
  });
}
