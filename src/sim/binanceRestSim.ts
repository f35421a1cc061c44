/**
 * The REST side of the Binance simulator: spot `/api/v3/{aggTrades,klines,
 * exchangeInfo,ping,time}` or USD-M `/fapi/v1/...` (by market), answered from
 * the replay's played history with Binance's JSON shapes, status codes and
 * error bodies (`{"code":-1121,"msg":"Invalid symbol."}`), request weights in
 * `X-MBX-USED-WEIGHT-1M`, 429 + `Retry-After` over the weight limit and 418
 * bans for clients that ignore a 429. Fault hook: `rateLimitNext(n)`.
 *
 * @see /work/shared/research/protocols.md A.6
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock/Clock.js';
import { WEIGHT_LIMIT, exchangeInfoBody, type ListedSymbol } from './binanceExchangeInfo.js';
import type { ReplayHistory } from './binanceHistory.js';
import { buildKlines, isKlineInterval, klineFormat, type KlineFormat } from './binanceKlines.js';
import type { BinanceMarket, BinanceRecording } from './binanceRecording.js';

/** Options of the REST simulator. */
export type BinanceRestSimOptions = {
  market: BinanceMarket;
  clock: Clock;
  /** Request weight per minute before 429 (default Binance's: spot 6000, USD-M 2400). */
  weightLimit?: number;
  /** Only trades this young (relative to the latest played one) are served, like USD-M's 24 h (default: all). */
  retentionMs?: number;
  /** Ban length after an ignored 429, seconds (default 120, Binance's first step). */
  banSeconds?: number;
};

/** REST counters. */
export type RestSimStatus = Readonly<{ requests: number; usedWeight: number; rateLimited: number; banned: number }>;

class Reply {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {}
}

const err = (status: number, code: number, msg: string) => new Reply(status, JSON.stringify({ code, msg }));
const INT = /^-?\d{1,20}$/;

/** Answers Binance REST requests from a replay's played history. */
export class BinanceRestSim {
  private readonly clock: Clock;
  private readonly market: BinanceMarket;
  private readonly limit: number;
  private readonly bySymbol = new Map<string, number | null>();
  private readonly listed: ListedSymbol[] = [];
  private readonly formats = new Map<number, KlineFormat>();
  private minute = -1;
  private used = 0;
  private faultLeft = 0;
  private faultRetrySec = 1;
  private retryUntil = 0;
  private banUntil = 0;
  private requests = 0;
  private rateLimited = 0;
  private banned = 0;

  constructor(
    private readonly history: ReplayHistory,
    recordings: readonly BinanceRecording[],
    private readonly o: BinanceRestSimOptions,
  ) {
    this.clock = o.clock;
    this.market = o.market;
    this.limit = o.weightLimit ?? WEIGHT_LIMIT[o.market];
    recordings.forEach((rec, r) => {
      const upper = rec.symbol.toUpperCase();
      const trades = rec.kind !== 'bookTicker';
      if (!this.bySymbol.has(upper)) {
        const sample = rec.rows.slice(0, 500);
        const prices = sample.flatMap((row) => (row.kind === 'bookTicker' ? [row.b, row.a] : [row.p]));
        const quantities = sample.flatMap((row) => (row.kind === 'bookTicker' ? [row.B, row.A] : [row.q]));
        this.listed.push({ symbol: upper, prices, quantities });
        this.bySymbol.set(upper, trades ? r : null);
      } else if (trades && this.bySymbol.get(upper) === null) this.bySymbol.set(upper, r);
    });
  }

  /** Fault hook: the next `n` requests get 429 with `Retry-After: retryAfterSec`; a request before that time gets 418. */
  rateLimitNext(n: number, retryAfterSec = 1): void {
    this.faultLeft = n;
    this.faultRetrySec = retryAfterSec;
  }

  /** Counters and the weight used in the current minute. */
  status(): RestSimStatus {
    return { requests: this.requests, usedWeight: this.minute === Math.floor(this.clock.now() / 60_000) ? this.used : 0, rateLimited: this.rateLimited, banned: this.banned };
  }

