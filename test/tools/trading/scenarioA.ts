import { dtmsConfig } from '../../../src/engines/dtms/index.js';
import type { Clock } from '../../../src/core/index.js';
import type { TradingView } from '../../../src/tools/index.js';
import { at, BARS, rig } from '../../engines/coordinator/harness.js';

/** The trading view of coordinator scenario A at 02:39 (one BTCUSD buy, half closed, trailed stop). */
export async function scenarioATrading(): Promise<{ view: TradingView; clock: Clock; close: () => void }> {
  const r = rig(dtmsConfig({ atrTrailK: 3 }));
  for (const b of BARS) {
    await r.feed(b);
    if (b.closeTime === at(1, 4)) await r.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 1, sl: Number((b.candle.close - 2 * b.atr!).toFixed(2)), tp: null, idempotencyKey: 'A1' });
    if (b.closeTime >= at(2, 39)) break;
  }
  await r.coordinator.idle();
  const view: TradingView = {
    venueId: r.venue.id,
    account: () => r.venue.account(),
    positions: () => r.coordinator.positions(),
    dtmsStates: (t) => r.coordinator.dtmsStates(t),
    dtmsActions: (q) => r.repo.query(q),
    exitPlans: (t) => r.coordinator.exitPlans(t),
    riskStatus: () => r.risk.status(),
    modes: () => ({ BTCUSD: 'replay' }),
    loop: () => null,
  };
  return { view, clock: r.clock, close: () => r.store.close() };
}
