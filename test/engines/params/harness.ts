/**
 * Shared set-up of the parameter tests: a fresh SQLite store holding the
 * recorded BTCUSDT 1m klines of 2024-03-14 (M1) and the M5 candles grouped
 * from them, written through the store's candle repo, and a parameter
 * service over it (the store's ParameterRepo, the paper venue's rules).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestClock } from '../../../src/core/index.js';
import { createParameterService, type ParameterServiceOptions } from '../../../src/engines/params/index.js';
import { DEFAULT_PAPER_RULES } from '../../../src/engines/paper/index.js';
import { openStore, ParameterRepo, type Store } from '../../../src/store/index.js';
import { march2024, toM5 } from '../dtms/replay.js';

/** The symbols the dry run covers: only BTCUSD has recorded candles here. */
export const SYMBOLS = ['BTCUSD', 'XAUUSD', 'GBPJPY'] as const;

/** 2026-11-25 12:00 UTC: when the tests apply their changes. */
export const T0 = Date.UTC(2026, 10, 25, 12);

/** A temp data folder with `utp.sqlite` holding BTCUSD M1 and M5 candles of 2024-03-14. */
export function recordedStore(): { dir: string; store: Store; clock: TestClock; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-params-'));
  const clock = new TestClock(T0);
  const store = openStore({ path: path.join(dir, 'utp.sqlite'), clock });
  const m1 = march2024([14]);
  store.candles.upsertCandles(m1);
  store.candles.upsertCandles(toM5(m1));
  return {
    dir,
    store,
    clock,
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The parameter service over a recorded store (options override the defaults). */
export function serviceOn(store: Store, clock: TestClock, options: Partial<ParameterServiceOptions> = {}) {
  return createParameterService({
    store: new ParameterRepo(store.db),
    clock,
    symbols: SYMBOLS,
    rules: DEFAULT_PAPER_RULES,
    candles: (symbol, limit) => store.candles.queryCandles({ symbol, timeframe: 'M5', limit, order: 'desc' }),
    ...options,
  });
}
