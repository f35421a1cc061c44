// The open-candle path as the live pipeline drives it: an H1 candle forms minute by minute (real roll-ups of the
// official Binance 1m klines), each new version amends it with replace, and the closed version must leave every
// indicator exactly where adding the closed candles would.
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/core/index.js';
import { Atr, Ema, RangeExpansion, Vwap } from '../../../src/pipeline/indicators/index.js';
import type { StreamingCalculator } from '../../../src/pipeline/indicators/index.js';
import { binanceM1, formingSeries } from '../../contract/inputs.js';

const m1 = await binanceM1();
const h1 = formingSeries(m1, 'H1', 7); // 192 H1 candles; versions after 1, 8, 15, ... 57 minutes
const m5 = formingSeries(m1.slice(0, 1440), 'M5', 1); // 288 M5 candles; versions after 1..4 minutes

const calculators: [string, () => StreamingCalculator<Candle, number>][] = [
  ['ATR(14)', () => new Atr(14)],
  ['EMA(20)', () => new Ema(20)],
  ['VWAP', () => new Vwap()],
  ['range expansion (ATR)', () => new RangeExpansion()],
  ['range expansion (mean range)', () => new RangeExpansion({ baseline: 'meanRange' })],
];

describe.each(calculators)('%s: replace on the forming candle', (_name, make) => {
  it.each([
    ['H1', h1],
    ['M5', m5],
  ] as const)('%s: add(c1..cn-1), add(partial cn), replace(more of cn)..., replace(full cn) equals add(c1..cn), at every n', (_tf, series) => {
    const { candles } = series;
    const plain = make();
    const expected = candles.map((c) => plain.add(c));
    const live = make();
    candles.forEach((candle, n) => {
      const forming = series.forming(n);
      expect(forming.length).toBeGreaterThan(0);
      const prefix = candles.slice(0, n);
      forming.forEach((version, j) => {
        const got = j === 0 ? live.add(version) : live.replace(version);
        const fresh = make();
        for (const c of prefix) fresh.add(c);
        expect(got, `candle ${n} version ${j}`).toBe(fresh.add(version));
      });
      expect(live.replace(candle), `candle ${n} closed`).toBe(expected[n]);
      expect(live.getResult()).toBe(expected[n]);
      expect(live.isStable).toBe(expected[n] !== null);
    });
  });

  it('is unchanged by a thousand replaces of the same version', () => {
    const calc = make();
    for (const c of h1.candles.slice(0, 50)) calc.add(c);
    const once = calc.replace(h1.candles[49]!);
    for (let i = 0; i < 1000; i++) calc.replace(i % 2 === 0 ? h1.partial(h1.candles[49]!) : h1.candles[49]!);
    expect(calc.getResult()).toBe(once);
    expect(calc.add(h1.candles[50]!)).toBe(
      (() => {
        const fresh = make();
        return h1.candles.slice(0, 51).map((c) => fresh.add(c))[50];
      })(),
    );
  });
});
