import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, TestClock } from '../../../src/core/index.js';
import { AnalysisRepo, openStore, type Store } from '../../../src/store/index.js';

const T0 = Date.UTC(2024, 2, 18, 12);
const record = (symbol: string, ts: number, bias: string) => ({
  symbol,
  timeframes: ['M1', 'M5', 'M15', 'H1', 'H4'],
  question: 'analyze_market',
  answer: { asOf: new Date(ts).toISOString(), plan: { bias, score: 0.5 }, levels: [1.5, 2, null] },
  model: 'utp-deterministic-v1',
  ts,
});

describe('AnalysisRepo (analysis_history)', () => {
  let store: Store;
  let repo: AnalysisRepo;
  beforeEach(() => {
    store = openStore({ path: ':memory:', clock: new TestClock(T0) });
    repo = new AnalysisRepo(store.db);
  });
  afterEach(() => store.close());

  it('appends with rising ids and reads back exactly what was stored', () => {
    const a = repo.append(record('BTCUSD', T0, 'bullish'));
    const b = repo.append(record('XAUUSD', T0 + 1, 'bearish'));
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(repo.list({ limit: 10 })).toEqual([b, a]);
    const row = store.db.prepare('SELECT symbol, timeframes, question, answer_json, model, ts FROM analysis_history WHERE id = 1').get();
    expect(row).toEqual({
      symbol: 'BTCUSD',
      timeframes: '["M1","M5","M15","H1","H4"]',
      question: 'analyze_market',
      answer_json: '{"asOf":"2024-03-18T12:00:00.000Z","plan":{"bias":"bullish","score":0.5},"levels":[1.5,2,null]}',
      model: 'utp-deterministic-v1',
      ts: T0,
    });
  });

  it('lists newest first by (ts, id), filters by symbol, and pages strictly before a position', () => {
    repo.append(record('BTCUSD', T0 + 5, 'a')); // id 1, newest time
    repo.append(record('BTCUSD', T0, 'b')); // id 2
    repo.append(record('GBPJPY', T0, 'c')); // id 3
    repo.append(record('BTCUSD', T0, 'd')); // id 4
    expect(repo.list({ limit: 10 }).map((r) => r.id)).toEqual([1, 4, 3, 2]);
    expect(repo.list({ symbol: 'BTCUSD', limit: 10 }).map((r) => r.id)).toEqual([1, 4, 2]);
    expect(repo.list({ limit: 10, before: { ts: T0, id: 4 } }).map((r) => r.id)).toEqual([3, 2]);
    expect(repo.list({ symbol: 'BTCUSD', limit: 1, before: { ts: T0 + 5, id: 1 } }).map((r) => r.id)).toEqual([4]);
    expect(repo.list({ symbol: 'EURUSD', limit: 10 })).toEqual([]);
    expect([repo.count(), repo.count('BTCUSD'), repo.count('EURUSD')]).toEqual([4, 3, 0]);
  });

  it('rejects what cannot be stored, and reads hand-written rows leniently', () => {
    expect(() => repo.append({ ...record('', T0, 'x') })).toThrow(InvalidRequestError);
    expect(() => repo.append({ ...record('BTCUSD', 1.5, 'x') })).toThrow(InvalidRequestError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => repo.append({ ...record('BTCUSD', T0, 'x'), answer: cyclic })).toThrow(/not JSON/);
    expect(() => repo.list({ limit: -1 })).toThrow(InvalidRequestError);
    store.db.prepare("INSERT INTO analysis_history (symbol, timeframes, question, answer_json, model, ts) VALUES ('BTCUSD', 'H1, H4', NULL, 'oops', NULL, ?)").run(T0);
    expect(repo.list({ limit: 1 })[0]).toEqual({ id: 1, symbol: 'BTCUSD', timeframes: ['H1', 'H4'], question: null, answer: { _raw: 'oops' }, model: null, ts: T0 });
  });
});
