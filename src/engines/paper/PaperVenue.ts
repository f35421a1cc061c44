import type { Account, Clock, ExecutionVenue, OrderRequest, Position, Side, SymbolRules, TradeResult } from '../../core/index.js';
import { RETCODE } from '../../core/index.js';
import type { ExecQuote } from './rules.js';
import { positionProfit, roundTo, slTouched, stepDecimals, stopsProblem, tpTouched, volumeProblem } from './rules.js';

/** The latest price of a symbol as the pipeline holds it; bid/ask null on a trades-only stream. */
export type PaperPrice = Readonly<{ bid: number | null; ask: number | null; last: number | null; tsEvent: number }>;

/** Construction options of the paper venue. */
export type PaperVenueOptions = Readonly<{
  /** Venue id (default `paper`). */
  id?: string;
  clock: Clock;
  /** Broker rules per canonical symbol; a symbol without rules cannot be traded. */
  rules: Readonly<Record<string, SymbolRules>>;
  /** Starting balance in account currency. */
  balance: number;
  currency: string;
  /** Full spread per symbol applied around the last trade when the price has no bid/ask. */
  defaultSpread: Readonly<Record<string, number>>;
  /** The current price of a symbol, or null when none arrived. */
  priceOf: (symbol: string) => PaperPrice | null;
  /** False when the symbol's market is closed (orders, modifications and closes answer 10018). Default: always open. */
  marketOpen?: (symbol: string) => boolean;
  /** Decimals of account money (profit, balance). Default 2. */
  moneyDigits?: number;
}>;

/** Why a position (or part of it) was closed. */
export type CloseReason = 'close' | 'sl' | 'tp';

/** A closed (part of a) position with its realised profit. */
export type PaperDeal = Readonly<{
  ticket: string;
  symbol: string;
  side: Side;
  volume: number;
  openPrice: number;
  closePrice: number;
  profit: number;
  reason: CloseReason;
  tsEvent: number;
}>;

/** A position as the venue keeps it: the core Position, mutable, with profit computed on read. */
type OpenPosition = { -readonly [K in Exclude<keyof Position, 'profit'>]: Position[K] };

/**
 * The built-in paper execution venue: a pure in-memory state machine with
 * MT5 semantics. Market orders fill at the ask (buy) or bid (sell), or on a
 * trades-only stream at last ± half the configured spread (the fill note says
 * so); volume step/limits (10014), stop level (10016), missing price (10021)
 * and closed market (10018) are enforced; hedging keeps opposite positions as
 * separate tickets; SL/TP live at the venue and trigger in {@link onPrice}.
 * Tickets are deterministic (`P1`, `P2`, ...). Async methods resolve at once.
 */
export class PaperVenue implements ExecutionVenue {
  readonly id: string;
  private readonly open = new Map<string, OpenPosition>();
  private readonly closedTickets = new Set<string>();
  private readonly byKey = new Map<string, TradeResult>();
  private readonly lastQuote = new Map<string, ExecQuote>();
  private readonly dealLog: PaperDeal[] = [];
  private readonly moneyDigits: number;
  private nextTicket = 1;
  private balance: number;

  constructor(private readonly opts: PaperVenueOptions) {
    this.id = opts.id ?? 'paper';
    this.balance = opts.balance;
    this.moneyDigits = opts.moneyDigits ?? 2;
  }

  /** Opens a market position (SL/TP optional); a repeated idempotency key answers the first successful result again. */
  placeOrder(request: OrderRequest): Promise<TradeResult> {
    return Promise.resolve(this.place(request));
  }

  /** Replaces SL and TP of an open position (null removes a level), validated like an entry. */
  modifyPosition(ticket: string, sl: number | null, tp: number | null): Promise<TradeResult> {
    return Promise.resolve(this.modify(ticket, sl, tp));
  }

  /** Closes `volume` of a position (all when null) at the bid (buy) or ask (sell), realising its profit. */
  closePosition(ticket: string, volume: number | null): Promise<TradeResult> {
    return Promise.resolve(this.close(ticket, volume));
  }

  /** Open positions with floating profit at the current (or last known) price, in ticket order. */
  positions(): readonly Position[] {
    return [...this.open.values()].map((p) => ({ ...p, profit: this.floatingOf(p) }));
  }

