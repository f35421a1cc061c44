/**
 * What the simulated terminal says about itself: the `hello` fields, a
 * plausible static account and position, and its answers to `history`.
 */
import type { HistoryMessage, Position } from '../pipeline/feeds/mt5/schema.js';
import type { SimMarket } from './mt5SimMarket.js';
import type { SimAccount } from './mt5SimTypes.js';

/** Who the simulated terminal says it is. */
export const SIM_TERMINAL = { login: 5_012_345, server: 'UTP-Sim-Server', company: 'UTP Simulated Broker Ltd', build: 4755 } as const;

/** The simulated account: 10 000 USD, 1:100, a little margin in use. */
export const SIM_ACCOUNT: SimAccount = { balance: 10_000, equity: 10_012.5, margin: 245.1, freeMargin: 9_767.4, currency: 'USD', leverage: 100 };

/** The fields of a `hello` at market time `utc`: server clock, symbols, last tick sent per symbol. */
export function helloFields(market: SimMarket, terminal: Readonly<{ login: number; server: string; company: string; build: number }>, lastSent: ReadonlyMap<string, number>, utc: number): Record<string, unknown> {
  return {
    ...terminal,
    serverUtcOffsetSec: market.offsetAt(utc),
    serverTimeMsc: market.serverMs(utc),
    symbols: market.symbols().map((s) => ({
      sym: s.sym,
      digits: s.digits,
      point: s.point,
      stopsLevel: s.stopsLevel,
      volumeStep: s.volumeStep,
      volumeMin: s.volumeMin,
      volumeMax: s.volumeMax,
      lastTickMsc: lastSent.get(s.sym) ?? 0,
    })),
    eaVersion: 'sim-1.0',
  };
}

/** One plausible open buy on the first symbol, opened an hour before the market start. */
export function defaultPositions(market: SimMarket, startUtc: number): Position[] {
  const first = market.symbols()[0];
  if (first === undefined) return [];
  const bars = Object.values(first.bars ?? {})[0];
  const price = first.ticks?.[0]?.ask ?? bars?.[bars.length - 1]?.c ?? 1;
  return [
    {
      ticket: 501_234_567,
      sym: first.sym,
      type: 'buy',
      volume: first.volumeMin * 10,
      priceOpen: price,
      sl: Number((price * 0.98).toFixed(first.digits)),
      tp: Number((price * 1.03).toFixed(first.digits)),
      profit: 0,
      swap: -0.35,
      comment: 'utp-sim',
      magic: 20_240_311,
      timeMsc: market.serverMs(startUtc - 3_600_000),
    },
  ];
}

/**
 * The `resp` fields answering a `history` request at server time
 * `serverNowMs`: ticks that have happened, or bars closed by then, oldest
 * first, cut at `max` (`more`); ok=false (retcode -4) for an unknown symbol.
 */
export function historyAnswer(market: SimMarket, m: HistoryMessage, serverNowMs: number): { ok: boolean; retcode: number; message: string; data: Record<string, unknown> | null } {
  const answer =
    m.kind === 'ticks'
      ? market.historyTicks(m.sym, m.fromMsc, m.toMsc ?? Number.POSITIVE_INFINITY, m.max)
      : market.historyBars(m.sym, m.tf ?? 'H1', m.fromMsc, Math.min(m.toMsc ?? serverNowMs, serverNowMs), m.max, serverNowMs);
  if (answer === null) return { ok: false, retcode: -4, message: `unknown symbol ${m.sym}`, data: null };
  const data = m.kind === 'ticks' ? { sym: m.sym, kind: m.kind, ticks: answer.rows, more: answer.more } : { sym: m.sym, kind: m.kind, tf: m.tf, bars: answer.rows, more: answer.more };
  return { ok: true, retcode: 0, message: '', data };
}
