import { beforeAll, describe, expect, it } from 'vitest';
import type { Candle, SymbolSpec, Tick } from '../../../src/core/index.js';
import { TestClock } from '../../../src/core/index.js';
import { CandleAggregator, aggregateCandles } from '../../../src/pipeline/aggregation/index.js';
import { OffsetEngine, type OffsetUpdate } from '../../../src/pipeline/calibration/index.js';
import { VolatilityBridgeService, type VolatilityBridgeReading } from '../../../src/pipeline/volatility/index.js';
import { binanceMinutes, dukascopyTicks, HOUR_END, HOUR_START, klineCloseTicks, medianOf, mergeByTime } from '../calibration/fixtures.js';

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };

type Run = { readings: VolatilityBridgeReading[]; updates: OffsetUpdate[]; mt5: Tick[]; dukaM5: Candle[]; binM5: Candle[] };
let run: Run;

/**
 * The hour replayed as the pipeline would run it: the Dukascopy quotes stand
 * for the MT5 broker (source relabelled `mt5`), Binance is the 1m kline
 * closes (ticks for the offset engine) and Binance M5 candles closing at their
 * close time; the broker's M5 bid candles come from the project's
 * CandleAggregator, closed by a clock timer 2 s after their end (as the
 * pipeline does); the offset engine calibrates every 60 s and feeds the
 * bridge service its offset, spread, qualities; the service's ATR feeds the
 * engine's discrepancy threshold.
 */
beforeAll(async () => {
  const mt5 = (await dukascopyTicks()).map((t): Tick => ({ ...t, source: 'mt5' }));
  const day = await binanceMinutes();
  const binM5 = aggregateCandles(day, 'M5');
  const hour = day.filter((m) => m.openTime >= HOUR_START && m.openTime < HOUR_END);
  const clock = new TestClock(HOUR_START + 1_000);
  const readings: VolatilityBridgeReading[] = [];
  const updates: OffsetUpdate[] = [];
  const dukaM5: Candle[] = [];
  let service: VolatilityBridgeService | null = null;
  const engine = new OffsetEngine({ lookbackMs: 3_600_000, pairWindowMs: 30_000, atrOf: (s) => service?.atr(s) ?? null });
  service = new VolatilityBridgeService({
    clock,
    symbols: [SPEC],
    bridge: {},
    offsetOf: (s) => engine.offset(s),
    brokerSpreadOf: (s) => engine.brokerSpread(s),
    qualityOf: (s, source) => engine.sourceQuality(s, source),
    onReading: (r) => readings.push(r),
  });
  service.warmUp('BTCUSD', binM5.filter((c) => c.openTime < HOUR_START));
  const aggregator = new CandleAggregator({
    symbol: 'BTCUSD',
    basis: 'bid',
    timeframes: ['M5'],
    clock,
    onClosed: (c) => {
      const candle = { ...c, sources: ['mt5' as const] };
      dukaM5.push(candle);
      service?.onCandle(candle);
    },
  });
  service.start();
  clock.setInterval(() => updates.push(...engine.calibrate(clock.now()).updates), 60_000);
  clock.setInterval(() => aggregator.closeUntil(clock.now() - 2_000), 250);
  type Ev = { ts: number; run: () => void };
  const events: Ev[] = [
    ...mergeByTime(mt5, klineCloseTicks(hour)).map((t) => ({
      ts: t.tsEvent,
      run: () => {
        engine.add(t);
        if (t.source === 'mt5') aggregator.add(t);
      },
    })),
    ...binM5.filter((c) => c.openTime >= HOUR_START && c.openTime < HOUR_END).map((c) => ({ ts: c.tsEvent, run: () => service?.onCandle(c) })),
  ].sort((a, b) => a.ts - b.ts);
  for (const e of events) {
    if (e.ts > clock.now()) clock.advance(e.ts - clock.now());
    e.run();
  }
  clock.advance(HOUR_END + 10_000 - clock.now());
  service.stop();
  run = { readings, updates, mt5, dukaM5, binM5 };
});

