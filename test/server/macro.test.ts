import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus, TestClock, type SystemEvent } from '../../src/core/index.js';
import { configSchema } from '../../src/server/config.js';
import { createMacroService } from '../../src/server/macro.js';
import { getMacroContext } from '../../src/tools/index.js';

describe('macro service', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'utp-macro-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the JSON feed file, answers get_macro_context with ages, and logs a snapshot every 5 minutes', async () => {
    const file = path.join(dir, 'macro.json');
    const t0 = Date.UTC(2024, 2, 12, 13, 0, 0); // Tuesday 13:00 UTC: London and New York (US DST) both open
    writeFileSync(file, JSON.stringify({ readings: [{ indicator: 'VIX', value: 14.5, ts: t0 - 60_000 }, { indicator: 'DXY', value: 102.9, ts: t0 - 30_000 }] }));
    const clock = new TestClock(t0);
    const bus = new EventBus();
    const logged: SystemEvent[] = [];
    bus.subscribe('system.event', (e) => logged.push(e));
    const config = configSchema.parse({ macro: { jsonFile: file, pollMs: 60_000 } }).macro;
    const macro = createMacroService(config, clock, bus, pino({ level: 'silent' }));
    macro.start();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first read of the file (real file IO)
    const snapshot = macro.store.snapshot(clock.now());
    expect(snapshot.readings.VIX).toMatchObject({ value: 14.5, source: 'json', ageMs: 60_000, stale: false });
    expect(snapshot.readings.DXY).toMatchObject({ value: 102.9, ageMs: 30_000 });
    expect(snapshot.readings.US10Y).toBeNull();
    expect(snapshot.session.label).toBe('london_new_york');
    const out = (await getMacroContext.handler({} as never, { macro: macro.store, clock } as never)) as { readings: Record<string, { value: number } | null> };
    expect(out.readings.VIX?.value).toBe(14.5);
    clock.advance(1_000);
    expect(logged.filter((e) => e.kind === 'macro.snapshot')).toHaveLength(1);
    clock.advance(299_000);
    expect(logged.filter((e) => e.kind === 'macro.snapshot')).toHaveLength(2);
    clock.advance(120_000);
    expect(logged.filter((e) => e.kind === 'macro.snapshot')).toHaveLength(2);
    macro.stop();
    expect(clock.pending()).toBe(0);
  });

  it('takes MT5 ticks of the configured broker symbols (quote mid)', () => {
    const clock = new TestClock(Date.UTC(2024, 2, 12, 13));
    const config = configSchema.parse({ macro: { mt5Symbols: { VIX: 'VIX.f', DXY: 'USDX' } } }).macro;
    const macro = createMacroService(config, clock, new EventBus(), pino({ level: 'silent' }));
    expect(macro.store.mt5Symbols().sort()).toEqual(['US10Y', 'USDX', 'VIX.f']); // US10Y keeps its default name
    const now = clock.now();
    macro.store.fromTick({ symbol: 'USDX', source: 'mt5', tsEvent: now, tsInit: now, bid: 103.1, ask: 103.3, last: null, volume: 0, trades: 0, takerSide: null, seq: null, offset: 0 });
    expect(macro.store.snapshot(now).readings.DXY).toMatchObject({ value: 103.2, source: 'mt5', origin: 'USDX' });
  });
});
