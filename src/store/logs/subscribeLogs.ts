import path from 'node:path';
import type { Clock, EventBus, SystemEvent } from '../../core/index.js';
import { JsonlLog, LOGS_FOLDER } from './JsonlLog.js';

/** The two JSON-lines logs of a data folder. */
export type SystemLogs = Readonly<{ events: JsonlLog; macro: JsonlLog }>;

/** Retention of the logs, days (the `memory` config keys of the same names). */
export type SystemLogRetention = Readonly<{ eventLogRetentionDays: number; macroLogRetentionDays: number }>;

/** Opens `<dataDir>/logs/events-<day>.jsonl` and `<dataDir>/logs/macro-<day>.jsonl` (created on first write). */
export function openSystemLogs(dataDir: string, retention: SystemLogRetention, clock: Clock): SystemLogs {
  const dir = path.join(dataDir, LOGS_FOLDER);
  return {
    events: new JsonlLog({ dir, name: 'events', retentionDays: retention.eventLogRetentionDays, clock }),
    macro: new JsonlLog({ dir, name: 'macro', retentionDays: retention.macroLogRetentionDays, clock }),
  };
}

/** True for the system events that belong in the macro log (the 5-minute `macro.*` snapshots: VIX, DXY, US10Y, session, news windows). */
export function isMacroEvent(event: SystemEvent): boolean {
  return event.kind.startsWith('macro.');
}

/**
 * Subscribes the logs to the bus: every `system.event` (approvals, parameter
 * changes, feed events, ...) goes to the event log, except `macro.*` events,
 * which go to the macro log; `source.switched` (feed switches), `gap.updated`,
 * `offset.discrepancy` and `clock.jumped` go to the event log too, each line
 * tagged with its `topic`. A write failure is reported to `onError` and never
 * reaches the publisher. Returns the function that unsubscribes.
 */
export function subscribeLogs(bus: EventBus, logs: SystemLogs, onError: (error: unknown) => void = () => {}): () => void {
  const write = (log: JsonlLog, record: Record<string, unknown>, ts: number) => {
    try {
      log.append(record, ts);
    } catch (error) {
      onError(error);
    }
  };
  const offs = [
    bus.subscribe('system.event', (e) => write(isMacroEvent(e) ? logs.macro : logs.events, { topic: 'system.event', ...e }, e.tsEvent)),
    bus.subscribe('source.switched', (e) => write(logs.events, { topic: 'source.switched', ...e }, e.tsInit)),
    bus.subscribe('gap.updated', (e) => write(logs.events, { topic: 'gap.updated', ...e }, e.tsInit)),
    bus.subscribe('offset.discrepancy', (e) => write(logs.events, { topic: 'offset.discrepancy', ...e }, e.tsInit)),
    bus.subscribe('clock.jumped', (e) => write(logs.events, { topic: 'clock.jumped', ...e }, e.tsInit)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
