// The M5 volatility bridge on the shared streaming contract (test/contract/streamingContract.ts, DESIGN.md section 3):
// real Binance BTCUSDT M5 candles (2024-03-11, rolled up from the official 1m klines), each amended by `replace` to its
// real forming version (the roll-up of its first minutes), with structure labels that change from candle to candle.
import type { Candle } from '../../../src/core/index.js';
import { M5VolatilityBridge, type BridgeInput, type StructureLabel } from '../../../src/pipeline/volatility/index.js';
import { binanceM1, formingSeries } from '../../contract/inputs.js';
import { testStreamingContract } from '../../contract/streamingContract.js';

const m1 = await binanceM1(['BTCUSDT-1m-2024-03-11.csv']);
const m5 = formingSeries(m1, 'M5', 2);

const direction = (c: Candle): StructureLabel => (c.close > c.open ? 'bullish' : c.close < c.open ? 'bearish' : 'neutral');

function inputOf(c: Candle, i: number): BridgeInput {
  const prev = m5.candles[i - 1] ?? c;
  return {
    primary: c,
    primarySource: 'binance',
    // a secondary with the same open time: the Binance candle 3 USD higher, as a mid-basis broker quote
    secondary: { ...c, close: c.close + 3, sources: ['mt5'], basis: 'mid', tsEvent: c.openTime + 200_000 },
    secondarySource: 'mt5',
    offset: 2.5,
    brokerSpread: 10,
    quality: { binance: 1, mt5: i % 7 === 0 ? 0.25 : 1 },
    labels: [
      { source: 'binance', timeframe: 'M1', label: direction(c) },
      { source: 'mt5', timeframe: 'M1', label: i % 3 === 0 ? 'bearish' : 'bullish' },
      { source: 'binance', timeframe: 'M5', label: direction(prev) },
      { source: 'mt5', timeframe: 'M5', label: direction(prev) },
      { source: 'binance', timeframe: 'M15', label: i % 5 < 3 ? 'bullish' : 'neutral' },
    ],
    tsInit: c.openTime + 300_000,
  };
}

const inputs = m5.candles.map(inputOf);

testStreamingContract('M5 volatility bridge (BTCUSD, Binance primary)', () => new M5VolatilityBridge({ symbol: 'BTCUSD' }), inputs, {
  amend: (x) => ({ ...x, primary: m5.partial(x.primary), tsInit: x.primary.openTime + 150_000 }),
  replaceChecks: 40,
});

// and with a short warm-up, so that early M15 detection and the M1 filter are exercised from the start
testStreamingContract('M5 volatility bridge (ATR 14, baseline 3)', () => new M5VolatilityBridge({ symbol: 'BTCUSD', baselineLength: 3 }), inputs, {
  amend: (x) => ({ ...x, primary: m5.partial(x.primary), labels: x.labels?.map((l) => (l.timeframe === 'M1' ? { ...l, label: 'bearish' as const } : l)) }),
  replaceChecks: 60,
});