  /** Balance, equity (balance + floating) and floating P/L at the current prices. */
  account(): Account {
    let floating = 0;
    for (const p of this.open.values()) floating += this.floatingOf(p);
    floating = roundTo(floating, this.moneyDigits);
    return {
      currency: this.opts.currency,
      balance: this.balance,
      equity: roundTo(this.balance + floating, this.moneyDigits),
      floating,
      tsEvent: this.opts.clock.now(),
    };
  }

  /** Every closed deal (full or partial, manual or SL/TP), in order. */
  deals(): readonly PaperDeal[] {
    return [...this.dealLog];
  }

  /**
   * Checks the stops of every position on `symbol` against its current price:
   * a touched SL or TP closes the whole position at that price. Answers the
   * close results (empty when nothing triggered or there is no price).
   */
  onPrice(symbol: string): TradeResult[] {
    const quote = this.quote(symbol);
    if (quote === null) return [];
    const results: TradeResult[] = [];
    for (const p of [...this.open.values()]) {
      if (p.symbol !== symbol) continue;
      const reason: CloseReason | null = slTouched(p.side, p.sl, quote) ? 'sl' : tpTouched(p.side, p.tp, quote) ? 'tp' : null;
      if (reason !== null) results.push(this.fillClose(p, p.volume, quote, reason));
    }
    return results;
  }

  private place(req: OrderRequest): TradeResult {
    const earlier = this.byKey.get(req.idempotencyKey);
    if (earlier) return earlier;
    const rules = this.opts.rules[req.symbol];
    if (!rules) return this.reject(RETCODE.INVALID, `unknown symbol ${req.symbol}`);
    if (req.side !== 'buy' && req.side !== 'sell') return this.reject(RETCODE.INVALID, `invalid side ${String(req.side)}`);
    const volumeIssue = volumeProblem(req.volume, rules);
    if (volumeIssue) return this.reject(RETCODE.INVALID_VOLUME, volumeIssue);
    const gate = this.priceGate(req.symbol);
    if ('retcode' in gate) return gate;
    const stopsIssue = stopsProblem(req.side, req.sl, req.tp, gate, rules);
    if (stopsIssue) return this.reject(RETCODE.INVALID_STOPS, stopsIssue);
    const price = req.side === 'buy' ? gate.ask : gate.bid;
    const ticket = `P${this.nextTicket++}`;
    const volume = roundTo(req.volume, stepDecimals(rules.volumeStep));
    const now = this.opts.clock.now();
    this.open.set(ticket, { ticket, symbol: req.symbol, side: req.side, volume, openPrice: price, openTime: now, sl: req.sl, tp: req.tp, comment: req.comment ?? '' });
    const result: TradeResult = {
      retcode: RETCODE.DONE,
      ok: true,
      message: `${req.side} ${volume} ${req.symbol} at ${price}`,
      ticket,
      price,
      volume,
      fillNote: this.fillNote(req.side, gate),
      tsEvent: now,
    };
    this.byKey.set(req.idempotencyKey, result);
    return result;
  }

  private modify(ticket: string, sl: number | null, tp: number | null): TradeResult {
    const p = this.open.get(ticket);
    if (!p) return this.missing(ticket);
    const rules = this.rulesOf(p.symbol);
    const gate = this.priceGate(p.symbol);
    if ('retcode' in gate) return gate;
    const issue = stopsProblem(p.side, sl, tp, gate, rules);
    if (issue) return this.reject(RETCODE.INVALID_STOPS, issue);
    p.sl = sl;
    p.tp = tp;
    return { retcode: RETCODE.DONE, ok: true, message: `${ticket} sl=${sl} tp=${tp}`, ticket, price: null, volume: p.volume, fillNote: null, tsEvent: this.opts.clock.now() };
  }

  private close(ticket: string, volume: number | null): TradeResult {
    const p = this.open.get(ticket);
    if (!p) return this.missing(ticket);
    const rules = this.rulesOf(p.symbol);
    const decimals = stepDecimals(rules.volumeStep);
    const amount = volume ?? p.volume;
    if (volume !== null) {
      const issue = volumeProblem(volume, { ...rules, volumeMax: Number.POSITIVE_INFINITY });
      if (issue) return this.reject(RETCODE.INVALID_VOLUME, issue);
      if (volume > p.volume + 1e-12) return this.reject(RETCODE.INVALID_VOLUME, `volume ${volume} exceeds position volume ${p.volume}`);
      const rest = roundTo(p.volume - volume, decimals);
      if (rest > 0 && rest < rules.volumeMin - 1e-12) return this.reject(RETCODE.INVALID_VOLUME, `remaining volume ${rest} below minimum ${rules.volumeMin}`);
    }
    const gate = this.priceGate(p.symbol);
    if ('retcode' in gate) return gate;
    return this.fillClose(p, roundTo(amount, decimals), gate, 'close');
  }

