import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemEvent, Tick } from '../../src/core/index.js';
import { dukascopyQuotes, quoteTick } from '../fixtures/load.js';

/**
 * The first `n` Dukascopy BTCUSD ticks of 2023-02-20 12:00 UTC as quote ticks
 * of a broker feed without venue ids (source mt5, seq null), their times cut
 * to the whole second the way an MT5 `time` field (no `time_msc`) reports
 * them: several ticks share each second, in arrival order.
 */
export function brokerQuotes(n = 40): Tick[] {
  return dukascopyQuotes()
    .slice(0, n)
    .map(([ts, bid, ask]) => quoteTick({ symbol: 'BTCUSD', source: 'mt5', tsEvent: Math.floor(ts / 1000) * 1000, tsInit: ts, bid, ask, seq: null }));
}

/** A system event as a feed would raise it. */
export function feedEvent(kind: string, tsEvent: number, data: Record<string, unknown> = {}): SystemEvent {
  return { kind, level: 'info', component: 'binance-spot', symbol: 'BTCUSD', message: kind, data, tsEvent, tsInit: tsEvent + 1 };
}

/** A fresh temporary folder and its cleanup. */
export function tmpFolder(prefix = 'utp-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
