import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle, SymbolSpec } from '../../../src/core/index.js';
import { TestClock } from '../../../src/core/index.js';
import { CandleAggregator } from '../../../src/pipeline/aggregation/index.js';
import { VolatilityBridgeService, type VolatilityBridgeReading } from '../../../src/pipeline/volatility/index.js';
import { binanceM5, dukascopyTicks, HOUR_START } from '../calibration/fixtures.js';
import { Atr } from '../../../src/pipeline/indicators/index.js';

const BTC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };

let binM5: Candle[] = [];
let brokerM5: Candle[] = [];

beforeAll(async () => {
  binM5 = await binanceM5();
  const clock = new TestClock(HOUR_START);
  const agg = new CandleAggregator({ symbol: 'BTCUSD', basis: 'bid', timeframes: ['M5'], clock, onClosed: (c) => brokerM5.push({ ...c, sources: ['mt5'] }) });
  for (const t of await dukascopyTicks()) agg.add(t);
  agg.closeUntil(HOUR_START + 3_600_000);
});

function setup(spec: SymbolSpec, warm: readonly Candle[], start = HOUR_START + 300_000) {
  const clock = new TestClock(start);
  const readings: VolatilityBridgeReading[] = [];
  const service = new VolatilityBridgeService({
    clock,
    symbols: [spec],
    bridge: {},
    offsetOf: () => 2.34,
    brokerSpreadOf: () => 72.7,
    onReading: (r) => readings.push(r),
  });
  service.warmUp(spec.symbol, warm);
  service.start();
  return { clock, readings, service };
}

describe('VolatilityBridgeService', () => {
  it('waits for the secondary M5 of the same open time, whichever closes first', () => {
    const { clock, readings, service } = setup(BTC, binM5.filter((c) => c.openTime < HOUR_START));
    expect(service.warmUpState('BTCUSD')).toEqual({ requiredInputs: 38, stable: true });
    const b0 = binM5.find((c) => c.openTime === HOUR_START) as Candle;
    service.onCandle(b0);
    expect(readings).toHaveLength(0);
    clock.advance(1_500);
    service.onCandle(brokerM5[0] as Candle); // the broker's M5 closes 1.5 s later
    expect(readings).toHaveLength(1);
    expect(readings[0]?.sources).toEqual(['binance', 'mt5']);
    // next period: the broker closes first, the primary then reads at once
    service.onCandle(brokerM5[1] as Candle);
    service.onCandle(binM5.find((c) => c.openTime === HOUR_START + 300_000) as Candle);
    expect(readings).toHaveLength(2);
    expect(readings[1]?.sources).toEqual(['binance', 'mt5']);
    expect(service.reading('BTCUSD')).toBe(readings[1]);
    expect(service.atr('BTCUSD')).toBe(readings[1]?.atr);
  });

  it('reads without the secondary after 3 s, and ignores it when it comes later; other timeframes and symbols are ignored', () => {
    const { clock, readings, service } = setup(BTC, binM5.filter((c) => c.openTime < HOUR_START));
    service.onCandle({ ...(brokerM5[0] as Candle), timeframe: 'M1' });
    service.onCandle({ ...(binM5[0] as Candle), symbol: 'XAUUSD' });
    service.onCandle(binM5.find((c) => c.openTime === HOUR_START) as Candle);
    clock.advance(2_500);
    expect(readings).toHaveLength(0);
    clock.advance(500);
    expect(readings).toHaveLength(1);
    expect(readings[0]?.sources).toEqual(['binance']);
    expect(readings[0]?.weights).toEqual({ binance: 1 });
    service.onCandle(brokerM5[0] as Candle);
    clock.advance(10_000);
    expect(readings).toHaveLength(1);
    service.stop();
  });

  it('an MT5-primary symbol without Binance (GBPJPY-like) reads at once from the broker alone, in its bid basis', () => {
    const spec: SymbolSpec = { symbol: 'BTCUSD', binance: null, mt5: 'BTCUSD', primary: 'mt5' };
    const clock = new TestClock(HOUR_START);
    const readings: VolatilityBridgeReading[] = [];
    const service = new VolatilityBridgeService({
      clock,
      symbols: [spec],
      bridge: { createAtr: () => new Atr(3), baselineLength: 3 },
      offsetOf: () => null,
      brokerSpreadOf: () => null,
      onReading: (r) => readings.push(r),
    });
    for (const c of brokerM5) service.onCandle(c);
    // warm-up: ATR(3) + 3 baseline values = 6 candles; the 6th reads first
    expect(readings.map((r) => new Date(r.openTime).toISOString().slice(11, 16))).toEqual(['12:25', '12:30', '12:35', '12:40', '12:45', '12:50', '12:55']);
    for (const r of readings) {
      const c = brokerM5.find((x) => x.openTime === r.openTime) as Candle;
      expect(r.primary).toBe('mt5');
      expect(r.fusedClose).toBe(c.close); // bid close, no spread needed
      expect(r.weights).toEqual({ mt5: 1 });
    }
  });
});
