import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/core/index.js';
import { openStore, type Store } from '../../../src/store/index.js';

const T0 = Date.UTC(2024, 2, 11);

describe('ImportRepo', () => {
  let store: Store;
  beforeEach(() => {
    store = openStore({ path: ':memory:' });
  });
  afterEach(() => store.close());

  it('records a run from start to finish', () => {
    const id = store.imports.start({ file: 'dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv', source: 'dukascopy', symbol: 'BTCUSD', startedAt: T0 });
    expect(store.imports.get(id)).toEqual({
      id,
      file: 'dukascopy_btcusd_ticks_2023-02-20T12_decoded.csv',
      source: 'dukascopy',
      symbol: 'BTCUSD',
      rowsOk: 0,
      rowsBad: 0,
      status: 'running',
      error: null,
      startedAt: T0,
      finishedAt: null,
    });
    const done = store.imports.finish(id, { status: 'ok', rowsOk: 3427, rowsBad: 2, finishedAt: T0 + 1500 });
    expect(done).toMatchObject({ status: 'ok', rowsOk: 3427, rowsBad: 2, finishedAt: T0 + 1500, error: null });
    expect(() => store.imports.finish(id, { status: 'failed', rowsOk: 0, rowsBad: 0, finishedAt: T0 + 2000 })).toThrow(
      InvalidRequestError,
    );
    expect(() => store.imports.finish(999, { status: 'ok', rowsOk: 0, rowsBad: 0, finishedAt: T0 })).toThrow(/999/);
    expect(store.imports.get(999)).toBeNull();
  });

  it('keeps the error of a failed run and lists the newest first', () => {
    const a = store.imports.start({ file: 'a.csv', source: 'oanda', startedAt: T0 });
    const b = store.imports.start({ file: 'b.csv', source: 'binance', symbol: 'XAUUSD', startedAt: T0 + 10 });
    store.imports.finish(a, { status: 'failed', rowsOk: 10, rowsBad: 0, finishedAt: T0 + 5, error: 'unexpected header' });
    expect(store.imports.list(10).map((r) => [r.file, r.status, r.error])).toEqual([
      ['b.csv', 'running', null],
      ['a.csv', 'failed', 'unexpected header'],
    ]);
    expect(store.imports.list(1).map((r) => r.id)).toEqual([b]);
  });
});
