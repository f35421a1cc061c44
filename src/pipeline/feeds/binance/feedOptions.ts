import type { Clock } from '../../../core/clock/Clock.js';
import { ConfigError } from '../../../core/errors.js';
import type { FeedStatus } from '../../../core/types/FeedStatus.js';
import type { Gap } from '../../../core/types/Gap.js';
import type { BinanceMarket } from '../../../core/types/SymbolSpec.js';
import type { SystemEvent } from '../../../core/types/SystemEvent.js';
import type { Tick } from '../../../core/types/Tick.js';
import type { DropReason } from './BinanceMapper.js';
import type { BinanceRest } from './BinanceRest.js';
import type { BinanceTimeUnit } from './mapOutcome.js';
import { HOUR, type BinanceStreamOptions } from './streamSupport.js';

/** Options of a redundant feed. */
export type BinanceFeedOptions = {
  /** Stable feed id, e.g. `binance-spot`, `binance-usdm-market`. */
  id: string;
  market: BinanceMarket;
  /** WebSocket roots; connection i uses `wsUrls[i % wsUrls.length]` (plus `/<route>`). */
  wsUrls: readonly string[];
  /** USD-M route appended to each root: `public` (bookTicker) or `market` (aggTrade). */
  route?: 'public' | 'market';
  /** Independent connections (default 2). */
  connections?: number;
  /** Stream kinds per instrument. */
  kinds: readonly ('aggTrade' | 'bookTicker')[];
  /** Binance instrument (lowercase) → canonical symbol. */
  symbols: Readonly<Record<string, string>>;
  clock: Clock;
  /** REST for gap-fill and the listing check (null: holes are reported unfillable at once). */
  rest?: BinanceRest | null;
  /** Check listings with exchangeInfo at start (default true when `rest` is set). */
  checkSymbols?: boolean;
  timeUnit?: BinanceTimeUnit;
  /** A hole may heal by itself within this time before REST is asked (default 200 ms). */
  reorderGraceMs?: number;
  /** Give a range up after REST failed continuously this long (default 30 000 ms). */
  fillDeadlineMs?: number;
  /** Bounds on ticks held behind a hole (default 100 000 ticks, 60 000 ms). */
  maxHeldTicks?: number;
  maxHoldMs?: number;
  /** REST retry delays after failures other than rate limits (default 250 → 5 000 ms). */
  fillRetryMs?: { initial: number; max: number };
  /** Rotation of connection i happens at rotateAfterMs + i × rotateStaggerMs (default 23 h, 5 min). */
  rotateAfterMs?: number;
  rotateStaggerMs?: number;
  onTick: (tick: Tick) => void;
  onGap?: (gap: Gap) => void;
  onEvent?: (event: SystemEvent) => void;
  onDrop?: (reason: DropReason, sample: string, detail: string) => void;
  onStatus?: (status: FeedStatus) => void;
  onError?: (error: unknown) => void;
} & Pick<BinanceStreamOptions, 'silenceMs' | 'symbolSilenceMs' | 'controlPerSecond' | 'backoff' | 'random' | 'closeTimeoutMs'>;

/** Refuses a feed configuration with no endpoint, no connection, no stream kind or no symbol (all issues at once). */
export function checkFeedOptions(options: BinanceFeedOptions): void {
  const issues: string[] = [];
  if (options.wsUrls.length === 0) issues.push('wsUrls must not be empty');
  if ((options.connections ?? 2) < 1) issues.push('connections must be >= 1');
  if (options.kinds.length === 0) issues.push('kinds must not be empty');
  if (Object.keys(options.symbols).length === 0) issues.push('symbols must not be empty');
  if (issues.length > 0) throw new ConfigError(`bad Binance feed config: ${issues.join('; ')}`, issues);
}

/** The callbacks a feed gives each of its connections. */
export type ConnectionHandlers = Pick<BinanceStreamOptions, 'onTick' | 'onStatus' | 'onEvent'>;

/**
 * Options of the feed's connection `i`: endpoint `wsUrls[i % n]` plus the
 * USD-M route, the active symbols' streams, the feed's tuning, and a
 * rotation staggered by `i × rotateStaggerMs` so the connections never
 * rotate together.
 */
export function connectionOptions(o: BinanceFeedOptions, i: number, streams: readonly string[], symbols: Readonly<Record<string, string>>, handlers: ConnectionHandlers): BinanceStreamOptions {
  const root = (o.wsUrls[i % o.wsUrls.length] as string).replace(/\/+$/, '');
  return {
    id: `${o.id}#${i + 1}`,
    baseUrl: o.route ? `${root}/${o.route}` : root,
    streams,
    symbols,
    clock: o.clock,
    timeUnit: o.timeUnit,
    ...handlers,
    onDrop: o.onDrop,
    onError: o.onError,
    silenceMs: o.silenceMs,
    symbolSilenceMs: o.symbolSilenceMs,
    rotateAfterMs: (o.rotateAfterMs ?? 23 * HOUR) + i * (o.rotateStaggerMs ?? 300_000),
    controlPerSecond: o.controlPerSecond ?? (o.market === 'spot' ? 5 : 10),
    backoff: o.backoff,
    random: o.random,
    closeTimeoutMs: o.closeTimeoutMs,
  };
}
