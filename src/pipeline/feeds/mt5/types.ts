import type { Clock } from '../../../core/clock/Clock.js';
import type { Candle } from '../../../core/types/Candle.js';
import type { FeedStatus } from '../../../core/types/FeedStatus.js';
import type { Gap } from '../../../core/types/Gap.js';
import type { SystemEvent } from '../../../core/types/SystemEvent.js';
import type { Tick } from '../../../core/types/Tick.js';
import type { Mt5Timeframe, Position } from './schema.js';

/**
 * A request for the terminal as a caller states it: the bridge adds `v`,
 * `seq`, `ts` and `reqId`, and an `idempotencyKey` for trading requests when
 * none is given. Validated against the protocol schema before it is sent.
 */
export type Mt5RequestInput =
  | Readonly<{ type: 'history'; sym: string; kind: 'ticks' | 'bars'; tf?: Mt5Timeframe; fromMsc: number; toMsc?: number; max: number }>
  | Readonly<{
      type: 'order';
      idempotencyKey?: string;
      sym: string;
      side: 'buy' | 'sell';
      orderType: 'market' | 'limit' | 'stop';
      volume: number;
      price?: number;
      sl?: number;
      tp?: number;
      deviation?: number;
      comment?: string;
      magic?: number;
    }>
  | Readonly<{ type: 'modify_sltp'; idempotencyKey?: string; ticket: number; sl: number; tp: number }>
  | Readonly<{ type: 'close'; idempotencyKey?: string; ticket: number; volume?: number; deviation?: number }>
  | Readonly<{ type: 'ping' }>;

/** Who the connected terminal is, from its `hello`. */
export type Mt5TerminalInfo = Readonly<{
  login: number;
  server: string;
  company: string;
  build: number;
  eaVersion: string | null;
  /** MT5 symbol names the terminal announced. */
  symbols: readonly string[];
  /** Our clock when the hello arrived, epoch ms. */
  helloAt: number;
}>;

/** The latest account snapshot the terminal sent. */
export type Mt5AccountSnapshot = Readonly<{
  balance: number;
  equity: number;
  margin: number;
  freeMargin: number;
  currency: string;
  leverage: number;
  /** Our clock when it arrived, epoch ms. */
  receivedAt: number;
}>;

/** The latest open-positions list the terminal sent (symbols as MT5 names them). */
export type Mt5PositionsSnapshot = Readonly<{ positions: readonly Position[]; receivedAt: number }>;

/** Feed health of the MT5 bridge: the core status plus clock, terminal and recovery counters. */
export type Mt5BridgeStatus = FeedStatus &
  Readonly<{
    /** Latest trade-server offset (server − UTC), seconds, or null before the first hello. */
    serverUtcOffsetSec: number | null;
    terminal: Mt5TerminalInfo | null;
    /** Terminal connections accepted since start. */
    connections: number;
    /** `seq` of the last valid line on the current connection, or null (lets a caller see the link is drained). */
    lastSeq: number | null;
    /** Re-delivered ticks dropped (dedupe and already-covered time). */
    duplicates: number;
    /** Dropped lines and refused ticks by reason. */
    drops: Readonly<Record<string, number>>;
    /** Tick gaps by state. */
    gaps: Readonly<{ open: number; filled: number; unfillable: number }>;
  }>;

/** Options of the MT5 bridge. */
export type Mt5BridgeOptions = {
  /** Stable feed id (default `mt5`). */
  id?: string;
  /** Listen address (default 127.0.0.1; MQL5 sockets only reach allow-listed hosts). */
  host?: string;
  /** TCP port (default 0 = ephemeral; read `port` after `start`). */
  port?: number;
  clock: Clock;
  /** MT5 symbol name → canonical symbol, e.g. `{ 'XAUUSD.a': 'XAUUSD' }`. */
  symbols: Readonly<Record<string, string>>;
  /** UTC time of the last stored tick of a canonical symbol, or null: the tick fill starts there. */
  lastTickTime?: (symbol: string) => number | null;
  onTick: (tick: Tick) => void;
  /** Closed bars as candles (bid basis, UTC open time). */
  onCandle?: (candle: Candle) => void;
  /** A tick range being filled, filled, or impossible to fill. */
  onGap?: (gap: Gap) => void;
  onEvent?: (event: SystemEvent) => void;
  /** A dropped line or refused tick/bar: reason and the first 256 characters. */
  onDrop?: (reason: string, sample: string) => void;
  onStatus?: (status: FeedStatus) => void;
  /** Errors thrown by the callbacks above (they never break the link). */
  onError?: (error: unknown) => void;
  /** Bar timeframes requested on connect and streamed (default H1, H4). */
  barTimeframes?: readonly Mt5Timeframe[];
  /** Bars requested on a first start, per timeframe (default 500). */
  barDepth?: number | Partial<Record<Mt5Timeframe, number>>;
  /** Offset (seconds) of server times before the first announcement (e.g. the EET rule); default: the oldest announced. */
  pastOffset?: (serverMs: number) => number | null;
  /** Longest accepted line, characters (default 4 MiB). */
  maxLineChars?: number;
  /** Link dead after this long without any line (default 5 000 ms). */
  deadAfterMs?: number;
  /** Timeout of one history request (default 15 000 ms) and of `request` (default 10 000 ms). */
  historyTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Rows per history request (default 5 000). */
  historyChunk?: number;
  /** Tick keys remembered per symbol for dedupe (default 10 000). */
  dedupeWindow?: number;
  /** Live ticks held per symbol while its fill runs (default 200 000). */
  maxHeldTicks?: number;
};
