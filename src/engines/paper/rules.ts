import type { Side, SymbolRules } from '../../core/index.js';

/** A two-sided price the venue fills against, and how it was obtained. */
export type ExecQuote = Readonly<{ bid: number; ask: number; tsEvent: number; tradesOnly: boolean; halfSpread: number }>;

/** Number of decimals of a step such as 0.01 (for exact rounding of volumes). */
export function stepDecimals(step: number): number {
  const text = String(step);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) return Number(exp[1]);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Rounds to `digits` decimals, never answering -0. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f + 0;
}

/**
 * Why a volume breaks the broker's rules (not a positive multiple of
 * volumeStep, or outside volumeMin..volumeMax), or null when it is valid.
 */
export function volumeProblem(volume: number, rules: SymbolRules): string | null {
  if (!Number.isFinite(volume) || volume <= 0) return `volume ${volume} is not positive`;
  const steps = volume / rules.volumeStep;
  if (Math.abs(steps - Math.round(steps)) > 1e-7) return `volume ${volume} is not a multiple of step ${rules.volumeStep}`;
  if (volume < rules.volumeMin - 1e-12) return `volume ${volume} below minimum ${rules.volumeMin}`;
  if (volume > rules.volumeMax + 1e-12) return `volume ${volume} above maximum ${rules.volumeMax}`;
  return null;
}

/**
 * Why SL/TP of a position of `side` are invalid against the current quote, or
 * null. MT5 rule: a buy closes at the bid, so SL must be at or below
 * bid − stopsLevel × point and TP at or above bid + stopsLevel × point; a sell
 * closes at the ask, mirrored.
 */
export function stopsProblem(side: Side, sl: number | null, tp: number | null, quote: ExecQuote, rules: SymbolRules): string | null {
  const ref = side === 'buy' ? quote.bid : quote.ask;
  const min = roundTo(rules.stopsLevel * rules.point, rules.digits + 2);
  const eps = rules.point / 1000;
  for (const [name, level] of [['sl', sl], ['tp', tp]] as const) {
    if (level === null) continue;
    if (!Number.isFinite(level) || level <= 0) return `${name} ${level} is not a positive price`;
    const below = name === 'sl' ? side === 'buy' : side === 'sell';
    const distance = below ? ref - level : level - ref;
    if (distance <= 0) return `${name} ${level} is on the wrong side of ${side === 'buy' ? 'bid' : 'ask'} ${ref}`;
    if (distance < min - eps) return `${name} ${level} is closer than the stop level (${rules.stopsLevel} points = ${min}) to ${ref}`;
  }
  return null;
}

/** Floating profit of `volume` opened at `openPrice`, valued at the bid (buy) or ask (sell), in account currency. */
export function positionProfit(side: Side, openPrice: number, volume: number, quote: Pick<ExecQuote, 'bid' | 'ask'>, rules: SymbolRules): number {
  const move = side === 'buy' ? quote.bid - openPrice : openPrice - quote.ask;
  return move * volume * rules.contractSize;
}

/** True when the current price touches the position's SL (buy: bid ≤ SL; sell: ask ≥ SL). */
export function slTouched(side: Side, sl: number | null, quote: Pick<ExecQuote, 'bid' | 'ask'>): boolean {
  if (sl === null) return false;
  return side === 'buy' ? quote.bid <= sl : quote.ask >= sl;
}

/** True when the current price touches the position's TP (buy: bid ≥ TP; sell: ask ≤ TP). */
export function tpTouched(side: Side, tp: number | null, quote: Pick<ExecQuote, 'bid' | 'ask'>): boolean {
  if (tp === null) return false;
  return side === 'buy' ? quote.bid >= tp : quote.ask <= tp;
}
