/** Output shapes shared by the trading tools. */
import * as z from 'zod';
import { isoOrNull, type DtmsState } from './view.js';

/** The DTMS state of a position as the tools show it. */
export const dtmsStateOutput = z.object({
  ticket: z.string().describe('Position ticket'),
  symbol: z.string().describe('Canonical symbol'),
  side: z.enum(['buy', 'sell']).describe('Position side'),
  phase: z.string().describe('monitoring, breakeven, trailing, partial_taken, hedged or closed (phases only move forward)'),
  openPrice: z.number().describe('Entry price'),
  initialSl: z.number().describe('Stop at entry; defines R'),
  risk: z.number().describe('R = |entry - initial stop|, price units'),
  sl: z.number().describe('Current DTMS stop (only ever tightened)'),
  invalidation: z.number().describe('A candle close beyond it closes the trade'),
  initialVolume: z.number().describe('Volume at entry'),
  volume: z.number().describe('Volume still open after partials'),
  targetsTaken: z.number().int().describe('Partial targets already taken'),
  swingLow: z.number().nullable().describe('Latest confirmed swing low after the open, null before one'),
  swingHigh: z.number().nullable().describe('Latest confirmed swing high after the open, null before one'),
  lastStepAt: z.string().nullable().describe('Time of the last DTMS step, ISO 8601 UTC; null before the first'),
});

/** A DTMS state in the tools' shape. */
export function dtmsStateOf(s: DtmsState): z.infer<typeof dtmsStateOutput> {
  return {
    ticket: s.ticket,
    symbol: s.symbol,
    side: s.side,
    phase: s.phase,
    openPrice: s.openPrice,
    initialSl: s.initialSl,
    risk: s.risk,
    sl: s.sl,
    invalidation: s.invalidation,
    initialVolume: s.initialVolume,
    volume: s.volume,
    targetsTaken: s.targetsTaken,
    swingLow: s.swingLow,
    swingHigh: s.swingHigh,
    lastStepAt: isoOrNull(s.lastStepAt),
  };
}

/** Trading mode per symbol, part of every trading answer. */
export const modesOutput = z.record(z.string(), z.string()).describe('Trading mode per symbol: replay, paper, shadow (logged, not sent) or live');

/** Read-only annotations of the trading tools (local state, no side effects). */
export const READ_ONLY_TRADING = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
