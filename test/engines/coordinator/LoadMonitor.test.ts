/**
 * Load management: `loadView` is busy while the monitor's recent p99 is above
 * the threshold; the monitor's recent window forgets a spike after two
 * rotations of its clock. The spike is a real 150 ms block of the event loop
 * (a delay cannot be simulated with a test clock); the windows rotate on the
 * test clock.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/index.js';
import { LoadMonitor, loadView, type LoopDelay } from '../../../src/engines/coordinator/index.js';

const d = (p99Ms: number): LoopDelay => ({ p50Ms: 1, p99Ms, maxMs: p99Ms, meanMs: 1 });

describe('loadView', () => {
  it('busy strictly above the threshold on the recent p99; delay is the since-start reading', () => {
    let recent: LoopDelay | null = null;
    const view = loadView({ recent: () => recent, delay: () => d(7) }, 50);
    expect(view.busy()).toBe(false);
    recent = d(50);
    expect(view.busy()).toBe(false);
    recent = d(50.001);
    expect(view.busy()).toBe(true);
    expect(view.delay()).toEqual(d(7));
  });
});

describe('LoadMonitor recent window', () => {
  it('a blocked event loop makes the view busy for one to two windows, then it recovers', async () => {
    const clock = new TestClock(0);
    const monitor = new LoadMonitor(10, { clock, windowMs: 1000 });
    const view = loadView(monitor, 50);
    monitor.start();
    await wait(40);
    expect(view.busy()).toBe(false);
    const until = performance.now() + 150;
    while (performance.now() < until) {
      // block the event loop
    }
    await wait(30);
    expect(monitor.recent()!.p99Ms).toBeGreaterThan(100);
    expect(view.busy()).toBe(true);
    // One rotation: the spike is in the last complete window, still busy.
    clock.advance(1000);
    await wait(30);
    expect(view.busy()).toBe(true);
    // Two rotations: both windows are calm.
    clock.advance(1000);
    await wait(30);
    expect(view.busy()).toBe(false);
    // Since start, the spike is still in the status reading.
    expect(monitor.delay()!.maxMs).toBeGreaterThan(100);
    monitor.stop();
    expect(monitor.recent()).toBeNull();
  });

  it('without a clock the recent reading is the since-start one', async () => {
    const monitor = new LoadMonitor(10);
    monitor.start();
    await wait(30);
    expect(monitor.recent()).toEqual(monitor.delay());
    monitor.stop();
  });
});
