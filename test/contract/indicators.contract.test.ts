// One line per streaming calculator: every one of them honours the contract of DESIGN.md section 3 on real data.
// Inputs: official Binance BTCUSDT 1m klines (2024-03-11..18) rolled up to H1 (192 candles over 8 UTC days), each
// open candle amended to its real forming version (the roll-up of its first 30 minutes); the 1m candles themselves.
import { Atr, Ema, RangeExpansion, Vwap } from '../../src/pipeline/indicators/index.js';
import { binanceM1, formingSeries } from './inputs.js';
import { testStreamingContract } from './streamingContract.js';

const m1 = await binanceM1(['BTCUSDT-1m-2024-03-11.csv', 'BTCUSDT-1m-2024-03-12.csv']);
const h1 = formingSeries(await binanceM1());
const amend = { amend: h1.partial };

testStreamingContract('ATR(14) H1', () => new Atr(14), h1.candles, amend);
testStreamingContract('EMA(20) H1', () => new Ema(20), h1.candles, amend);
testStreamingContract('VWAP (UTC day) H1', () => new Vwap(), h1.candles, amend);
testStreamingContract('VWAP (22:00 UTC anchor) H1', () => new Vwap({ sessionStartUtcMs: 22 * 3_600_000 }), h1.candles, amend);
testStreamingContract('range expansion (ATR) H1', () => new RangeExpansion(), h1.candles, amend);
testStreamingContract('range expansion (mean range) H1', () => new RangeExpansion({ baseline: 'meanRange' }), h1.candles, amend);
testStreamingContract('ATR(14) M1', () => new Atr(14), m1);
testStreamingContract('VWAP (UTC day) M1', () => new Vwap(), m1);
testStreamingContract('range expansion (mean range, 5) M1', () => new RangeExpansion({ period: 5, baseline: 'meanRange' }), m1);
