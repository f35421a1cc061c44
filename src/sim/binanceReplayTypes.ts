import type { Clock } from '../core/clock/Clock.js';
import type { BinanceMarket, BinanceRecording } from './binanceRecording.js';
import type { RestSimStatus } from './binanceRestSim.js';

/** Replay pace: 1 = real time, 10 = ten times faster, `max` = as fast as the clients take it. */
export type ReplaySpeed = number | 'max';

/** Options of the replay server. */
export type BinanceReplayServerOptions = {
  /** One recording, or several (merged by time, each keeping its own order). */
  recordings: BinanceRecording | readonly BinanceRecording[];
  /** Paces finite-speed replay, pings, stalls, REST weights and bans (a `TestClock` in tests). */
  clock: Clock;
  speed?: ReplaySpeed;
  /** Uniform pace in events per second, ignoring recorded gaps (overrides `speed`; for benchmarks). */
  rate?: number;
  /** TCP port on 127.0.0.1; 0 (default) = ephemeral. */
  port?: number;
  /** Market imitated: `spot` (default) or `usdm` (frame layouts, routes, `/fapi/v1` REST). */
  market?: BinanceMarket;
  /** Start over at the end, shifting times and ids forward (default true). */
  loop?: boolean;
  /** `max` speed: events per event-loop turn (default 512). */
  batchSize?: number;
  /** `max` speed: pause while a client has more than this many bytes buffered (default 1 MiB). */
  highWaterMark?: number;
  /** Server ping period (default 20 000 ms, like spot). */
  pingIntervalMs?: number;
  /** Disconnect a client whose last pong is older than this (default 60 000 ms). */
  pongTimeoutMs?: number;
  /** REST: weight limit per minute, retention of served trades, ban length. */
  rest?: { weightLimit?: number; retentionMs?: number; banSeconds?: number };
  /** Called with the (shifted) id of each event just before it is sent (benchmarks stamp send times). */
  onEmit?: (id: number) => void;
};

/** Replay progress and audience. */
export type ReplayStatus = Readonly<{
  /** Completed passes over the recording. */
  loops: number;
  /** Replayed data frames sent, summed over clients (control replies, notices and faults not counted). */
  framesSent: number;
  clients: number;
  /** Started (first client connected) and not finished. */
  replaying: boolean;
  speed: ReplaySpeed;
  /** Next event index in the timeline, and its length. */
  position: number;
  events: number;
  /** Time shift per loop, whole ms: last − first event millisecond + 1, so loops never share a millisecond. */
  lengthMs: number;
  rest: RestSimStatus;
}>;
