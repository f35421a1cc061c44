/**
 * The MT5 execution venue: trading through the bridge to the Expert Advisor
 * (or the simulated terminal). Every command carries a request id (added by
 * the bridge) and the caller's idempotency key, which is also written into the
 * order comment so the position can be found again. When an answer does not
 * come (timeout, link closed) the venue first looks at the terminal's latest
 * positions for the outcome, and only retries when that snapshot is newer than
 * the lost request and shows the command did not happen: never a double fill.
 * Only retcodes 10009/10008/10010 are success.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../../core/clock/Clock.js';
import { TemporaryError } from '../../../core/errors.js';
import type { ExecutionVenue } from '../../../core/ports.js';
import { isSuccessRetcode, RETCODE, type Account, type OrderRequest, type Position, type TradeResult } from '../../../core/types/Trading.js';
import type { Position as WirePosition, RespMessage } from './schema.js';
import type { Mt5AccountSnapshot, Mt5PositionsSnapshot, Mt5RequestInput } from './types.js';

/** What the venue needs of the bridge (an `Mt5Bridge` fits). */
export type Mt5VenueBridge = Readonly<{
  request(input: Mt5RequestInput, timeoutMs?: number): Promise<RespMessage>;
  positions(): Mt5PositionsSnapshot | null;
  account(): Mt5AccountSnapshot | null;
  toUtc(serverMs: number): number | null;
}>;

/** Options of the MT5 venue. */
export type Mt5VenueOptions = Readonly<{
  /** Venue id (default `mt5`). */
  id?: string;
  bridge: Mt5VenueBridge;
  clock: Clock;
  /** MT5 symbol name → canonical symbol, e.g. `{ 'XAUUSD.a': 'XAUUSD' }`. */
  symbols: Readonly<Record<string, string>>;
  /** How long one command waits for its answer (default 10 000 ms). */
  timeoutMs?: number;
  /** Sends after the first when the positions prove the command did not happen (default 1). */
  retries?: number;
  /** Allowed slippage in points for market orders and closes. */
  deviation?: number;
  /** Magic number stamped on orders. */
  magic?: number;
}>;

const COMMENT_MAX = 31;

/**
 * The order comment that carries an idempotency key: the key itself when it
 * fits MT5's 31 characters, else `k:` + a 29-character hash of it.
 */
export function commentForKey(key: string): string {
  if (key.length <= COMMENT_MAX) return key;
  return `k:${createHash('sha256').update(key).digest('base64url').slice(0, COMMENT_MAX - 2)}`;
}

type Attempt = { resp: RespMessage } | { lost: string; sentAt: number };

/** MT5 trading behind the `ExecutionVenue` port. */
export class Mt5Venue implements ExecutionVenue {
  readonly id: string;
  private readonly o: Mt5VenueOptions;
  private readonly toMt5 = new Map<string, string>();
  private seq = 0;

  constructor(options: Mt5VenueOptions) {
    this.o = options;
    this.id = options.id ?? 'mt5';
    for (const [mt5, symbol] of Object.entries(options.symbols)) this.toMt5.set(symbol, mt5);
  }

  /** Sends a market order; the idempotency key goes into the comment; after a lost answer the position is looked up by that comment before any retry. */
  async placeOrder(request: OrderRequest): Promise<TradeResult> {
    const sym = this.toMt5.get(request.symbol);
    if (sym === undefined) return this.result(RETCODE.INVALID, `symbol ${request.symbol} is not mapped to an MT5 symbol`);
    const comment = commentForKey(request.idempotencyKey);
    const input: Mt5RequestInput = {
      type: 'order',
      idempotencyKey: request.idempotencyKey,
      sym,
      side: request.side,
      orderType: 'market',
      volume: request.volume,
      ...(request.sl !== null ? { sl: request.sl } : {}),
      ...(request.tp !== null ? { tp: request.tp } : {}),
      ...(this.o.deviation !== undefined ? { deviation: this.o.deviation } : {}),
      ...(this.o.magic !== undefined ? { magic: this.o.magic } : {}),
      comment,
    };
    return this.run(input, () => {
      const p = this.wire()?.find((w) => w.comment === comment);
      return p ? this.result(RETCODE.DONE, `position ${p.ticket} found by its idempotency key after a lost answer`, { ticket: String(p.ticket), price: p.priceOpen, volume: p.volume }) : null;
    });
  }

  /** Sets SL and TP (null removes a level); after a lost answer the position's levels say whether it happened. */
  async modifyPosition(ticket: string, sl: number | null, tp: number | null): Promise<TradeResult> {
    const n = wireTicket(ticket);
    if (n === null) return this.result(RETCODE.INVALID, `invalid MT5 ticket ${ticket}`);
    const input: Mt5RequestInput = { type: 'modify_sltp', idempotencyKey: this.key('modify', ticket), ticket: n, sl: sl ?? 0, tp: tp ?? 0 };
    return this.run(input, () => {
      const p = this.wire()?.find((w) => w.ticket === n);
      return p && p.sl === (sl ?? 0) && p.tp === (tp ?? 0) ? this.result(RETCODE.DONE, `position ${ticket} shows the new levels after a lost answer`, { ticket, volume: p.volume }) : null;
    });
  }

