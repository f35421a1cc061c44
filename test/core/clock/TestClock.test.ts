import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/index.js';

const T0 = Date.UTC(2017, 7, 17, 4); // 2017-08-17 04:00 UTC

describe('TestClock', () => {
  it('starts at the given wall time with monotonic 0, and defaults to 2024-01-01 UTC', () => {
    const clock = new TestClock(T0);
    expect(clock.now()).toBe(T0);
    expect(clock.monotonic()).toBe(0);
    expect(new TestClock().now()).toBe(Date.UTC(2024, 0, 1));
  });

  it('does not move on its own', () => {
    const clock = new TestClock(T0);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 0);
    expect(clock.now()).toBe(T0);
    expect(fired).toBe(false);
    clock.advance(0);
    expect(fired).toBe(true);
  });

  it('advance moves wall and monotonic clocks together', () => {
    const clock = new TestClock(T0);
    clock.advance(1500);
    expect(clock.now()).toBe(T0 + 1500);
    expect(clock.monotonic()).toBe(1500);
  });

  it('fires timeouts in time order (ties in scheduling order), each seeing its own due time', () => {
    const clock = new TestClock(T0);
    const fired: [string, number, number][] = [];
    const at = (name: string) => () => fired.push([name, clock.now() - T0, clock.monotonic()]);
    clock.setTimeout(at('c300'), 300);
    clock.setTimeout(at('a100'), 100);
    clock.setTimeout(at('b200'), 200);
    clock.setTimeout(at('a100-second'), 100);
    clock.setTimeout(at('later'), 1000);
    clock.advance(300);
    expect(fired).toEqual([
      ['a100', 100, 100],
      ['a100-second', 100, 100],
      ['b200', 200, 200],
      ['c300', 300, 300],
    ]);
    expect(clock.pending()).toBe(1);
    clock.advance(699);
    expect(fired).toHaveLength(4);
    clock.advance(1);
    expect(fired.at(-1)).toEqual(['later', 1000, 1000]);
    expect(clock.pending()).toBe(0);
  });

  it('splits one advance across timers: a timer scheduled by a timer fires in the same advance when due', () => {
    const clock = new TestClock(T0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.monotonic());
      clock.setTimeout(() => fired.push(clock.monotonic()), 50);
    }, 100);
    clock.advance(200);
    expect(fired).toEqual([100, 150]);
    expect(clock.monotonic()).toBe(200);
  });

  it('repeats intervals every period, interleaved in time order with timeouts', () => {
    const clock = new TestClock(T0);
    const fired: string[] = [];
    clock.setInterval(() => fired.push(`i@${clock.monotonic()}`), 250);
    clock.setTimeout(() => fired.push(`t@${clock.monotonic()}`), 600);
    clock.advance(1000);
    expect(fired).toEqual(['i@250', 'i@500', 't@600', 'i@750', 'i@1000']);
    expect(clock.pending()).toBe(1);
  });

  it('treats a zero or negative interval period as 1 ms so advance always terminates', () => {
    const clock = new TestClock(T0);
    const at: number[] = [];
    clock.setInterval(() => at.push(clock.monotonic()), 0);
    clock.advance(5);
    // First run is due at once (0 ms), then every 1 ms.
    expect(at).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('cancel stops a timeout before it fires and an interval between firings', () => {
    const clock = new TestClock(T0);
    const fired: string[] = [];
    const cancelT = clock.setTimeout(() => fired.push('timeout'), 100);
    const cancelI = clock.setInterval(() => fired.push(`i@${clock.monotonic()}`), 100);
    cancelT();
    clock.advance(250);
    expect(fired).toEqual(['i@100', 'i@200']);
    cancelI();
    cancelI(); // safe twice
    clock.advance(1000);
    expect(fired).toEqual(['i@100', 'i@200']);
    expect(clock.pending()).toBe(0);
  });

  it('an interval may cancel itself from inside its callback', () => {
    const clock = new TestClock(T0);
    let n = 0;
    const cancel = clock.setInterval(() => {
      n++;
      if (n === 3) cancel();
    }, 10);
    clock.advance(100);
    expect(n).toBe(3);
    expect(clock.pending()).toBe(0);
  });

  it('a timer cancelling another that is due in the same advance prevents it from firing', () => {
    const clock = new TestClock(T0);
    const fired: string[] = [];
    let cancelB: () => void = () => {};
    clock.setTimeout(() => {
      fired.push('a');
      cancelB();
    }, 10);
    cancelB = clock.setTimeout(() => fired.push('b'), 20);
    clock.advance(30);
    expect(fired).toEqual(['a']);
  });

  it('jumpWall moves the wall clock only; timers follow the monotonic clock', () => {
    const clock = new TestClock(T0);
    const fired: [number, number][] = [];
    clock.setTimeout(() => fired.push([clock.now() - T0, clock.monotonic()]), 1000);
    clock.jumpWall(3_600_000); // laptop slept an hour
    expect(clock.now()).toBe(T0 + 3_600_000);
    expect(clock.monotonic()).toBe(0);
    expect(fired).toEqual([]);
    clock.advance(1000);
    expect(fired).toEqual([[3_601_000, 1000]]);
    clock.jumpWall(-5000); // NTP step back
    expect(clock.now()).toBe(T0 + 3_596_000);
    expect(clock.monotonic()).toBe(1000);
  });

  it('setWall sets the wall clock to an absolute time without touching the monotonic clock', () => {
    const clock = new TestClock(T0);
    clock.advance(10);
    clock.setWall(Date.UTC(2030, 0, 1));
    expect(clock.now()).toBe(Date.UTC(2030, 0, 1));
    expect(clock.monotonic()).toBe(10);
    clock.advance(5);
    expect(clock.now()).toBe(Date.UTC(2030, 0, 1) + 5);
  });
});
