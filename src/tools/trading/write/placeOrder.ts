import * as z from 'zod';
import { defineTool } from '../../defineTool.js';
import { submitWrite, WRITE_NOTE, writeAnnotations, writeOutput } from './shared.js';

/** Asks for a market order with SL and TP at entry; executes only after a human approves it. */
export const placeOrder = defineTool({
  name: 'place_order',
  title: 'Place a market order (needs human approval)',
  description: 'Requests a market order on a symbol, with stop loss and take profit set at entry.' + WRITE_NOTE + ' A repeated idempotencyKey with the same parameters answers the same request.',
  input: z.object({
    symbol: z.string().min(1).max(20).describe('Canonical symbol, e.g. BTCUSD (case-insensitive)'),
    side: z.enum(['buy', 'sell']).describe('buy (long) or sell (short)'),
    volume: z.number().positive().describe('Volume in lots, a multiple of the symbol volume step'),
    sl: z.number().positive().optional().describe('Stop loss price at entry (strongly advised: DTMS needs it)'),
    tp: z.number().positive().optional().describe('Take profit price at entry'),
    idempotencyKey: z.string().min(1).max(100).optional().describe('Your key for this order: retrying with the same key and parameters answers the same request'),
  }),
  output: writeOutput,
  annotations: writeAnnotations(true, false),
  scope: 'write',
  handler: (a, ctx, call) =>
    submitWrite(
      'place_order',
      { kind: 'place_order', symbol: a.symbol.toUpperCase(), side: a.side, volume: a.volume, sl: a.sl ?? null, tp: a.tp ?? null, idempotencyKey: a.idempotencyKey ?? null },
      `${a.side} ${a.volume} ${a.symbol.toUpperCase()} at market`,
      ctx,
      call,
    ),
});