  /** Closes `volume` of a position (all when null); after a lost answer the position's volume says whether it happened. */
  async closePosition(ticket: string, volume: number | null): Promise<TradeResult> {
    const n = wireTicket(ticket);
    if (n === null) return this.result(RETCODE.INVALID, `invalid MT5 ticket ${ticket}`);
    const before = this.wire()?.find((w) => w.ticket === n)?.volume ?? null;
    const input: Mt5RequestInput = {
      type: 'close',
      idempotencyKey: this.key('close', ticket),
      ticket: n,
      ...(volume !== null ? { volume } : {}),
      ...(this.o.deviation !== undefined ? { deviation: this.o.deviation } : {}),
    };
    return this.run(input, () => {
      const p = this.wire()?.find((w) => w.ticket === n);
      const done = p === undefined ? before !== null : volume !== null && before !== null && p.volume <= before - volume + 1e-9;
      return done ? this.result(RETCODE.DONE, `position ${ticket} shows the close after a lost answer`, { ticket, volume: volume ?? before }) : null;
    });
  }

  /** Open positions from the terminal's latest snapshot (canonical symbols, UTC open time, 0 levels as null). */
  positions(): readonly Position[] {
    return (this.wire() ?? []).map((p) => ({
      ticket: String(p.ticket),
      symbol: this.o.symbols[p.sym] ?? p.sym,
      side: p.type,
      volume: p.volume,
      openPrice: p.priceOpen,
      openTime: this.o.bridge.toUtc(p.timeMsc) ?? p.timeMsc,
      sl: p.sl === 0 ? null : p.sl,
      tp: p.tp === 0 ? null : p.tp,
      profit: p.profit + p.swap,
      comment: p.comment,
    }));
  }

  /** Balance and equity from the terminal's latest account snapshot (zeros before the first one). */
  account(): Account {
    const a = this.o.bridge.account();
    if (a === null) return { currency: '', balance: 0, equity: 0, floating: 0, tsEvent: 0 };
    return { currency: a.currency, balance: a.balance, equity: a.equity, floating: Math.round((a.equity - a.balance) * 100) / 100, tsEvent: a.receivedAt };
  }

  private wire(): readonly WirePosition[] | null {
    return this.o.bridge.positions()?.positions ?? null;
  }

  /** Sends `input`; on a lost answer asks `found` first, and retries only when a fresh snapshot says the command did not happen. */
  private async run(input: Mt5RequestInput, found: () => TradeResult | null): Promise<TradeResult> {
    const retries = this.o.retries ?? 1;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.send(input);
      if ('resp' in outcome) return this.fromResp(outcome.resp);
      const seen = found();
      if (seen) return seen;
      const snap = this.o.bridge.positions();
      const fresh = snap !== null && snap.receivedAt > outcome.sentAt;
      if (!fresh || attempt >= retries) {
        const why = fresh ? 'retries exhausted' : 'no positions snapshot newer than the request: outcome unknown, not retried';
        return this.result(RETCODE.TIMEOUT, `${input.type}: ${outcome.lost}; ${why}`);
      }
    }
  }

  private async send(input: Mt5RequestInput): Promise<Attempt> {
    const sentAt = this.o.clock.now();
    try {
      return { resp: await this.o.bridge.request(input, this.o.timeoutMs ?? 10_000) };
    } catch (error) {
      if (error instanceof TemporaryError) return { lost: error.message, sentAt };
      return { resp: { v: 1, type: 'resp', seq: 0, ts: 0, reqId: '-', ok: false, retcode: RETCODE.INVALID, message: error instanceof Error ? error.message : String(error), data: null } };
    }
  }

  private fromResp(resp: RespMessage): TradeResult {
    const d = resp.data ?? {};
    const ticket = typeof d['ticket'] === 'number' || typeof d['ticket'] === 'string' ? String(d['ticket']) : null;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return {
      retcode: resp.retcode,
      ok: isSuccessRetcode(resp.retcode),
      message: resp.message,
      ticket,
      price: num(d['price']),
      volume: num(d['volume']),
      fillNote: typeof d['fillNote'] === 'string' ? d['fillNote'] : null,
      tsEvent: this.o.clock.now(),
    };
  }

  private key(what: string, ticket: string): string {
    return `${this.id}-${what}-${ticket}-${this.o.clock.now()}-${++this.seq}`.slice(0, 64);
  }

  private result(retcode: number, message: string, extra: Partial<Pick<TradeResult, 'ticket' | 'price' | 'volume'>> = {}): TradeResult {
    return { retcode, ok: isSuccessRetcode(retcode), message, ticket: extra.ticket ?? null, price: extra.price ?? null, volume: extra.volume ?? null, fillNote: null, tsEvent: this.o.clock.now() };
  }
}

function wireTicket(ticket: string): number | null {
  const n = Number(ticket);
  return /^\d+$/.test(ticket) && Number.isSafeInteger(n) ? n : null;
}
