/**
 * Shared set-up of the coordinator tests: recorded BTCUSDT 1m klines of
 * 2024-03-13/14 grouped into M5 candles with their structure events, a paper
 * venue priced at each candle's close, a risk engine with no calendar, a
 * journal in a real SQLite store, and the coordinator driven candle by candle.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventBus, TestClock, type OffsetUpdate } from '../../../src/core/index.js';
import { Coordinator, type ExitsAdviser, type TradingMode } from '../../../src/engines/coordinator/index.js';
import type { DtmsConfig } from '../../../src/engines/dtms/index.js';
import { PaperVenue, type PaperPrice } from '../../../src/engines/paper/index.js';
import { RiskEngine, type EconomicEvent, type RiskConfig } from '../../../src/engines/risk/index.js';
import { DtmsActionRepo, openStore, recordDtmsActions } from '../../../src/store/index.js';
import { BTC_RULES } from '../paper/harness.js';
import { bars, march2024, toM5, type Bar } from '../dtms/replay.js';

/** M5 bars of 2024-03-13/14 with ATR(14) and structure events (as in the DTMS tests). */
export const BARS: readonly Bar[] = bars(toM5(march2024([13, 14])), 300_000);

/** 2024-03-14 hh:mm:ss.mmm UTC. */
export const at = (h: number, m: number, s = 59, ms = 999): number => Date.UTC(2024, 2, 14, h, m, s, ms);

/** Broker offset of a rig: the venue is priced at candle close + `venue`; the coordinator is told `told` (what `offset.updated` would say). */
export type RigOffset = Readonly<{ venue: number; told: number }>;

/** An `offset.updated` payload for `symbol` with the offset in force `offset` (the calibration details are not read by the coordinator). */
export function offsetUpdate(symbol: string, offset: number, at: number): OffsetUpdate {
  return { symbol, offset, candidate: offset, pairs: 10, window: { from: at - 60_000, to: at, firstPair: at - 60_000, lastPair: at, pairWindowMs: 250 }, previous: null, held: false, discrepancy: false, threshold: null, atr: null, settleStreak: 0, tsEvent: at, tsInit: at };
}

/**
 * A coordinator over a paper venue (balance 10000 USD) with its journal in a fresh SQLite file. With `offset`, the
 * candles and structure events stay Binance prices while the venue (broker) prices are shifted by `offset.venue`.
 */
export function rig(dtms: DtmsConfig, mode: TradingMode = 'replay', exits: ExitsAdviser | null = null, calendar: readonly EconomicEvent[] = [], riskConfig: RiskConfig = {}, offset: RigOffset = { venue: 0, told: 0 }) {
  const clock = new TestClock(BARS[0]!.closeTime);
  let price: PaperPrice | null = null;
  const venue = new PaperVenue({ clock, rules: { BTCUSD: BTC_RULES }, balance: 10000, currency: 'USD', defaultSpread: { BTCUSD: 0.2 }, priceOf: () => price });
  const risk = new RiskEngine(clock, calendar, riskConfig);
  const bus = new EventBus((e) => {
    throw e;
  });
  const store = openStore({ path: path.join(mkdtempSync(path.join(os.tmpdir(), 'utp-coord-')), 'utp.sqlite'), clock });
  const repo = new DtmsActionRepo(store.db);
  recordDtmsActions(bus, repo);
  const coordinator = new Coordinator({ clock, venue, risk, modeOf: () => mode, record: (r) => bus.publish('dtms.action', r), dtmsConfig: () => dtms, tickDecisions: false, exits });
  coordinator.attach(bus, () => false);
  if (offset.told !== 0) bus.publish('offset.updated', offsetUpdate('BTCUSD', offset.told, clock.now()));
  /** Feeds one bar: time at its close, price = close, structure events, then the closed candle (one decision). */
  const feed = async (b: Bar): Promise<void> => {
    clock.advance(b.closeTime - clock.now());
    const broker = b.candle.close + offset.venue;
    price = { bid: broker, ask: broker, last: broker, tsEvent: b.closeTime };
    for (const e of b.events) coordinator.onStructure(e);
    await coordinator.onCandle(b.candle);
  };
  return { clock, venue, risk, store, repo, coordinator, feed };
}

/** Minimal view of a trading desk the bar driver needs (`createTradingDesk`'s answer fits). */
type DrivenDesk = Readonly<{ coordinator: Readonly<{ idle(): Promise<void> }> }>;

/**
 * Drives a started trading desk over BARS the way the pipeline would: per bar the clock at its close, a fused
 * tick at the close price, its structure events and the closed candle, then waits for the coordinator; `onBar`
 * runs after each bar (e.g. to request an entry); stops after the bar closing at `until`.
 */
export async function driveDesk(desk: DrivenDesk, bus: EventBus, clock: TestClock, until: number, onBar: (b: Bar) => Promise<void> | void = () => {}): Promise<void> {
  for (const b of BARS) {
    clock.advance(b.closeTime - clock.now());
    const c = b.candle.close;
    bus.publish('tick.fused', { symbol: 'BTCUSD', source: 'binance', tsEvent: b.closeTime, tsInit: b.closeTime, bid: c, ask: c, last: c, volume: 0, trades: 1, takerSide: null, seq: null, offset: 0 });
    for (const e of b.events) bus.publish('structure.event', e);
    bus.publish('candle.closed', b.candle);
    await desk.coordinator.idle();
    await onBar(b);
    if (b.closeTime >= until) break;
  }
  await desk.coordinator.idle();
}