  private fillClose(p: OpenPosition, volume: number, quote: ExecQuote, reason: CloseReason): TradeResult {
    const rules = this.rulesOf(p.symbol);
    const price = p.side === 'buy' ? quote.bid : quote.ask;
    const profit = roundTo(positionProfit(p.side, p.openPrice, volume, quote, rules), this.moneyDigits);
    const now = this.opts.clock.now();
    this.balance = roundTo(this.balance + profit, this.moneyDigits);
    const rest = roundTo(p.volume - volume, stepDecimals(rules.volumeStep));
    if (rest > 0) p.volume = rest;
    else {
      this.open.delete(p.ticket);
      this.closedTickets.add(p.ticket);
    }
    this.dealLog.push({ ticket: p.ticket, symbol: p.symbol, side: p.side, volume, openPrice: p.openPrice, closePrice: price, profit, reason, tsEvent: now });
    const closeSide: Side = p.side === 'buy' ? 'sell' : 'buy';
    return {
      retcode: RETCODE.DONE,
      ok: true,
      message: `${reason} ${volume} of ${p.ticket} at ${price}, profit ${profit}${rest > 0 ? `, ${rest} left` : ''}`,
      ticket: p.ticket,
      price,
      volume,
      fillNote: this.fillNote(closeSide, quote),
      tsEvent: now,
    };
  }

  /** The executable quote, or the rejection when the market is closed or there is no price. */
  private priceGate(symbol: string): ExecQuote | TradeResult {
    if (this.opts.marketOpen && !this.opts.marketOpen(symbol)) return this.reject(RETCODE.MARKET_CLOSED, `market closed for ${symbol}`);
    return this.quote(symbol) ?? this.reject(RETCODE.NO_QUOTES, `no price for ${symbol}`);
  }

  /** Current executable quote of a symbol (remembered as the last known mark), or null. */
  private quote(symbol: string): ExecQuote | null {
    const rules = this.opts.rules[symbol];
    const px = this.opts.priceOf(symbol);
    if (!rules || !px) return null;
    let q: ExecQuote | null = null;
    if (px.bid !== null && px.ask !== null) q = { bid: px.bid, ask: px.ask, tsEvent: px.tsEvent, tradesOnly: false, halfSpread: 0 };
    else if (px.last !== null) {
      const spread = this.opts.defaultSpread[symbol];
      if (spread === undefined) return null;
      const half = spread / 2;
      q = { bid: roundTo(px.last - half, rules.digits), ask: roundTo(px.last + half, rules.digits), tsEvent: px.tsEvent, tradesOnly: true, halfSpread: half };
    }
    if (q) this.lastQuote.set(symbol, q);
    return q;
  }

  private floatingOf(p: OpenPosition): number {
    const q = this.quote(p.symbol) ?? this.lastQuote.get(p.symbol);
    if (!q) return 0;
    return roundTo(positionProfit(p.side, p.openPrice, p.volume, q, this.rulesOf(p.symbol)), this.moneyDigits);
  }

  private fillNote(side: Side, q: ExecQuote): string {
    if (!q.tradesOnly) return side === 'buy' ? 'ask' : 'bid';
    return `last trade ${side === 'buy' ? '+' : '-'} half spread (${q.halfSpread}): no quote`;
  }

  private rulesOf(symbol: string): SymbolRules {
    const rules = this.opts.rules[symbol];
    if (!rules) throw new Error(`paper venue holds a position on ${symbol} without rules`);
    return rules;
  }

  private missing(ticket: string): TradeResult {
    return this.closedTickets.has(ticket)
      ? this.reject(RETCODE.POSITION_CLOSED, `position ${ticket} is already closed`)
      : this.reject(RETCODE.INVALID, `unknown position ${ticket}`);
  }

  private reject(retcode: number, message: string): TradeResult {
    return { retcode, ok: false, message, ticket: null, price: null, volume: null, fillNote: null, tsEvent: this.opts.clock.now() };
  }
}
