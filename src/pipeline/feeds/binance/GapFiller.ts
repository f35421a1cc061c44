/**
 * Fills holes in a symbol's aggregate-trade stream from REST: pages
 * `aggTrades?fromId=next&limit<=1000` up to the first held live id − 1 (or,
 * after a reconnect where every connection was down, until REST has nothing
 * newer), feeding each trade through the `TradeSequencer` so filled and held
 * ticks come out once each, in id order. Honours rate limits (the REST client
 * waits for Retry-After), retries other failures with backoff on the Clock,
 * and gives up after a deadline of continuous failure. Every gap is reported:
 * `open` when found, then `filled` (with the count recovered) or `unfillable`
 * for exactly the ids that could not be had.
 */
import type { Clock } from '../../../core/clock/Clock.js';
import type { Gap } from '../../../core/types/Gap.js';
import { restAggTradeTick, type BinanceRest } from './BinanceRest.js';
import { newGapJob, retryWait, type GapJob as Job } from './gapJob.js';
import type { BinanceTimeUnit } from './mapOutcome.js';
import { BinanceAbortedError, BinanceRateLimitError, BinanceRequestError } from './restErrors.js';
import type { RestAggTrade } from './restSchema.js';
import type { TradeLane, TradeSequencer } from './TradeSequencer.js';

/** Settings of a gap filler. */
export type GapFillerOptions = {
  /** Feed id, used in gap ids (`<feed>:<symbol>:aggTrade:<fromSeq>`). */
  feed: string;
  clock: Clock;
  /** REST client, or null (then every hole is unfillable at once). */
  rest: BinanceRest | null;
  /** Canonical symbol → Binance symbol for REST (`BTCUSD` → `BTCUSDT`). */
  instrumentOf: (symbol: string) => string;
  sequencer: TradeSequencer;
  /** Give a range up after REST has failed continuously for this long, ms. */
  deadlineMs: number;
  /** Retry delays after a failure (not a rate limit): first and cap, doubling. */
  retryMs: { initial: number; max: number };
  timeUnit: BinanceTimeUnit;
  onGap: (gap: Gap) => void;
  onError: (error: unknown) => void;
};

/** Gap counters. */
export type GapCounters = { open: number; filled: number; unfillable: number; recovered: number };

/** Runs gap-fill jobs, one per symbol at a time. */
export class GapFiller {
  private readonly jobs = new Map<TradeLane, Job>();
  private readonly c: GapCounters = { open: 0, filled: 0, unfillable: 0, recovered: 0 };
  private stopped = false;

  constructor(private readonly o: GapFillerOptions) {}

  /** Counters (open = gaps reported open and not yet closed). */
  counters(): GapCounters {
    return { ...this.c };
  }

  /** True while a job runs for the lane. */
  busy(lane: TradeLane): boolean {
    return this.jobs.has(lane);
  }

  /** Starts filling the lane's hole (or, with no hole, catching up after an outage); no-op while a job runs. */
  fill(lane: TradeLane, reason: string): void {
    const job = this.start(lane, reason);
    if (!job) return;
    this.run(job).catch((error: unknown) => {
      this.o.onError(error);
      this.giveUp(job, `gap-fill failed: ${(error as Error).message}`);
      this.finish(job);
    });
  }

  /** Holding hit its bound: whatever is still missing is unfillable now; held ticks go out. */
  holdLimit(lane: TradeLane, why: string): void {
    const job = this.jobs.get(lane) ?? this.start(lane, 'hole');
    if (!job) return;
    this.open(job);
    for (const r of this.o.sequencer.releaseHeld(lane)) job.missing.push({ ...r, why });
    this.finish(job);
  }

  /** Ends every job and hole of `lanes`: what is still missing is reported unfillable, held ticks go out. */
  stop(lanes: Iterable<TradeLane>): void {
    for (const lane of [...lanes]) if (this.jobs.has(lane) || lane.held.size > 0) this.holdLimit(lane, 'feed stopped before the gap was filled');
    this.stopped = true;
  }

  /** Registers a job for the lane (null when one runs, or there is nothing to fill from). */
  private start(lane: TradeLane, reason: string): Job | null {
    if (this.stopped || this.jobs.has(lane) || lane.next < 0) return null;
    const job = newGapJob(this.o.feed, lane, reason);
    this.jobs.set(lane, job);
    lane.filling = true;
    lane.graceTimer?.();
    lane.graceTimer = null;
    return job;
  }

  private async run(job: Job): Promise<void> {
    const { lane } = job;
    const rest = this.o.rest;
    while (!job.done) {
      const min = lane.minHeld();
      const bound = min === null ? null : min - 1;
      if (bound !== null) this.open(job);
      if (bound !== null ? lane.next > bound : job.caughtUp || job.opened) break; // hole closed, or caught up
      if (!rest) {
        this.giveUp(job, 'no REST endpoint configured');
        break;
      }
      const fromId = lane.next;
      const limit = bound === null ? 1000 : Math.min(1000, bound - fromId + 1);
      let items: RestAggTrade[];
      try {
        items = await rest.aggTrades({ symbol: this.o.instrumentOf(lane.symbol), fromId, limit }, job.ac.signal);
      } catch (error) {
        if (job.done || error instanceof BinanceAbortedError) break;
        job.lastError = (error as Error).message;
        if (error instanceof BinanceRequestError) {
          this.giveUp(job, `REST refused the request: ${job.lastError}`);
          break;
        }
        if (this.failed(job)) break;
        if (!(error instanceof BinanceRateLimitError)) await this.sleep(job); // a rate limit: the REST client waits for Retry-After
        continue;
      }
      if (job.done) break;
      const fresh = items.filter((t) => t.a >= lane.next);
      if (fresh.length === 0 && items.length > 0 && (bound === null || lane.next <= bound)) continue; // live got there first
      if (fresh.length === 0) {
        if (bound === null) job.caughtUp = true;
        else {
          job.lastError = `REST has no trades from id ${lane.next} yet`;
          if (this.failed(job)) break;
          await this.sleep(job);
        }
        continue;
      }
      job.failingSince = null;
      job.attempt = 0;
      this.feed(job, fresh, bound);
      if (bound === null && items.length < limit) job.caughtUp = true;
    }
    this.finish(job);
  }

