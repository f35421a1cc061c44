import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBus, TestClock, type SystemEvent } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createMemoryLayers } from '../../../src/store/retention/index.js';
import { AGG_TRADES_2026, fixturePath } from '../../fixtures/load.js';
import { feedEvent, tmpFolder } from '../fixtures.js';

describe('createMemoryLayers (server wiring)', () => {
  let tmp: ReturnType<typeof tmpFolder>;
  let store: Store;
  beforeEach(async () => {
    tmp = tmpFolder('utp-layers-');
    store = openStore({ path: ':memory:' });
    for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) store.ticks.insertTicks(b.ticks);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('logs bus events, runs the mover on the clock and publishes its events on the bus', async () => {
    const bus = new EventBus();
    const clock = new TestClock(Date.UTC(2026, 0, 2, 3, 0));
    const seen: SystemEvent[] = [];
    bus.subscribe('system.event', (e) => seen.push(e));
    const layers = createMemoryLayers({ dataDir: tmp.dir, db: store.db, bus, clock, config: { moverIntervalMinutes: 10 } });
    expect(layers.config.archiveRetentionDays).toBe(14);
    await layers.start();
    bus.publish('system.event', feedEvent('feed.connected', clock.now()));
    clock.advance(10 * 60_000);
    await vi.waitFor(() => expect(layers.mover.status()).toMatchObject({ running: false, passes: 1 }), { timeout: 15_000 });
    await layers.stop();
    expect(store.ticks.countTicks()).toBe(0);
    expect(layers.archive.listDays('BTCUSD', 'ticks')).toEqual(['2026-01-01']);
    const logged = readFileSync(path.join(tmp.dir, 'logs', 'events-2026-01-02.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SystemEvent);
    expect(logged.map((e) => e.kind)).toEqual(['feed.connected', 'archive.day']);
    expect(seen.find((e) => e.kind === 'archive.day')?.data).toMatchObject({ kind: 'ticks', symbol: 'BTCUSD', day: '2026-01-01', pruned: 5000 });
    bus.publish('system.event', feedEvent('after.stop', clock.now()));
    expect(readFileSync(path.join(tmp.dir, 'logs', 'events-2026-01-02.jsonl'), 'utf8')).not.toContain('after.stop');
  });
});
