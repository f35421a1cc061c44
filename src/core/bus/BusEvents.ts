import type { Candle } from '../types/Candle.js';
import type { FeedStatus } from '../types/FeedStatus.js';
import type { Gap } from '../types/Gap.js';
import type { OffsetDiscrepancy, OffsetUpdate } from '../types/Offset.js';
import type { Source } from '../types/Source.js';
import type { StructureEvent } from '../types/Structure.js';
import type { SystemEvent } from '../types/SystemEvent.js';
import type { Tick } from '../types/Tick.js';
import type { VolatilityBridgeReading } from '../types/Volatility.js';

/** A tick the pipeline refused, with the reason. */
export type TickRejected = Readonly<{ tick: Tick; reason: string; tsInit: number }>;

/** A wire frame a feed could not use; it was counted and dropped, never stored. */
export type FrameDropped = Readonly<{ feed: string; reason: string; sample: string; tsInit: number }>;

/** The live source of a symbol's unified stream changed (failover or failback). */
export type SourceSwitched = Readonly<{ symbol: string; from: Source | null; to: Source | null; reason: string; tsInit: number }>;

/** The wall clock jumped against the monotonic clock (sleep, VM pause, NTP step). */
export type ClockJumped = Readonly<{ wallDeltaMs: number; monotonicDeltaMs: number; jumpMs: number; tsInit: number }>;

/**
 * One row of the trade-management journal (`dtms_actions`): an action the
 * coordinator took, considered and declined, had denied by risk, deferred,
 * or logged without sending (shadow), with its reason and the data behind it.
 */
export type DtmsActionRecord = Readonly<{
  ticket: string;
  symbol: string;
  /** What was (or would have been) done: `modify_sl`, `partial_close`, `close`, `hedge`, `open`, `enroll`, `closed_at_venue`. */
  action: string;
  /** `sent`, `shadow`, `declined`, `denied`, `rejected`, `deferred` or `recorded`. */
  outcome: string;
  reason: string;
  /** DTMS phase before and after the decision, null when not applicable. */
  stateFrom: string | null;
  stateTo: string | null;
  data: Readonly<Record<string, unknown>>;
  /** Time of the decision (the market time that triggered it), epoch ms UTC. */
  tsEvent: number;
  tsInit: number;
}>;

/**
 * The topic map of the in-process bus: each topic names exactly one payload
 * type, so a misspelt topic or a wrong payload does not compile.
 */
export type BusEvents = {
  /** A tick straight from a feed mapper, before any filtering. */
  'tick.raw': Tick;
  /** A tick the pipeline rejected (crossed book, non-finite, spike...). */
  'tick.rejected': TickRejected;
  /** A tick that passed validation and the spike controller, from any source, in the venue's own prices: what the store keeps. */
  'tick.accepted': Tick;
  /** A tick of the unified (fused) stream: one active source per symbol, broker terms, never going back in time. */
  'tick.fused': Tick;
  /** A candle that has closed and will not change again. */
  'candle.closed': Candle;
  /** A feed changed state or counters. */
  'feed.status': FeedStatus;
  /** A malformed frame was dropped. */
  'frame.dropped': FrameDropped;
  /** A system event for the event log. */
  'system.event': SystemEvent;
  /** A gap was detected, or changed state (filled, unfillable). */
  'gap.updated': Gap;
  /** A symbol's live source changed. */
  'source.switched': SourceSwitched;
  /** The wall clock jumped (sleep recovery starts). */
  'clock.jumped': ClockJumped;
  /** A calibration of a symbol's Binance-to-broker offset (the offset in force, held while in discrepancy). */
  'offset.updated': OffsetUpdate;
  /** A symbol's offset calibration jumped past the threshold (flagged) or settled again. */
  'offset.discrepancy': OffsetDiscrepancy;
  /** The M5 volatility bridge's reading of a symbol after its primary M5 candle closed. */
  'volatility.m5': VolatilityBridgeReading;
  /** A market-structure event confirmed by a closed candle; never changed afterwards. */
  'structure.event': StructureEvent;
  /** A trade-management decision (taken, declined, denied, shadowed) for the `dtms_actions` journal. */
  'dtms.action': DtmsActionRecord;
};

/** Any topic of the bus. */
export type Topic = keyof BusEvents;