  /** Offers one REST page; ids the exchange no longer has are recorded and skipped. */
  private feed(job: Job, items: readonly RestAggTrade[], bound: number | null): void {
    const { lane } = job;
    const seq = this.o.sequencer;
    const first = items[0] as RestAggTrade;
    if (first.a > lane.next) {
      const to = bound === null ? first.a - 1 : Math.min(first.a - 1, bound);
      job.missing.push({ fromSeq: lane.next, toSeq: to, from: lane.lastTsEvent, to: this.ms(first.T), why: 'the exchange no longer serves these trades' });
      seq.skipTo(lane, to + 1);
    }
    const now = this.o.clock.now();
    for (const item of items) {
      if (bound !== null && item.a > bound) break;
      if (item.a < lane.next) continue;
      const tick = restAggTradeTick(lane.symbol, item, now, this.o.timeUnit);
      if (tick) seq.offer(lane, tick, true);
      else {
        job.missing.push({ fromSeq: item.a, toSeq: item.a, from: lane.lastTsEvent, to: this.ms(item.T), why: 'REST returned an invalid trade' });
        seq.skipTo(lane, item.a + 1);
      }
    }
    if (bound === null && job.missing.length === 0) {
      job.toSeq = lane.next - 1;
      job.to = lane.lastTsEvent;
    }
  }

  private ms(T: number): number {
    return this.o.timeUnit === 'MICROSECOND' ? T / 1000 : T;
  }

  /** Publishes the gap as open (once), with the range up to the first held id. */
  private open(job: Job): void {
    if (job.opened) return;
    const min = job.lane.minHeld();
    if (min === null) return;
    job.opened = true;
    job.toSeq = min - 1;
    job.to = job.lane.held.get(min)?.tsEvent ?? job.from;
    this.c.open++;
    this.publish(job, job.id, 'open', job.fromSeq, job.toSeq, job.from, job.to, 0, `missed ids ${job.fromSeq}..${job.toSeq} (${job.reason})`);
  }

  /** Records a failure; true when the deadline is passed and the range was given up. */
  private failed(job: Job): boolean {
    const now = this.o.clock.monotonic();
    job.failingSince ??= now;
    if (now - job.failingSince < this.o.deadlineMs) return false;
    this.giveUp(job, `REST failing for ${now - job.failingSince} ms: ${job.lastError}`);
    return true;
  }

  /** Gives up the current hole: ids up to the first held one are unfillable. */
  private giveUp(job: Job, why: string): void {
    const { lane } = job;
    const min = lane.minHeld();
    if (min !== null && min > lane.next) {
      this.open(job);
      job.missing.push({ fromSeq: lane.next, toSeq: min - 1, from: lane.lastTsEvent, to: lane.held.get(min)?.tsEvent ?? lane.lastTsEvent, why });
      this.o.sequencer.skipTo(lane, min);
    }
    job.done = true;
  }

  private finish(job: Job): void {
    if (this.jobs.get(job.lane) !== job) return;
    job.done = true;
    job.ac.abort();
    job.wake?.();
    this.jobs.delete(job.lane);
    const { lane } = job;
    lane.filling = false;
    const recovered = lane.recovered - job.recoveredAtStart;
    this.c.recovered += recovered;
    if (job.opened) this.c.open--;
    if (job.missing.length === 0) {
      if (job.opened || recovered > 0) {
        this.c.filled++;
        const to = job.toSeq ?? lane.next - 1;
        this.publish(job, job.id, 'filled', job.fromSeq, to, job.from, job.to, recovered, `${recovered} trades recovered from REST (${job.reason})`);
      }
    } else {
      job.missing.forEach((m, i) => {
        this.c.unfillable++;
        const id = i === 0 ? job.id : `${job.id}:${m.fromSeq}`;
        this.publish(job, id, 'unfillable', m.fromSeq, m.toSeq, m.from, m.to, recovered, `ids ${m.fromSeq}..${m.toSeq} lost: ${m.why} (${job.reason})`);
      });
    }
    if (!this.stopped && lane.held.size > 0) this.fill(lane, 'another hole');
  }

  private publish(job: Job, id: string, state: Gap['state'], fromSeq: number, toSeq: number, from: number, to: number, recovered: number, reason: string): void {
    const t0 = Number.isNaN(from) ? to : from;
    const gap: Gap = {
      id,
      symbol: job.lane.symbol,
      source: 'binance',
      feed: this.o.feed,
      from: t0,
      to: Math.max(t0, to),
      fromSeq,
      toSeq,
      state,
      reason,
      recovered,
      tsInit: this.o.clock.now(),
    };
    try {
      this.o.onGap(gap);
    } catch (error) {
      this.o.onError(error);
    }
  }

  private sleep(job: Job): Promise<void> {
    return retryWait(job, this.o.clock, this.o.retryMs);
  }
}
