import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { StructureDetector, detectStructure, initialStructureState, stepStructure, structureConfig } from '../../../src/pipeline/structure/index.js';
import type { StructureEvent, StructureState } from '../../../src/pipeline/structure/index.js';
import { btcM1, closeOf, m5WithForming, xauH1 } from './series.js';

/** Deep-frozen: the event and its refs cannot be changed by anyone after emission. */
function deepFrozen(e: StructureEvent): boolean {
  return Object.isFrozen(e) && Object.isFrozen(e.refs);
}

/**
 * Replays `candles` bar by bar through one streaming detector and checks, at
 * EVERY prefix, that the set of confirmed events equals the final set (an
 * independent batch run over the whole series) restricted to
 * `confirmedAt <= close of the prefix's last candle`, deep-equal with ids.
 * Before each closed candle arrives, the same candle is first shown as still
 * open (`replace`), which must change nothing confirmed and must preview
 * exactly what its close then confirms.
 */
function replayEveryPrefix(candles: readonly Candle[], symbol: string, timeframe: Candle['timeframe']): { prefixes: number; events: number } {
  const final = detectStructure(candles, symbol, timeframe);
  const detector = new StructureDetector({ symbol, timeframe, maxEvents: 1_000_000 });
  const seen: StructureEvent[] = [];
  let end = 0; // final[0..end) = final events with confirmedAt <= the current prefix close
  for (let k = 0; k < candles.length; k++) {
    const candle = candles[k] as Candle;
    const before = detector.getResult();
    const preview = detector.replace({ ...candle, closed: false });
    expect(detector.events().length).toBe(seen.length);
    if (before !== null) expect({ ...preview, pending: [], pendingFor: null }).toEqual(before);

    const result = detector.add(candle);
    const close = closeOf(candle);
    while (end < final.length && (final[end] as StructureEvent).confirmedAt <= close) end++;
    const log = detector.events();
    // The confirmed set at this prefix: same length, the old events are the very same frozen objects, the new ones deep-equal the final ones.
    expect(log.length).toBe(end);
    for (let i = 0; i < seen.length; i++) if (log[i] !== seen[i]) expect.fail(`event ${i} was replaced at prefix ${k + 1}`);
    const fresh = log.slice(seen.length);
    expect(fresh).toEqual(final.slice(seen.length, end));
    for (const e of fresh) {
      expect(e.confirmedAt).toBe(close);
      expect(deepFrozen(e)).toBe(true);
      seen.push(e);
    }
    // The open-candle preview of this very candle was exact.
    if (preview !== null) expect(preview.pending).toEqual(fresh);
    if (result !== null) expect(result.events).toEqual(fresh);
  }
  expect(seen).toEqual(final);
  return { prefixes: candles.length, events: seen.length };
}

/** Fresh detectors on sampled prefixes: each must give exactly the final set restricted to the prefix. */
function freshPrefixRuns(candles: readonly Candle[], symbol: string, timeframe: Candle['timeframe'], every: number): number {
  const final = detectStructure(candles, symbol, timeframe);
  let runs = 0;
  for (let k = 1; k <= candles.length; k += every) {
    const prefix = candles.slice(0, k);
    const close = closeOf(prefix[k - 1] as Candle);
    expect(detectStructure(prefix, symbol, timeframe)).toEqual(final.filter((e) => e.confirmedAt <= close));
    runs++;
  }
  return runs;
}

describe('structure is causal on real data (zero rewritten readings)', () => {
  let xau: Candle[] = [];
  let btc: Candle[] = [];
  beforeAll(async () => {
    [xau, btc] = await Promise.all([xauH1(), btcM1()]);
    expect(xau).toHaveLength(2908);
    expect(btc).toHaveLength(11520);
  });

  it('XAUUSD H1 (MT5, 2,908 bars): every prefix confirms exactly the final events up to its close', () => {
    expect(replayEveryPrefix(xau, 'XAUUSD', 'H1')).toEqual({ prefixes: 2908, events: 3432 });
  });

  it('BTCUSD M1 (Binance klines, 11,520 bars): every prefix confirms exactly the final events up to its close', () => {
    expect(replayEveryPrefix(btc, 'BTCUSD', 'M1')).toEqual({ prefixes: 11520, events: 17683 });
  }, 120_000);

  it('fresh detectors on sampled prefixes agree with the full run restricted to each prefix', () => {
    expect(freshPrefixRuns(xau, 'XAUUSD', 'H1', 47)).toBe(62);
    expect(freshPrefixRuns(btc, 'BTCUSD', 'M1', 1153)).toBe(10);
  }, 120_000);

  it('real forming M5 candles (add first version, replace later ones, close by add or replace) never change the confirmed set', () => {
    const { closed, forming } = m5WithForming(btc);
    expect(closed).toHaveLength(2304);
    // Plain run over the closed candles, keeping every state: the preview of an open version must be what the
    // pure step would confirm if that version closed as it is, from the state after the previous closed candle.
    let state = initialStructureState(structureConfig('BTCUSD', 'M5'));
    const states = [state];
    const expected: StructureEvent[] = [];
    for (const c of closed) {
      const step = stepStructure(state, c);
      state = step.state;
      states.push(state);
      expected.push(...step.events);
    }
    const detector = new StructureDetector({ symbol: 'BTCUSD', timeframe: 'M5', maxEvents: 1_000_000 });
    let previewed = 0;
    for (let k = 0; k < closed.length; k++) {
      const confirmed = detector.events();
      const result = detector.getResult();
      const before = detector.state;
      expect(before).toEqual(states[k]);
      (forming[k] as Candle[]).forEach((open, j) => {
        const r = j === 0 ? detector.add(open) : detector.replace(open);
        const after = detector.events();
        expect(after.length).toBe(confirmed.length);
        for (let i = 0; i < after.length; i++) if (after[i] !== confirmed[i]) expect.fail(`open candle ${k} version ${j} changed event ${i}`);
        expect(detector.state).toBe(before);
        if (r === null) return;
        expect(r.pendingFor).toBe(open.openTime);
        expect({ ...r, pending: [], pendingFor: null }).toEqual(result);
        expect(r.pending).toEqual(stepStructure(states[k] as StructureState, { ...open, closed: true }).events);
        previewed += r.pending.length;
      });
      const close = closed[k] as Candle;
      const r = k % 2 === 0 ? detector.add(close) : detector.replace(close);
      if (r !== null) expect(r.pending).toEqual([]);
    }
    expect(forming.flat()).toHaveLength(2304 * 4);
    expect(previewed).toBe(10_246);
    expect(detector.events()).toEqual(expected);
    expect(expected).toEqual(detectStructure(closed, 'BTCUSD', 'M5'));
  }, 60_000);
});