  /** Answers `req` when its path is a REST endpoint of the market; false otherwise (caller answers 404). */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = this.market === 'spot' ? '/api/v3/' : '/fapi/v1/';
    if (req.method !== 'GET' || !url.pathname.startsWith(prefix)) return false;
    const endpoint = url.pathname.slice(prefix.length);
    const q = url.searchParams;
    const weight = this.weight(endpoint, q);
    if (weight === null) return false;
    this.requests++;
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8' };
    const reply = this.gate(weight, headers) ?? this.answer(endpoint, q, String(req.headers['x-mbx-time-unit'] ?? '').toUpperCase() === 'MICROSECOND');
    const used = String(this.used);
    headers['x-mbx-used-weight'] = used;
    headers['x-mbx-used-weight-1m'] = used;
    res.writeHead(reply.status, headers).end(reply.body);
    return true;
  }

  private weight(endpoint: string, q: URLSearchParams): number | null {
    const spot = this.market === 'spot';
    switch (endpoint) {
      case 'ping':
      case 'time':
        return 1;
      case 'exchangeInfo':
        return spot ? 20 : 1;
      case 'aggTrades':
        return spot ? 4 : 20;
      case 'klines': {
        if (spot) return 2;
        const limit = Number(q.get('limit') ?? 500);
        return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
      }
      default:
        return null;
    }
  }

  /** Bans, injected 429s and the weight limit; null when the request may proceed. */
  private gate(weight: number, headers: Record<string, string>): Reply | null {
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
    const ip = '127.0.0.1';
    // Half a millisecond of tolerance: a client that waits exactly Retry-After on its own clock is not early.
    if (now + 0.5 < this.banUntil || now + 0.5 < this.retryUntil) {
      if (now + 0.5 >= this.banUntil) this.banUntil = now + (this.o.banSeconds ?? 120) * 1000;
      this.banned++;
      headers['retry-after'] = String(Math.ceil((this.banUntil - now) / 1000));
      return err(418, -1003, `Way too many requests; IP(${ip}) banned until ${this.banUntil}. Please use WebSocket Streams for live updates to avoid bans.`);
    }
    const over = this.used + weight > this.limit;
    if (this.faultLeft > 0 || over) {
      const sec = over ? Math.ceil(((minute + 1) * 60_000 - now) / 1000) : this.faultRetrySec;
      if (!over) this.faultLeft--;
      this.retryUntil = now + sec * 1000;
      this.rateLimited++;
      headers['retry-after'] = String(sec);
      return err(
        429,
        -1003,
        `Too many requests; current limit of IP(${ip}) request weight is ${this.limit} per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      );
    }
    this.used += weight;
    return null;
  }

  private answer(endpoint: string, q: URLSearchParams, micro: boolean): Reply {
    const now = Math.floor(this.clock.now());
    switch (endpoint) {
      case 'ping':
        return new Reply(200, '{}');
      case 'time':
        return new Reply(200, JSON.stringify({ serverTime: now }));
      case 'exchangeInfo':
        return this.exchangeInfo(q, now);
      case 'aggTrades':
        return this.withSymbol(q, (r) => this.aggTrades(r, q, micro && this.market === 'spot'));
      default:
        return this.withSymbol(q, (r) => this.klines(r, q, micro && this.market === 'spot'));
    }
  }

  private exchangeInfo(q: URLSearchParams, now: number): Reply {
    if (this.market === 'usdm') return new Reply(200, JSON.stringify(exchangeInfoBody('usdm', this.listed, now)));
    let wanted: string[] | null = null;
    const one = q.get('symbol');
    const many = q.get('symbols');
    if (one !== null) wanted = [one];
    else if (many !== null) {
      try {
        const parsed: unknown = JSON.parse(many);
        if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error('not a list');
        wanted = parsed as string[];
      } catch {
        return err(400, -1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
      }
    }
    if (wanted === null) return new Reply(200, JSON.stringify(exchangeInfoBody('spot', this.listed, now)));
    const picked: ListedSymbol[] = [];
    for (const name of wanted) {
      const found = this.listed.find((l) => l.symbol === name);
      if (!found) return err(400, -1121, 'Invalid symbol.');
      picked.push(found);
    }
    return new Reply(200, JSON.stringify(exchangeInfoBody('spot', picked, now)));
  }

  private withSymbol(q: URLSearchParams, fn: (r: number | null) => Reply): Reply {
    const symbol = q.get('symbol');
    if (symbol === null || symbol === '') return err(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (!this.bySymbol.has(symbol)) return err(400, -1121, 'Invalid symbol.');
    return fn(this.bySymbol.get(symbol) ?? null);
  }

  /** Parses optional integer parameters; a Reply when one is malformed. */
  private ints(q: URLSearchParams, names: readonly string[]): Record<string, number | null> | Reply {
    const out: Record<string, number | null> = {};
    for (const name of names) {
      const v = q.get(name);
      if (v === null) out[name] = null;
      else if (!INT.test(v)) return err(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
      else out[name] = Number(v);
    }
    return out;
  }

  /** First served played index of recording `r` (retention) and the played count. */
  private served(r: number): [number, number] {
    const total = this.history.count(r);
    if (this.o.retentionMs === undefined || total === 0) return [0, total];
    const latest = this.history.msAt(r, total - 1);
    return [this.history.firstByTime(r, latest - this.o.retentionMs), total];
  }

  private aggTrades(r: number | null, q: URLSearchParams, micro: boolean): Reply {
    const p = this.ints(q, ['fromId', 'startTime', 'endTime', 'limit']);
    if (p instanceof Reply) return p;
    const limit = Math.min(1000, Math.max(1, p.limit ?? 500));
    const { fromId, startTime, endTime } = p;
    if (this.market === 'usdm' && startTime != null && endTime != null && endTime - startTime >= 3_600_000) {
      return err(400, -1127, 'More than 1 hours between startTime and endTime.');
    }
    if (r === null) return new Reply(200, '[]');
    const h = this.history;
    const [first, total] = this.served(r);
    let end = endTime == null ? total : Math.min(total, h.firstByTime(r, endTime + 1));
    let start: number;
    if (fromId != null) start = Math.max(first, h.firstById(r, fromId));
    else if (startTime != null) start = Math.max(first, h.firstByTime(r, startTime));
    else start = Math.max(first, end - limit);
    end = Math.min(end, start + limit);
    const items: string[] = [];
    for (let g = start; g < end; g++) {
      const t = h.trade(r, g);
      const T = micro ? t.us : Math.floor(t.us / 1000);
      items.push(
        this.market === 'spot'
          ? `{"a":${t.a},"p":"${t.p}","q":"${t.q}","f":${t.f},"l":${t.l},"T":${T},"m":${t.m},"M":${t.M}}`
          : `{"a":${t.a},"p":"${t.p}","q":"${t.q}","f":${t.f},"l":${t.l},"T":${T},"m":${t.m}}`,
      );
    }
    return new Reply(200, `[${items.join(',')}]`);
  }

  private klines(r: number | null, q: URLSearchParams, micro: boolean): Reply {
    const interval = q.get('interval');
    if (interval === null || interval === '') return err(400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
    if (!isKlineInterval(interval, this.market)) return err(400, -1120, 'Invalid interval.');
    const p = this.ints(q, ['startTime', 'endTime', 'limit']);
    if (p instanceof Reply) return p;
    if (r === null) return new Reply(200, '[]');
    const max = this.market === 'spot' ? 1000 : 1500;
    const div = micro ? 1000 : 1;
    const query = {
      interval,
      startTime: p.startTime == null ? null : Math.floor(p.startTime / div),
      endTime: p.endTime == null ? null : Math.floor(p.endTime / div),
      limit: Math.min(max, Math.max(1, p.limit ?? 500)),
      timeUnitUs: micro,
    };
    let fmt = this.formats.get(r);
    if (!fmt) {
      fmt = klineFormat(this.history, r);
      if (this.history.count(r) > 0) this.formats.set(r, fmt);
    }
    const [first, total] = this.served(r);
    return new Reply(200, JSON.stringify(buildKlines(this.history, r, first, total, query, fmt)));
  }
}
