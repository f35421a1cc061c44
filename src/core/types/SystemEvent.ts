/** Severity of a system event. */
export type EventLevel = 'info' | 'warn' | 'error';

/**
 * A notable fact about the system itself (feed connected, frame dropped,
 * replay looped), kept in the event log.
 */
export type SystemEvent = Readonly<{
  /** Dotted kind, e.g. `feed.connected`, `frame.dropped`. */
  kind: string;
  level: EventLevel;
  /** Component that raised it. */
  component: string;
  symbol: string | null;
  message: string;
  /** Structured detail, JSON-serialisable. */
  data: Readonly<Record<string, unknown>>;
  tsEvent: number;
  tsInit: number;
}>;
