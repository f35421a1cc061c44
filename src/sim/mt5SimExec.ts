/**
 * Trade execution of the simulated terminal: `order`, `modify_sltp` and
 * `close` run through the paper venue's rules (volume step and limits, stop
 * level, fills at bid/ask, partial closes, hedging, SL/TP at the venue) on the
 * ticks the terminal has streamed, and are answered with MT5 retcodes. Wire
 * tickets are numbers (`ticketBase` + the paper ticket's number); a repeated
 * idempotency key answers the first result again, never a second fill.
 */
import type { Clock } from '../core/clock/Clock.js';
import type { SymbolRules, TradeResult } from '../core/types/Trading.js';
import { RETCODE } from '../core/types/Trading.js';
import { PaperVenue } from '../engines/paper/PaperVenue.js';
import type { CloseMessage, ModifySltpMessage, OrderMessage, Position } from '../pipeline/feeds/mt5/schema.js';
import type { SimSymbol } from './mt5SimData.js';
import type { SimAccount } from './mt5SimTypes.js';

/** Options of simulated trading (given to `Mt5TerminalSim` as `trading`). */
export type Mt5SimTradingOptions = Readonly<{
  /** Starting balance (default 10 000). */
  balance?: number;
  currency?: string;
  leverage?: number;
  /** Value of a 1.0 move for 1.0 lot per MT5 symbol (default BTCUSD 1, XAUUSD 100, others 100 000). */
  contractSizes?: Readonly<Record<string, number>>;
  /** First wire ticket minus one (default 700 000 000). */
  ticketBase?: number;
}>;

/** The `resp` fields of an executed command. */
export type SimTradeAnswer = { ok: boolean; retcode: number; message: string; data: Record<string, unknown> | null };

type Quote = { bid: number; ask: number; tsEvent: number };
type Command = OrderMessage | ModifySltpMessage | CloseMessage;

const DEFAULT_CONTRACT: Readonly<Record<string, number>> = { BTCUSD: 1, XAUUSD: 100 };

/** The paper venue behind the simulated terminal's trading commands. */
export class SimExecution {
  private readonly venue: PaperVenue;
  private readonly quotes = new Map<string, Quote>();
  private readonly answered = new Map<string, SimTradeAnswer>();
  private readonly magic = new Map<string, number>();
  private readonly base: number;
  private readonly leverage: number;
  private readonly rules: Record<string, SymbolRules> = {};

  constructor(symbols: readonly SimSymbol[], clock: Clock, private readonly serverMs: (utcMs: number) => number, options: Mt5SimTradingOptions = {}) {
    this.base = options.ticketBase ?? 700_000_000;
    this.leverage = options.leverage ?? 100;
    for (const s of symbols) {
      const contractSize = options.contractSizes?.[s.sym] ?? DEFAULT_CONTRACT[s.sym] ?? 100_000;
      this.rules[s.sym] = { symbol: s.sym, point: s.point, digits: s.digits, stopsLevel: s.stopsLevel, volumeMin: s.volumeMin, volumeMax: s.volumeMax, volumeStep: s.volumeStep, contractSize };
    }
    this.venue = new PaperVenue({
      id: 'mt5-sim',
      clock,
      rules: this.rules,
      balance: options.balance ?? 10_000,
      currency: options.currency ?? 'USD',
      defaultSpread: {},
      priceOf: (sym) => {
        const q = this.quotes.get(sym);
        return q ? { bid: q.bid, ask: q.ask, last: null, tsEvent: q.tsEvent } : null;
      },
    });
  }

  /** A tick the terminal streamed: the new quote, and any SL/TP it touches closes its position. True when a position closed. */
  onTick(sym: string, bid: number, ask: number, utcMs: number): boolean {
    if (!(bid > 0 && ask > 0)) return false;
    this.quotes.set(sym, { bid, ask, tsEvent: utcMs });
    return this.venue.onPrice(sym).length > 0;
  }

  /** Executes one trading command (once per idempotency key) and answers its `resp` fields. */
  async execute(m: Command): Promise<SimTradeAnswer> {
    const earlier = this.answered.get(m.idempotencyKey);
    if (earlier) return earlier;
    const answer = await this.run(m);
    if (answer.ok) this.answered.set(m.idempotencyKey, answer);
    return answer;
  }

  /** Open positions as the EA reports them. */
  positions(): Position[] {
    return this.venue.positions().map((p) => ({
      ticket: this.toWire(p.ticket),
      sym: p.symbol,
      type: p.side,
      volume: p.volume,
      priceOpen: p.openPrice,
      sl: p.sl ?? 0,
      tp: p.tp ?? 0,
      profit: p.profit,
      swap: 0,
      comment: p.comment,
      magic: this.magic.get(p.ticket) ?? 0,
      timeMsc: Math.floor(this.serverMs(p.openTime)),
    }));
  }

  /** The account as the EA reports it (margin = notional / leverage). */
  account(): SimAccount {
    const a = this.venue.account();
    let margin = 0;
    for (const p of this.venue.positions()) margin += (p.volume * p.openPrice * (this.rules[p.symbol]?.contractSize ?? 1)) / this.leverage;
    margin = Math.round(margin * 100) / 100;
    return { balance: a.balance, equity: a.equity, margin, freeMargin: Math.round((a.equity - margin) * 100) / 100, currency: a.currency, leverage: this.leverage };
  }

  private async run(m: Command): Promise<SimTradeAnswer> {
    switch (m.type) {
      case 'order': {
        if (m.orderType !== 'market') return { ok: false, retcode: RETCODE.INVALID, message: `${m.orderType} orders are not simulated`, data: null };
        const r = await this.venue.placeOrder({ symbol: m.sym, side: m.side, volume: m.volume, sl: m.sl || null, tp: m.tp || null, idempotencyKey: m.idempotencyKey, comment: (m.comment ?? m.idempotencyKey).slice(0, 31) });
        if (r.ok && r.ticket !== null && m.magic !== undefined) this.magic.set(r.ticket, m.magic);
        return this.answer(r);
      }
      case 'modify_sltp':
        return this.answer(await this.venue.modifyPosition(this.fromWire(m.ticket), m.sl || null, m.tp || null));
      case 'close':
        return this.answer(await this.venue.closePosition(this.fromWire(m.ticket), m.volume ?? null));
    }
  }

  private answer(r: TradeResult): SimTradeAnswer {
    const data = r.ok ? { ticket: r.ticket === null ? null : this.toWire(r.ticket), price: r.price, volume: r.volume, fillNote: r.fillNote } : null;
    return { ok: r.ok, retcode: r.retcode, message: r.message, data };
  }

  private toWire(ticket: string): number {
    return this.base + Number(ticket.slice(1));
  }

  private fromWire(ticket: number): string {
    return `P${ticket - this.base}`;
  }
}
