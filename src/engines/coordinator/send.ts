/**
 * How the coordinator's chosen action becomes one venue command: a stop move
 * keeps the take-profit, a close or partial close closes by volume, and a
 * hedge is an opposite market order tagged `hedge:<ticket>` (never enrolled
 * in DTMS itself).
 */
import type { ExecutionVenue, Position, TradeResult } from '../../core/index.js';
import type { Chosen } from './select.js';

/** Comment prefix of the hedges DTMS opens (`hedge:<ticket>`). */
export const HEDGE_COMMENT = 'hedge:';

/** Sends the chosen action for position `p` to the venue; `now` makes the hedge's idempotency key. */
export function sendChosen(venue: ExecutionVenue, p: Position, c: Chosen, now: number): Promise<TradeResult> {
  if (c.kind === 'modify_sl') return venue.modifyPosition(p.ticket, c.value, p.tp);
  if (c.kind === 'close') return venue.closePosition(p.ticket, null);
  if (c.kind === 'partial_close') return venue.closePosition(p.ticket, c.value);
  const side = p.side === 'buy' ? 'sell' : 'buy';
  return venue.placeOrder({ symbol: p.symbol, side, volume: c.value, sl: null, tp: null, idempotencyKey: `${HEDGE_COMMENT}${p.ticket}:${now}`, comment: `${HEDGE_COMMENT}${p.ticket}` });
}
