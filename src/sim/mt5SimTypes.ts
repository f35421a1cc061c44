import type { Clock } from '../core/clock/Clock.js';
import type { Position } from '../pipeline/feeds/mt5/schema.js';
import type { SimSymbol } from './mt5SimData.js';
import type { Mt5SimTradingOptions } from './mt5SimExec.js';
import type { SimOffsetRule } from './mt5SimMarket.js';

/** Replay pace: 1 = real time, 60 = a minute per second, `max` = as fast as the link takes it. */
export type Mt5SimSpeed = number | 'max';

/** Account values the simulated terminal reports. */
export type SimAccount = Readonly<{ balance: number; equity: number; margin: number; freeMargin: number; currency: string; leverage: number }>;

/** Options of the simulated terminal. */
export type Mt5TerminalSimOptions = {
  /** Bridge port on `host` (default 127.0.0.1). */
  port: number;
  host?: string;
  clock: Clock;
  symbols: readonly SimSymbol[];
  speed?: Mt5SimSpeed;
  /** Broker server clock (default `'eet'`). */
  serverOffset?: SimOffsetRule;
  /** Market time at start, UTC ms (default: the first tick; without ticks, when the last bar closes). */
  startUtc?: number;
  terminal?: Readonly<{ login: number; server: string; company: string; build: number }>;
  account?: SimAccount;
  positions?: readonly Position[];
  /** Executes trading commands with the paper venue's rules; account and positions then come from it (without: static, and trading answers 10013). */
  trading?: Mt5SimTradingOptions;
  heartbeatMs?: number;
  /** Finite speed: how often ticks are released (default 100 ms of clock time). */
  paceMs?: number;
  /** `max` speed: events per event-loop turn (default 1 000). */
  batchSize?: number;
  /** Account and positions period (default 10 000 ms); offset re-send period (default 1 h). */
  accountEveryMs?: number;
  offsetResendMs?: number;
  backoff?: Readonly<{ initialMs?: number; maxMs?: number }>;
  /** Sees every line sent (`out`) and received (`in`). */
  tap?: (direction: 'out' | 'in', line: string) => void;
};

/** Counters of the simulated terminal. */
export type Mt5SimStats = Readonly<{
  connected: boolean;
  /** Connection attempts, and attempts that connected. */
  attempts: number;
  connects: number;
  /** Failed attempts in a row (the backoff exponent). */
  failures: number;
  /** In the silent fault (nothing is written). */
  silent: boolean;
  /** A `subscribe` arrived on the current connection. */
  subscribed: boolean;
  /** `seq` of the last line sent on the current connection. */
  seq: number;
  ticksSent: number;
  /** Ticks "sent" into a silent (half-open) link. */
  ticksSwallowed: number;
  barsSent: number;
  historyAnswered: number;
  pingsAnswered: number;
  /** Lines from the bridge that broke the schema. */
  badLines: number;
  /** Ticks the market has produced, of `events`. */
  produced: number;
  events: number;
  finished: boolean;
  virtualUtc: number;
}>;
