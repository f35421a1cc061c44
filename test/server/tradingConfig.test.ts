/** Trading modes per symbol and the risk calendar in the configuration. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../src/server/compose.js';
import { loadConfig, symbolMode } from '../../src/server/config.js';
import { fixturePath } from '../fixtures/load.js';

function withConfig(json: unknown) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-tcfg-'));
  writeFileSync(path.join(dir, 'utp.config.json'), JSON.stringify(json));
  return loadConfig({ dataDir: dir }, {});
}

describe('trading modes per symbol', () => {
  it('defaults to the global mode; a per-symbol mode overrides it', () => {
    const c = withConfig({ mode: 'paper', trading: { modes: { XAUUSD: 'shadow' } } });
    expect([symbolMode(c, 'BTCUSD'), symbolMode(c, 'XAUUSD'), symbolMode(c, 'GBPJPY')]).toEqual(['paper', 'shadow', 'paper']);
  });

  it('live runs as shadow unless trading.allowLive is set explicitly', () => {
    expect(symbolMode(withConfig({ mode: 'shadow', trading: { modes: { BTCUSD: 'live' } } }), 'BTCUSD')).toBe('shadow');
    expect(symbolMode(withConfig({ mode: 'live' }), 'BTCUSD')).toBe('shadow');
    const allowed = withConfig({ mode: 'shadow', trading: { allowLive: true, modes: { BTCUSD: 'live' } } });
    expect([symbolMode(allowed, 'BTCUSD'), symbolMode(allowed, 'XAUUSD')]).toEqual(['live', 'shadow']);
  });

  it('risk.calendarFile defaults to null (no blackout) and is parsed with the configured format', () => {
    expect(loadCalendar(withConfig({}))).toEqual([]);
    const events = loadCalendar(withConfig({ risk: { calendarFile: fixturePath('calendar/quantlab_usd_important_events.csv'), calendarFormat: 'quantlab' } }));
    expect(events.some((e) => e.kind === 'RetailSales' && e.ts === Date.UTC(2024, 2, 14, 12, 30))).toBe(true);
  });
});
