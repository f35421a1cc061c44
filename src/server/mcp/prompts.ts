import type { McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

const symbolArg = z.string().min(1).max(20).describe('Canonical symbol, e.g. BTCUSD, XAUUSD or GBPJPY (get_system_status lists the configured ones)');

const FRESHNESS =
  'Before reasoning on any price, check every answer: asOf (venue time of the data), ageMs (how old it is; say so plainly when it is more than a few seconds for a live feed, or when the mode is replay), ' +
  'sources (which feeds are connected or replaying, and which one is active) and gaps (open or unfillable gaps mean candles and structure over that range may be incomplete). ' +
  'Never present stale or gapped data as current.';

/** Text of the `analyze_symbol` prompt. */
export function analyzeSymbolText(symbol: string): string {
  const s = symbol.trim().toUpperCase();
  return [
    `Analyse ${s} with UTP's read-only tools.`,
    `1. get_market_state {symbol: "${s}"}: current bid/ask/mid, last trade, asOf, ageMs, sources, gaps.`,
    `2. get_multi_timeframe {symbol: "${s}"}: trend and candles across timeframes.`,
    `3. get_structure {symbol: "${s}", timeframe: "H1"} and again for "M15" and "M5": the latest BOS/CHOCH (trend), unmitigated order blocks and unfilled fair-value gaps near the price, recent liquidity sweeps.`,
    `4. get_volatility_bridge {symbol: "${s}"} and get_offsets: volatility regime, and the Binance-to-broker offset in force (flag held offsets or discrepancies).`,
    `5. get_macro_context: trading session and macro readings (VIX, DXY, US10Y), noting which are null and why.`,
    FRESHNESS,
    'Answer with: bias per timeframe with the evidence (event ids and levels), key levels above and below the price, what would invalidate the bias, and a data-quality note (ages, sources, gaps). Do not place orders.',
  ].join('\n');
}

/** Text of the `review_open_positions` prompt. */
export function reviewOpenPositionsText(): string {
  return [
    'Review every open position with UTP\'s read-only tools.',
    '1. get_positions: tickets, side, volume, entry, stop loss, take profit, floating profit and DTMS phase. If available is false, say trading is not wired and stop.',
    '2. get_risk_status: trading state (active, reducing, halted), exposure and limits; get_account: balance, equity, margin.',
    '3. For each position: get_market_state {symbol} (price, asOf, ageMs, gaps), get_structure {symbol, timeframe: "M15"} (has structure turned against it since entry? a CHOCH against the side?), get_exit_plans and get_dtms_status / get_dtms_actions (what DTMS will do next and what it did).',
    FRESHNESS,
    'Answer per ticket: distance to SL and TP in price and in R, whether structure still supports the position, what DTMS is about to do, and any risk flag. Positions without a stop are a finding. Suggest, never act: any change needs a write tool and a human approval outside this conversation.',
  ].join('\n');
}

/** Text of the `pre_trade_checklist` prompt. */
export function preTradeChecklistText(symbol: string, side: 'buy' | 'sell'): string {
  const s = symbol.trim().toUpperCase();
  const against = side === 'buy' ? 'bearish' : 'bullish';
  return [
    `Run the pre-trade checklist for a ${side.toUpperCase()} on ${s}. Go through every item and mark it PASS, FAIL or UNKNOWN with the evidence.`,
    `1. Data freshness: get_market_state {symbol: "${s}"}: asOf recent, ageMs small, an active connected source, no open or unfillable gaps, spread normal. get_system_status: feeds connected, no write errors.`,
    `2. Risk: get_risk_status: trading state is active (not reducing or halted), daily loss and exposure limits leave room; get_account: free margin.`,
    `3. Existing exposure: get_positions {symbol: "${s}"}: positions already open on ${s} and their side.`,
    `4. Structure: get_structure {symbol: "${s}", timeframe: "H1"} and "M15": the last BOS/CHOCH agrees with a ${side}; no fresh ${against} CHOCH; where the nearest opposing order block or unfilled gap sits (natural target or obstacle).`,
    `5. Volatility and offset: get_volatility_bridge {symbol: "${s}"} (regime, ATR for the stop distance) and get_offsets (offset in force, not held or flagged).`,
    `6. Context: get_macro_context: session and macro readings (VIX, DXY, US10Y); note which are null and why.`,
    `7. The plan: entry, stop loss beyond the invalidating structure level, take profit, size from the risk limits; reward-to-risk at least 1.5.`,
    FRESHNESS,
    'Finish with GO or NO-GO and the failing items. Do not place the order yourself: placing it needs a write tool and a human approval outside this conversation.',
  ].join('\n');
}

/** Registers the prompts `analyze_symbol`, `review_open_positions` and `pre_trade_checklist`. */
export function registerPrompts(server: McpServer): void {
  const user = (text: string) => ({ messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] });
  server.registerPrompt(
    'analyze_symbol',
    {
      title: 'Analyse a symbol',
      description: 'Multi-timeframe analysis of one symbol: which UTP tools to call and what to check (asOf, ageMs, sources, gaps) before concluding.',
      argsSchema: z.object({ symbol: symbolArg }),
    },
    ({ symbol }) => user(analyzeSymbolText(symbol)),
  );
  server.registerPrompt(
    'review_open_positions',
    {
      title: 'Review open positions',
      description: 'Review of every open position against price, structure, DTMS and risk status, with the data-quality checks.',
    },
    () => user(reviewOpenPositionsText()),
  );
  server.registerPrompt(
    'pre_trade_checklist',
    {
      title: 'Pre-trade checklist',
      description: 'Checklist before a trade: data freshness, risk status, exposure, structure, volatility, offset, macro; ends in GO or NO-GO.',
      argsSchema: z.object({
        symbol: symbolArg,
        side: z.enum(['buy', 'sell']).describe('Intended side: buy (long) or sell (short)'),
      }),
    },
    ({ symbol, side }) => user(preTradeChecklistText(symbol, side)),
  );
}