describe('M5 bridge over the real hour with both sources (Binance primary, Dukascopy as the MT5 side)', () => {
  it('one reading per M5 of the hour; the first before the offset is calibrated uses the broker alone', () => {
    expect(run.readings.map((r) => new Date(r.openTime).toISOString().slice(11, 16))).toEqual([
      '12:00', '12:05', '12:10', '12:15', '12:20', '12:25', '12:30', '12:35', '12:40', '12:45', '12:50', '12:55',
    ]);
    expect(run.dukaM5).toHaveLength(12);
    const first = run.readings[0] as VolatilityBridgeReading;
    // no offset before 12:10:01 (10 pairs): Binance cannot be expressed in broker terms
    expect(first.offset).toBeNull();
    expect(first.sources).toEqual(['mt5']);
    expect(run.readings.slice(2).every((r) => r.offset !== null && r.sources.join() === 'binance,mt5')).toBe(true);
  });

  it('fused close = weighted (Binance close + offset, broker bid close + spread/2), weights exp(-age/60 s), at every reading', () => {
    for (const r of run.readings) {
      const bin = run.binM5.find((c) => c.openTime === r.openTime) as Candle;
      const duka = run.dukaM5.find((c) => c.openTime === r.openTime) as Candle;
      const end = r.openTime + 299_999;
      // the offset in force: the last calibration before the reading
      const inForce = run.updates.filter((u) => u.tsInit <= r.tsInit).at(-1);
      expect(r.offset).toBe(inForce?.offset ?? null);
      // the broker spread: median of the last 512 broker quotes' ask - bid
      const quotes = run.mt5.filter((t) => t.tsEvent <= r.tsInit).slice(-512);
      expect(r.brokerSpread).toBeCloseTo(medianOf(quotes.map((t) => (t.ask as number) - (t.bid as number))), 9);
      const wb = Math.exp(-(end - bin.tsEvent) / 60_000);
      const wd = Math.exp(-(end - duka.tsEvent) / 60_000);
      const brokerMid = duka.close + (r.brokerSpread as number) / 2;
      if (r.offset === null) {
        expect(r.fusedClose).toBeCloseTo(brokerMid, 9);
        continue;
      }
      expect(r.weights.binance).toBeCloseTo(wb / (wb + wd), 12);
      expect(r.weights.mt5).toBeCloseTo(wd / (wb + wd), 12);
      expect(r.fusedClose).toBeCloseTo(((bin.close + r.offset) * wb + brokerMid * wd) / (wb + wd), 9);
      // both legs agree within the observed basis noise: the fused close sits between them
      expect(Math.abs(bin.close + r.offset - brokerMid)).toBeLessThan(15);
      expect(r.fusedClose).toBeGreaterThanOrEqual(Math.min(bin.close + r.offset, brokerMid) - 1e-9);
      expect(r.fusedClose).toBeLessThanOrEqual(Math.max(bin.close + r.offset, brokerMid) + 1e-9);
    }
  });

  it('the offset ends on the median observed basis and ATR(M5) comes from the bridge (no discrepancy in the hour)', () => {
    const last = run.updates.at(-1) as OffsetUpdate;
    expect(last.offset).toBeCloseTo(2.34, 9);
    // the 13:00:01 calibration ran before the 12:55 reading (emitted when the broker's M5 closed, 13:00:02): it used 12:50's ATR
    const before = run.readings.filter((r) => r.tsInit <= last.tsInit).at(-1) as VolatilityBridgeReading;
    expect(new Date(before.openTime).toISOString().slice(11, 16)).toBe('12:50');
    expect(last.atr).toBe(before.atr);
    expect(last.threshold).toBe(0.5 * before.atr);
    expect(run.updates.every((u) => !u.discrepancy)).toBe(true);
  });
});
