import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type SystemEvent } from '../../../src/core/index.js';
import { JsonlLog, openSystemLogs, subscribeLogs } from '../../../src/store/logs/index.js';
import { feedEvent, tmpFolder } from '../fixtures.js';

const DAY = Date.UTC(2026, 0, 1);
const H = 3_600_000;

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('JsonlLog', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  beforeEach(() => {
    tmp = tmpFolder('utp-logs-');
  });
  afterEach(() => tmp.cleanup());

  it('writes one UTC day per file, by record time, and deletes days past retention', () => {
    const clock = new TestClock(DAY + 23 * H);
    const log = new JsonlLog({ dir: path.join(tmp.dir, 'logs'), name: 'events', retentionDays: 30, clock });
    log.append({ a: 1 });
    log.append({ a: 2 }, DAY + 24 * H + 5);
    log.append({ a: 3 }, DAY + 24 * H + 6);
    expect(log.listDays()).toEqual(['2026-01-01', '2026-01-02']);
    expect(lines(log.fileOf('2026-01-01'))).toEqual([{ a: 1 }]);
    expect(lines(log.fileOf('2026-01-02'))).toEqual([{ a: 2 }, { a: 3 }]);
    expect(log.written).toBe(3);
    expect(log.prune(DAY + 31 * 24 * H)).toBe(1); // 2026-02-01: 01-01 is 31 days old, 01-02 exactly 30
    expect(log.listDays()).toEqual(['2026-01-02']);
    log.append({ a: 4 }, DAY + 24 * H + 7); // the open file of a pruned day is reopened cleanly
    expect(lines(log.fileOf('2026-01-02'))).toHaveLength(3);
    log.close();
  });

  it('routes bus events: system events and feed switches to the event log, macro snapshots to the macro log', () => {
    const clock = new TestClock(DAY);
    const logs = openSystemLogs(tmp.dir, { eventLogRetentionDays: 30, macroLogRetentionDays: 7 }, clock);
    const bus = new EventBus();
    const errors: unknown[] = [];
    const off = subscribeLogs(bus, logs, (e) => errors.push(e));
    const approval: SystemEvent = { ...feedEvent('approval.granted', DAY + 1000, { id: 'a1' }), component: 'approvals' };
    const macro: SystemEvent = { ...feedEvent('macro.snapshot', DAY + 300_000, { vix: 14.2, dxy: 98.1, us10y: 4.1, session: 'asia' }), component: 'macro' };
    bus.publish('system.event', approval);
    bus.publish('system.event', macro);
    bus.publish('source.switched', { symbol: 'BTCUSD', from: 'binance', to: 'mt5', reason: 'binance stale', tsInit: DAY + 2000 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    bus.publish('system.event', { ...approval, data: cyclic });
    off();
    bus.publish('system.event', approval);
    expect(lines(path.join(tmp.dir, 'logs', 'events-2026-01-01.jsonl'))).toEqual([
      { topic: 'system.event', ...approval },
      { topic: 'source.switched', symbol: 'BTCUSD', from: 'binance', to: 'mt5', reason: 'binance stale', tsInit: DAY + 2000 },
    ]);
    expect(lines(path.join(tmp.dir, 'logs', 'macro-2026-01-01.jsonl'))).toEqual([{ topic: 'system.event', ...macro }]);
    expect(errors).toHaveLength(1);
    expect(logs.macro.retentionDays).toBe(7);
    expect(logs.macro.prune(DAY + 8 * 24 * H)).toBe(1);
    expect(logs.events.prune(DAY + 8 * 24 * H)).toBe(0);
  });
});
