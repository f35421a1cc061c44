import type { Clock, EventBus } from '../core/index.js';
import type { CalibrationResult } from './calibration/OffsetEngine.js';

/**
 * Publishes one offset calibration: sets the offsets the fused stream applies
 * (`offsets`, by symbol), publishes `offset.updated` per symbol, and per
 * discrepancy event `offset.discrepancy` plus a `system.event` of kind
 * `offset.discrepancy` (warn when flagged, info when settled) for the event log.
 */
export function publishCalibration(bus: EventBus, clock: Clock, result: CalibrationResult, offsets: Map<string, number>): void {
  for (const u of result.updates) {
    offsets.set(u.symbol, u.offset);
    bus.publish('offset.updated', u);
  }
  for (const e of result.events) {
    bus.publish('offset.discrepancy', e);
    const what =
      e.phase === 'flagged'
        ? `offset jump ${e.jump.toFixed(4)} > threshold ${e.threshold?.toFixed(4) ?? 'n/a'}: holding ${e.held}, candidate ${e.candidate}`
        : `offset discrepancy settled after ${e.calibrations} calibrations: offset ${e.offset}`;
    bus.publish('system.event', {
      kind: 'offset.discrepancy',
      level: e.phase === 'flagged' ? 'warn' : 'info',
      component: 'offset',
      symbol: e.symbol,
      message: `${e.symbol} ${what}`,
      data: { ...e },
      tsEvent: e.tsEvent,
      tsInit: clock.now(),
    });
  }
}
