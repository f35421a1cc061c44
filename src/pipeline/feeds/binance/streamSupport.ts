/**
 * Pieces of `BinanceStream` kept apart to keep it small: its options and
 * their check, the connection events it reports, frame decoding, closing a
 * socket with a deadline, which canonical symbols a stream list serves, and
 * a callback guard.
 */
import { Buffer } from 'node:buffer';
import { WebSocket, type RawData } from 'ws';
import type { Clock } from '../../../core/clock/Clock.js';
import { ConfigError } from '../../../core/errors.js';
import type { FeedStatus } from '../../../core/types/FeedStatus.js';
import type { Tick } from '../../../core/types/Tick.js';
import type { BinanceTimeUnit, DropReason } from './mapOutcome.js';
import { parseStreamName } from './schema.js';

/** One hour in ms. */
export const HOUR = 3_600_000;

/** What happened to a connection. */
export type StreamEventKind = 'open' | 'closed' | 'silent' | 'rotating' | 'rotated' | 'shutdown' | 'control_error';

/**
 * A connection event: `silent` = the watchdog killed an open but silent socket
 * (or one silent symbol); `rotating`/`rotated` = a replacement socket was
 * opened / took over (scheduled before 24 h, or after `serverShutdown`).
 */
export type StreamEvent = Readonly<{
  /** Id of the stream connection. */
  stream: string;
  kind: StreamEventKind;
  detail: string;
  /** Canonical symbol concerned, when one is (silent symbol). */
  symbol: string | null;
}>;

/** Text of a WebSocket message. */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Canonical symbols the streams serve, in first-seen order. */
export function symbolsOf(streams: readonly string[], symbols: Readonly<Record<string, string>>): string[] {
  const lower = new Map(Object.entries(symbols).map(([k, v]) => [k.toLowerCase(), v]));
  const out = new Set<string>();
  for (const s of streams) {
    const c = lower.get(parseStreamName(s).instrument);
    if (c !== undefined) out.add(c);
  }
  return [...out];
}

/** Options of one Binance stream connection. */
export type BinanceStreamOptions = {
  /** Stable feed id (default `binance-spot`). */
  id?: string;
  /** Server root, e.g. `wss://stream.binance.com:9443`, `wss://fstream.binance.com/market`, `ws://127.0.0.1:PORT`. */
  baseUrl: string;
  /** Stream names, e.g. `['btcusdt@aggTrade', 'btcusdt@bookTicker']`. */
  streams: readonly string[];
  /** Binance instrument (lowercase) → canonical symbol, e.g. `{ btcusdt: 'BTCUSD' }`. */
  symbols: Readonly<Record<string, string>>;
  clock: Clock;
  /** Ask the server for µs timestamps (spot only); ticks still carry ms. */
  timeUnit?: BinanceTimeUnit;
  /** Receives every tick, in wire order (twice during a rotation overlap). */
  onTick: (tick: Tick) => void;
  /** Receives every dropped frame (reason, first 256 characters, detail). */
  onDrop?: (reason: DropReason, sample: string, detail: string) => void;
  /** Receives the status on every state change. */
  onStatus?: (status: FeedStatus) => void;
  /** Receives connection events (open, closed, silent, rotation, serverShutdown, control errors). */
  onEvent?: (event: StreamEvent) => void;
  /** Receives errors thrown by the callbacks above (they never break the socket). */
  onError?: (error: unknown) => void;
  /** Open socket with no frame for this long is treated as dead (default 60 000 ms). */
  silenceMs?: number;
  /** Per canonical symbol: no tick of it for this long means the connection is dead (default: not checked). */
  symbolSilenceMs?: Readonly<Record<string, number>>;
  /** Rotate (with overlap) after this long on one socket, before Binance's 24 h cut (default 23 h; 0 = never). */
  rotateAfterMs?: number;
  /** Retry a rotation whose replacement failed after this long (default 60 000 ms). */
  rotateRetryMs?: number;
  /** Control messages per second (default 5, spot's limit). */
  controlPerSecond?: number;
  /** Reconnect backoff after failures: first delay and cap (default 500 ms → 30 000 ms). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Jitter source in [0, 1) (default Math.random); the delay is base × (0.5 + 0.5 × random). */
  random?: () => number;
  /** How long `stop()` waits for the close handshake before terminating (default 2 000 ms). */
  closeTimeoutMs?: number;
};

/** Closes a socket cleanly, terminating it if the close handshake takes longer than `timeoutMs`. */
export function closeSocket(ws: WebSocket, clock: Clock, timeoutMs: number, reason: string): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const cancel = clock.setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once('close', () => {
      cancel();
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, reason);
  });
}

/** Refuses a stream configuration with a bad base URL, no streams or a non-positive symbol silence (all issues at once). */
export function checkStreamOptions(base: string, options: BinanceStreamOptions): void {
  const issues: string[] = [];
  if (!/^wss?:\/\/[^/]/.test(base)) issues.push(`baseUrl must start with ws:// or wss://, got ${options.baseUrl}`);
  if (options.streams.length === 0) issues.push('streams must not be empty');
  for (const [symbol, ms] of Object.entries(options.symbolSilenceMs ?? {})) if (!(ms > 0)) issues.push(`symbolSilenceMs.${symbol} must be > 0`);
  if (issues.length > 0) throw new ConfigError(`bad Binance stream config: ${issues.join('; ')}`, issues);
}

/** Calls an optional listener with a value; what it throws goes to `onError` (never breaks the socket). */
export function notify<T>(listener: ((value: T) => void) | undefined, value: T, onError: ((error: unknown) => void) | undefined): void {
  if (!listener) return;
  try {
    listener(value);
  } catch (error) {
    onError?.(error);
  }
}
