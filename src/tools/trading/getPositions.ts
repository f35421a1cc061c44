import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { modesOutput, READ_ONLY_TRADING } from './shared.js';
import { isoOrNull, TRADING_NOT_WIRED } from './view.js';

/** Open positions at the venue with their DTMS phase. */
export const getPositions = defineTool({
  name: 'get_positions',
  title: 'Open positions',
  description:
    'Open positions at the execution venue, in ticket order: ticket, symbol, side, volume, entry price, stop loss and take profit at the venue, ' +
    'floating profit, and the DTMS phase managing it (null when the position is not enrolled, e.g. it has no stop or is a DTMS hedge). ' +
    'Optionally of one symbol.',
  input: z.object({ symbol: z.string().min(1).max(20).optional().describe('Canonical symbol (case-insensitive); omit for every symbol') }),
  output: z.object({
    available: z.boolean().describe('False when trading is not wired in this server'),
    reason: z.string().nullable().describe('Why nothing is available, null when it is'),
    positions: z
      .array(
        z.object({
          ticket: z.string().describe('Position ticket at the venue'),
          symbol: z.string().describe('Canonical symbol'),
          side: z.enum(['buy', 'sell']).describe('buy (long) or sell (short)'),
          volume: z.number().describe('Open volume, lots'),
          openPrice: z.number().describe('Entry price'),
          openTime: z.string().describe('Entry time, ISO 8601 UTC'),
          sl: z.number().nullable().describe('Stop loss at the venue, null when none'),
          tp: z.number().nullable().describe('Take profit at the venue, null when none'),
          profit: z.number().describe('Floating profit at the current price, account currency'),
          dtmsState: z.string().nullable().describe('DTMS phase (monitoring, breakeven, trailing, partial_taken, hedged, closed), null when not managed'),
        }),
      )
      .describe('Open positions'),
    modes: modesOutput,
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (args, ctx) => {
    const t = ctx.trading;
    if (!t) return { available: false, reason: TRADING_NOT_WIRED, positions: [], modes: {} };
    const symbol = args.symbol?.toUpperCase();
    const positions = t
      .positions()
      .filter((m) => symbol === undefined || m.position.symbol === symbol)
      .map(({ position: p, dtms }) => ({
        ticket: p.ticket,
        symbol: p.symbol,
        side: p.side,
        volume: p.volume,
        openPrice: p.openPrice,
        openTime: isoOrNull(p.openTime) ?? '',
        sl: p.sl,
        tp: p.tp,
        profit: p.profit,
        dtmsState: dtms?.phase ?? null,
      }));
    return { available: true, reason: null, positions, modes: { ...t.modes() } };
  },
});
