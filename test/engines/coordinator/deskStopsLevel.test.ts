/**
 * The trading desk's default DTMS and exits configs take the broker's stops
 * level from the symbol's rules (`minStopDistance` = stopsLevel x point).
 * Recorded BTCUSDT M5 of 2024-03-13/14 (scenario A's run-up, a long of 1 at
 * 01:04:59.999 with its stop 2 ATR under): with a stops level of 20000
 * points (200 USD) no stop DTMS or exits sends is within 200 of the price;
 * without one, DTMS trailed as close as 179.48.
 */
import { describe, expect, it } from 'vitest';
import { EventBus, TestClock, type DtmsActionRecord, type SymbolSpec } from '../../../src/core/index.js';
import { createTradingDesk } from '../../../src/engines/coordinator/index.js';
import { DEFAULT_PAPER_RULES } from '../../../src/engines/paper/index.js';
import { BARS, at, driveDesk } from './harness.js';

const SPEC: SymbolSpec = { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' };
const PRICE = new Map(BARS.map((b) => [b.closeTime, b.candle.close]));

/** Runs the desk (paper venue with BTCUSD's stops level set) over the bars up to 04:14:59.999 and answers its journal. */
async function deskRun(stopsLevel: number): Promise<DtmsActionRecord[]> {
  const clock = new TestClock(BARS[0]!.closeTime);
  const bus = new EventBus((e) => {
    throw e;
  });
  const rows: DtmsActionRecord[] = [];
  bus.subscribe('dtms.action', (r) => rows.push(r));
  const rules = { ...DEFAULT_PAPER_RULES, BTCUSD: { ...DEFAULT_PAPER_RULES.BTCUSD!, stopsLevel } };
  const desk = createTradingDesk({ clock, bus, symbols: [SPEC], modeOf: () => 'replay', calendar: [], balance: 100_000, currency: 'USD', rules });
  desk.start();
  await driveDesk(desk, bus, clock, at(4, 14), async (b) => {
    if (b.closeTime === at(1, 4)) await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'V1' });
  });
  desk.stop();
  return rows;
}

/** Stops sent by DTMS or exits: [time, engine, stop, distance from the price]. */
const sentStops = (rows: readonly DtmsActionRecord[]) =>
  rows
    .filter((r) => r.action === 'modify_sl' && r.outcome === 'sent' && r.data['rule'] !== 'reconcile')
    .map((r) => [r.tsEvent, r.data['source'], r.data['value'], Number((PRICE.get(r.tsEvent)! - (r.data['value'] as number)).toFixed(2))]);

describe('trading desk: the broker stops level as the engines\' minimum stop distance', () => {
  it('without a stops level DTMS trails within 200 of the price (185.38 at 03:14, 179.48 at 03:24)', async () => {
    const stops = sentStops(await deskRun(0));
    expect(stops).toContainEqual([at(3, 14), 'dtms', 72974.76, 185.38]);
    expect(stops).toContainEqual([at(3, 24), 'dtms', 73048.77, 179.48]);
  });

  it('with 20000 points (200 USD) every stop DTMS and exits send keeps more than 200; DTMS declines the closer trails', async () => {
    const rows = await deskRun(20_000);
    expect(sentStops(rows)).toEqual([
      [at(1, 54), 'dtms', 72653.54, 216.46],
      [at(1, 59), 'dtms', 72705.57, 222.74],
      [at(2, 24), 'dtms', 72833.06, 213.1],
      [at(3, 24), 'exits', 73003.9, 224.35],
      [at(3, 39), 'exits', 73041.34, 223.18],
      [at(4, 4), 'exits', 73077.34, 212.23],
      [at(4, 9), 'exits', 73130.97, 219.04],
      [at(4, 14), 'dtms', 73347.04, 206.71],
    ]);
    const tooClose = rows.filter((r) => r.outcome === 'declined' && r.reason === 'stop would be too close to (or beyond) the price');
    expect(tooClose).toHaveLength(19);
    expect(tooClose[0]).toMatchObject({ tsEvent: at(2, 39), data: { source: 'dtms', rule: 'trail', value: 72908.87, price: 73100.35 } });
    // The coordinator's reconcile of a deferred DTMS stop (decided 208.43 away at 02:29) waits while the stop is within
    // the broker distance (194.72 away at 02:34): the venue never refuses a stop, and a reconcile sent keeps the distance.
    expect(rows.filter((r) => r.outcome === 'rejected')).toEqual([]);
    const reconciles = rows.filter((r) => r.action === 'modify_sl' && r.outcome === 'sent' && r.data['rule'] === 'reconcile');
    expect(reconciles.map((r) => [r.data['value'], Number((PRICE.get(r.tsEvent)! - (r.data['value'] as number)).toFixed(2))])).toEqual([[72905.28, 254.86]]);
  });
});
