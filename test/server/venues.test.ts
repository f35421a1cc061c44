import { afterEach, describe, expect, it } from 'vitest';
import { RETCODE } from '../../src/core/index.js';
import { Mt5Venue } from '../../src/pipeline/feeds/mt5/Mt5Venue.js';
import { RoutingVenue, venueKindOf, type VenueMode } from '../../src/server/venues.js';
import { order, setup } from '../engines/paper/harness.js';
import { bookPrices } from '../engines/paper/harness.js';
import { tradeRig, type TradeRig } from '../pipeline/feeds/mt5/tradeRig.js';

let rig: TradeRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

describe('venueKindOf', () => {
  it('routes replay and paper to the paper venue, shadow and live to MT5', () => {
    expect((['replay', 'paper', 'shadow', 'live'] as const).map(venueKindOf)).toEqual(['paper', 'paper', 'mt5', 'mt5']);
  });
});

describe('RoutingVenue over the paper venue and MT5 through the real bridge and the simulated terminal', () => {
  it('sends each order to the venue of its symbol\'s mode, keeps tickets with their venue and reports the right account', async () => {
    rig = await tradeRig();
    const mt5 = new Mt5Venue({ bridge: rig.bridge, clock: rig.clock, symbols: { BTCUSD: 'BTCUSD' }, timeoutMs: 3_000 });
    const paper = setup();
    paper.at(bookPrices()[0]);
    let mode: VenueMode = 'paper';
    const venue = new RoutingVenue({ clock: rig.clock, paper: paper.venue, mt5, modeOf: () => mode }, ['BTCUSD']);
    expect(venue.id).toBe('paper');

    const p = await venue.placeOrder(order('buy', 0.5, 'paper-1'));
    expect(p).toMatchObject({ retcode: RETCODE.DONE, ticket: 'P1', price: 27981.4 });
    expect(venue.account()).toMatchObject({ balance: 10_000, currency: 'USD' });

    mode = 'live';
    const m = await venue.placeOrder({ symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 24700, tp: null, idempotencyKey: 'live-1' });
    expect(m).toMatchObject({ retcode: RETCODE.DONE, ticket: '700000001', price: 24925.8 });
    expect(venue.positions().map((x) => x.ticket).sort()).toEqual(['700000001', 'P1']);
    // A paper ticket is still closed at the paper venue after the switch; an MT5 ticket is modified at MT5.
    expect(await venue.closePosition('P1', null)).toMatchObject({ retcode: RETCODE.DONE, ticket: 'P1' });
    expect(await venue.modifyPosition('700000001', 24800, null)).toMatchObject({ retcode: RETCODE.DONE });
    expect(await venue.modifyPosition('nope', 1, null)).toMatchObject({ retcode: RETCODE.POSITION_CLOSED, ok: false });
    expect(venue.account()).toEqual(mt5.account());

    mode = 'paper';
    // MT5 positions of a symbol run on paper are the trader's own: not shown, not managed.
    expect(venue.positions()).toEqual([]);
  });

  it('answers NO_CONNECTION for a shadow or live symbol when no bridge is configured', async () => {
    const paper = setup();
    const venue = new RoutingVenue({ clock: paper.clock, paper: paper.venue, mt5: null, modeOf: () => 'shadow' }, ['BTCUSD']);
    const r = await venue.placeOrder(order('buy', 0.5, 'x'));
    expect(r).toMatchObject({ retcode: RETCODE.NO_CONNECTION, ok: false });
    expect(r.message).toContain('no MT5 bridge is configured');
  });
});
