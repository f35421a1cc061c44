/**
 * Execution venues per symbol. A symbol in `replay` or `paper` mode trades at
 * the built-in paper venue; a symbol in `shadow` or `live` mode is managed
 * against MT5 through the bridge (its real positions and account), where
 * `shadow` only logs the decisions (the coordinator never sends them) and
 * `live` sends them. The router is what the coordinator sees, so a rollout can
 * go one symbol at a time (BTCUSD live while XAUUSD stays in shadow).
 */
import { RETCODE, type Account, type Clock, type ExecutionVenue, type OrderRequest, type Position, type TradeResult } from '../core/index.js';

/** Mode of a symbol, as `symbolMode` resolves it (live only with `trading.allowLive`). */
export type VenueMode = 'replay' | 'paper' | 'shadow' | 'live';

/** Which venue a mode trades at. */
export function venueKindOf(mode: VenueMode): 'paper' | 'mt5' {
  return mode === 'shadow' || mode === 'live' ? 'mt5' : 'paper';
}

/** Options of the router. */
export type RoutingVenueOptions = Readonly<{
  clock: Clock;
  paper: ExecutionVenue;
  /** The MT5 venue, or null when no bridge is configured (then shadow/live symbols answer NO_CONNECTION). */
  mt5: ExecutionVenue | null;
  modeOf: (symbol: string) => VenueMode;
}>;

/**
 * One `ExecutionVenue` over the paper venue and MT5, routed by the symbol's
 * mode. Positions are every paper position plus the MT5 positions of the
 * symbols routed to MT5 (tickets keep their venue after a mode switch). The account is MT5's when any configured symbol trades there (the
 * equity guard then watches real money), else the paper account.
 */
export class RoutingVenue implements ExecutionVenue {
  readonly id: string;
  private readonly tickets = new Map<string, 'paper' | 'mt5'>();

  constructor(
    private readonly o: RoutingVenueOptions,
    private readonly symbols: readonly string[],
  ) {
    const kinds = new Set(symbols.map((s) => venueKindOf(o.modeOf(s))));
    this.id = [...kinds].sort().map((k) => (k === 'mt5' ? (o.mt5?.id ?? 'mt5') : o.paper.id)).join('+') || o.paper.id;
  }

  placeOrder(request: OrderRequest): Promise<TradeResult> {
    const venue = this.venueOf(request.symbol);
    return venue ? venue.placeOrder(request) : Promise.resolve(this.noVenue(request.symbol));
  }

  modifyPosition(ticket: string, sl: number | null, tp: number | null): Promise<TradeResult> {
    const venue = this.venueOfTicket(ticket);
    return venue ? venue.modifyPosition(ticket, sl, tp) : Promise.resolve(this.unknownTicket(ticket));
  }

  closePosition(ticket: string, volume: number | null): Promise<TradeResult> {
    const venue = this.venueOfTicket(ticket);
    return venue ? venue.closePosition(ticket, volume) : Promise.resolve(this.unknownTicket(ticket));
  }

  positions(): readonly Position[] {
    const out: Position[] = [];
    this.tickets.clear();
    for (const [kind, venue] of [['paper', this.o.paper], ['mt5', this.o.mt5]] as const) {
      if (!venue) continue;
      for (const p of venue.positions()) {
        if (!this.symbols.includes(p.symbol)) continue;
        // The broker account may hold positions of symbols UTP runs on paper: those are the trader's, not UTP's to manage.
        if (kind === 'mt5' && venueKindOf(this.o.modeOf(p.symbol)) !== 'mt5') continue;
        this.tickets.set(p.ticket, kind);
        out.push(p);
      }
    }
    return out;
  }

  account(): Account {
    const usesMt5 = this.symbols.some((s) => venueKindOf(this.o.modeOf(s)) === 'mt5');
    return usesMt5 && this.o.mt5 ? this.o.mt5.account() : this.o.paper.account();
  }

  private venueOf(symbol: string): ExecutionVenue | null {
    return venueKindOf(this.o.modeOf(symbol)) === 'mt5' ? this.o.mt5 : this.o.paper;
  }

  private venueOfTicket(ticket: string): ExecutionVenue | null {
    if (!this.tickets.has(ticket)) this.positions();
    const kind = this.tickets.get(ticket);
    if (kind === undefined) return null;
    return kind === 'mt5' ? this.o.mt5 : this.o.paper;
  }

  private noVenue(symbol: string): TradeResult {
    return this.result(RETCODE.NO_CONNECTION, `${symbol} trades at MT5 (mode ${this.o.modeOf(symbol)}) but no MT5 bridge is configured`);
  }

  private unknownTicket(ticket: string): TradeResult {
    return this.result(RETCODE.POSITION_CLOSED, `no open position with ticket ${ticket} at any venue`);
  }

  private result(retcode: number, message: string): TradeResult {
    return { retcode, ok: false, message, ticket: null, price: null, volume: null, fillNote: null, tsEvent: this.o.clock.now() };
  }
}
