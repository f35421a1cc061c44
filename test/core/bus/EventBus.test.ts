import { describe, expect, it } from 'vitest';
import { EventBus, type Topic } from '../../../src/core/bus/index.js';
import type { Candle, Tick } from '../../../src/core/types/index.js';
import { klines2017, TRADES_2017, tradeTicks } from '../../fixtures/load.js';

// First BTCUSDT spot trade ever (2017-08-17 04:00:28.322 UTC, id 0) as a tick.
const TICK: Tick = tradeTicks(TRADES_2017, 0)[0]!;

// Official 1m kline 2017-08-17 04:00 of BTCUSDT.
const CANDLE: Candle = klines2017()[0]!;

describe('EventBus', () => {
  it('delivers each payload synchronously, to every listener in subscription order', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('tick.fused', (t) => seen.push(`a:${t.seq}`));
    bus.subscribe('tick.fused', (t) => seen.push(`b:${t.seq}`));
    bus.subscribe('candle.closed', (c) => seen.push(`c:${c.openTime}`));
    bus.publish('tick.fused', TICK);
    // Synchronous: delivered before publish returned.
    expect(seen).toEqual(['a:0', 'b:0']);
    bus.publish('tick.fused', { ...TICK, seq: 1 });
    bus.publish('candle.closed', CANDLE);
    expect(seen).toEqual(['a:0', 'b:0', 'a:1', 'b:1', 'c:1502942400000']);
  });

  it('hands listeners the very payload object published (no copy)', () => {
    const bus = new EventBus();
    let got: Tick | null = null;
    bus.subscribe('tick.raw', (t) => {
      got = t;
    });
    bus.publish('tick.raw', TICK);
    expect(got).toBe(TICK);
  });

  it('delivers only to the topic subscribed', () => {
    const bus = new EventBus();
    const raw: Tick[] = [];
    const fused: Tick[] = [];
    bus.subscribe('tick.raw', (t) => raw.push(t));
    bus.subscribe('tick.fused', (t) => fused.push(t));
    bus.publish('tick.fused', TICK);
    expect(raw).toEqual([]);
    expect(fused).toEqual([TICK]);
  });

  it('publishing to a topic without listeners does nothing', () => {
    const errors: unknown[] = [];
    const bus = new EventBus((e) => errors.push(e));
    expect(() => bus.publish('system.event', { kind: 'x', level: 'info', component: 't', symbol: null, message: '', data: {}, tsEvent: 1, tsInit: 1 })).not.toThrow();
    expect(errors).toEqual([]);
    expect(bus.listenerCount('system.event')).toBe(0);
  });

  it('unsubscribe stops delivery to that listener only, and is safe to call twice', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const offA = bus.subscribe('tick.fused', () => seen.push('a'));
    bus.subscribe('tick.fused', () => seen.push('b'));
    expect(bus.listenerCount('tick.fused')).toBe(2);
    offA();
    offA();
    expect(bus.listenerCount('tick.fused')).toBe(1);
    bus.publish('tick.fused', TICK);
    expect(seen).toEqual(['b']);
  });

  it('the same function subscribed twice is delivered twice and removed once per unsubscribe', () => {
    const bus = new EventBus();
    let n = 0;
    const listener = () => {
      n++;
    };
    const off1 = bus.subscribe('tick.fused', listener);
    bus.subscribe('tick.fused', listener);
    bus.publish('tick.fused', TICK);
    expect(n).toBe(2);
    off1();
    bus.publish('tick.fused', TICK);
    expect(n).toBe(3);
  });

  it('a listener unsubscribing during delivery does not make the next listener miss the payload', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const offA: () => void = bus.subscribe('tick.fused', () => {
      seen.push('a');
      offA();
    });
    bus.subscribe('tick.fused', () => seen.push('b'));
    bus.subscribe('tick.fused', () => seen.push('c'));
    bus.publish('tick.fused', TICK);
    expect(seen).toEqual(['a', 'b', 'c']);
    bus.publish('tick.fused', TICK);
    expect(seen).toEqual(['a', 'b', 'c', 'b', 'c']);
  });

  it('a listener subscribed during delivery gets the next payload, not the current one', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    let added = false;
    bus.subscribe('tick.fused', () => {
      seen.push('a');
      if (!added) {
        added = true;
        bus.subscribe('tick.fused', () => seen.push('late'));
      }
    });
    bus.subscribe('tick.fused', () => seen.push('b'));
    bus.publish('tick.fused', TICK);
    expect(seen).toEqual(['a', 'b']);
    bus.publish('tick.fused', TICK);
    expect(seen).toEqual(['a', 'b', 'a', 'b', 'late']);
  });

  it('isolates a throwing listener: reported to onListenerError with its topic, the others still receive', () => {
    const reported: { error: unknown; topic: Topic }[] = [];
    const bus = new EventBus((error, topic) => reported.push({ error, topic }));
    const seen: string[] = [];
    const boom = new Error('consumer failed');
    bus.subscribe('candle.closed', () => seen.push('first'));
    bus.subscribe('candle.closed', () => {
      throw boom;
    });
    bus.subscribe('candle.closed', (c) => seen.push(`third:${c.close}`));
    expect(() => bus.publish('candle.closed', CANDLE)).not.toThrow();
    expect(seen).toEqual(['first', 'third:4261.48']);
    expect(reported).toEqual([{ error: boom, topic: 'candle.closed' }]);
    // The faulty listener stays subscribed and is isolated again on every publish.
    bus.publish('candle.closed', CANDLE);
    expect(reported).toHaveLength(2);
    expect(seen).toHaveLength(4);
  });

  it('isolates a single throwing listener (the one-listener fast path) too', () => {
    const reported: Topic[] = [];
    const bus = new EventBus((_e, topic) => reported.push(topic));
    bus.subscribe('tick.rejected', () => {
      throw new TypeError('bad');
    });
    expect(() => bus.publish('tick.rejected', { tick: TICK, reason: 'crossed book', tsInit: 1 })).not.toThrow();
    expect(reported).toEqual(['tick.rejected']);
  });

  it('without an error handler a throwing listener is swallowed, not rethrown', () => {
    const bus = new EventBus();
    const seen: number[] = [];
    bus.subscribe('tick.fused', () => {
      throw new Error('x');
    });
    bus.subscribe('tick.fused', (t) => seen.push(t.seq ?? -1));
    expect(() => bus.publish('tick.fused', TICK)).not.toThrow();
    expect(seen).toEqual([0]);
  });
});
