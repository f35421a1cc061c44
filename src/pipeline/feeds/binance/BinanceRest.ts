/**
 * Binance market-data REST client (spot `/api/v3`, USD-M `/fapi/v1`) for
 * gap-fill and startup checks: aggTrades, klines, exchangeInfo. Built on the
 * global `fetch`; fails over across a list of base URLs; every request has a
 * timeout (on the injected Clock); keeps its request weight under a
 * self-imposed budget per minute, learning the real figure from
 * `X-MBX-USED-WEIGHT-1M`; after a 429/418 sends nothing before `Retry-After`
 * has passed (so a ban never escalates). Answers are validated with zod.
 *
 * @see /work/shared/research/protocols.md A.6-A.7
 */
import type { Clock } from '../../../core/clock/Clock.js';
import { ConfigError } from '../../../core/errors.js';
import type { BinanceMarket } from '../../../core/types/SymbolSpec.js';
import type { BinanceTimeUnit } from './mapOutcome.js';
import { BinanceAbortedError, BinanceInvalidSymbolError, BinanceRequestError, BinanceUnavailableError } from './restErrors.js';
import { RestRateGate } from './restRateGate.js';
import {
  ExchangeInfoSchema,
  RestAggTradesSchema,
  RestErrorSchema,
  RestKlinesSchema,
  type ExchangeInfo,
  type RestAggTrade,
  type RestKline,
} from './restSchema.js';
import { restWeight } from './restSchema.js';

export { restAggTradeTick, restWeight } from './restSchema.js';

/** Options of the REST client. */
export type BinanceRestOptions = {
  /** Base URLs tried in order on failure, e.g. `['https://data-api.binance.vision', 'https://api.binance.com']`. */
  baseUrls: readonly string[];
  market: BinanceMarket;
  clock: Clock;
  /** Per-request timeout, ms (default 10 000). */
  timeoutMs?: number;
  /** Request weight we allow ourselves per minute (default half of Binance's: spot 3000, USD-M 1200). */
  weightBudget?: number;
  /** Spot only: ask for µs timestamps (`X-MBX-TIME-UNIT: MICROSECOND`), as a µs WebSocket does. */
  timeUnit?: BinanceTimeUnit;
  /** The fetch implementation (default the global one). */
  fetch?: typeof fetch;
};

/** `aggTrades` parameters (Binance's names; `fromId` is inclusive). */
export type AggTradesQuery = Readonly<{ symbol: string; fromId?: number; startTime?: number; endTime?: number; limit?: number }>;

/** `klines` parameters. */
export type KlinesQuery = Readonly<{ symbol: string; interval: string; startTime?: number; endTime?: number; limit?: number; timeZone?: string }>;

/** Health of the REST client, for the status tool. */
export type RestStatus = Readonly<{
  /** Base URL currently preferred (the last that answered). */
  baseUrl: string;
  requests: number;
  /** Calls that failed on every base URL. */
  failures: number;
  /** Switches to another base URL. */
  failovers: number;
  rateLimited: number;
  /** Weight used in the current minute (ours, or Binance's figure when higher), and our budget. */
  usedWeight: number;
  budget: number;
  /** No request before this time (epoch ms) after a 429/418, or null. */
  retryAt: number | null;
  /** Calls waiting for the rate limit or the budget. */
  waiting: number;
  lastError: string | null;
}>;

function why(error: unknown): string {
  const e = error as { cause?: { code?: string; message?: string }; message?: string };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

/** The REST client. Safe for concurrent calls; they share the rate-limit state. */
export class BinanceRest {
  private readonly o: BinanceRestOptions;
  private readonly clock: Clock;
  private readonly urls: readonly string[];
  private readonly prefix: string;
  private readonly rate: RestRateGate;
  private readonly fetchFn: typeof fetch;
  private preferred = 0;
  private requests = 0;
  private failures = 0;
  private failovers = 0;
  private lastError: string | null = null;

  constructor(options: BinanceRestOptions) {
    this.o = options;
    this.clock = options.clock;
    this.urls = options.baseUrls.map((u) => u.replace(/\/+$/, ''));
    const bad = this.urls.filter((u) => !/^https?:\/\/[^/]/.test(u));
    if (this.urls.length === 0 || bad.length > 0) {
      const issues = this.urls.length === 0 ? ['baseUrls must not be empty'] : bad.map((u) => `not an http(s) URL: ${u}`);
      throw new ConfigError(`bad Binance REST config: ${issues.join('; ')}`, issues);
    }
    this.prefix = options.market === 'spot' ? '/api/v3/' : '/fapi/v1/';
    this.rate = new RestRateGate(this.clock, options.weightBudget ?? (options.market === 'spot' ? 3000 : 1200));
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Aggregate trades, chronological (limit default 500, max 1000). */
  async aggTrades(q: AggTradesQuery, signal?: AbortSignal): Promise<RestAggTrade[]> {
    const params = { symbol: q.symbol.toUpperCase(), fromId: q.fromId, startTime: q.startTime, endTime: q.endTime, limit: q.limit };
    return this.get('aggTrades', params, restWeight(this.o.market, 'aggTrades'), RestAggTradesSchema, signal);
  }

  /** Klines, oldest first (limit default 500, max 1000 spot / 1500 USD-M). */
  async klines(q: KlinesQuery, signal?: AbortSignal): Promise<RestKline[]> {
    const params = { symbol: q.symbol.toUpperCase(), interval: q.interval, startTime: q.startTime, endTime: q.endTime, limit: q.limit, timeZone: q.timeZone };
    const rows = await this.get('klines', params, restWeight(this.o.market, 'klines', q.limit ?? 500), RestKlinesSchema, signal);
    return rows.map((r) => ({
      openTime: r[0],
      open: r[1],
      high: r[2],
      low: r[3],
      close: r[4],
      volume: r[5],
      closeTime: r[6],
      quoteVolume: r[7],
      trades: r[8],
      takerBuyVolume: r[9],
      takerBuyQuoteVolume: r[10],
    }));
  }

  /** Exchange information; spot may be narrowed to `symbol` or `symbols` (an unlisted one → `BinanceInvalidSymbolError`). */
  async exchangeInfo(q: Readonly<{ symbol?: string; symbols?: readonly string[] }> = {}, signal?: AbortSignal): Promise<ExchangeInfo> {
    const params: Record<string, string | number | undefined> = {};
    if (this.o.market === 'spot') {
      if (q.symbol !== undefined) params.symbol = q.symbol.toUpperCase();
      else if (q.symbols !== undefined) params.symbols = JSON.stringify(q.symbols.map((s) => s.toUpperCase()));
    }
    return this.get('exchangeInfo', params, restWeight(this.o.market, 'exchangeInfo'), ExchangeInfoSchema, signal);
  }

  /** Counters, weight and rate-limit state. */
  status(): RestStatus {
    const now = this.clock.now();
    return {
      baseUrl: this.urls[this.preferred] as string,
      requests: this.requests,
      failures: this.failures,
      failovers: this.failovers,
      rateLimited: this.rate.rateLimited,
      usedWeight: this.rate.usedWeight(now),
      budget: this.rate.budget,
      retryAt: this.rate.retryAfter(now),
      waiting: this.rate.waiting,
      lastError: this.lastError,
    };
  }

  private async get<T>(
    endpoint: string,
    params: Record<string, string | number | undefined>,
    weight: number,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } },
    signal: AbortSignal | undefined,
  ): Promise<T> {
    await this.rate.pass(weight, signal);
    const qs = Object.entries(params)
      .filter((e): e is [string, string | number] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
    const path = `${this.prefix}${endpoint}${qs ? `?${qs}` : ''}`;
    const headers: Record<string, string> = this.o.timeUnit === 'MICROSECOND' && this.o.market === 'spot' ? { 'X-MBX-TIME-UNIT': 'MICROSECOND' } : {};
    const attempts: string[] = [];
    for (let k = 0; k < this.urls.length; k++) {
      const i = (this.preferred + k) % this.urls.length;
      const url = `${this.urls[i]}${path}`;
      if (k > 0) this.failovers++;
      const ac = new AbortController();
      const timeoutMs = this.o.timeoutMs ?? 10_000;
      const cancel = this.clock.setTimeout(() => ac.abort(), timeoutMs);
      const onAbort = () => ac.abort();
      signal?.addEventListener('abort', onAbort);
      let status: number;
      let text: string;
      let res: Response;
      try {
        this.requests++;
        res = await this.fetchFn(url, { signal: ac.signal, headers });
        status = res.status;
        text = await res.text();
      } catch (error) {
        if (signal?.aborted) throw new BinanceAbortedError(url);
        attempts.push(`${url}: ${ac.signal.aborted ? `timeout after ${timeoutMs} ms` : why(error)}`);
        continue;
      } finally {
        cancel();
        signal?.removeEventListener('abort', onAbort);
      }
      this.rate.noteWeight(res.headers.get('x-mbx-used-weight-1m'));
      if (status === 429 || status === 418) {
        const limited = this.rate.limited(status, res.headers.get('retry-after'), text, url);
        this.lastError = `HTTP ${status} ${text.slice(0, 160)}`;
        throw limited;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        attempts.push(`${url}: HTTP ${status}, unreadable body ${JSON.stringify(text.slice(0, 80))}`);
        continue;
      }
      if (status >= 500) {
        attempts.push(`${url}: HTTP ${status} ${text.slice(0, 120)}`);
        continue;
      }
      if (status >= 400) {
        const e = RestErrorSchema.safeParse(body);
        const code = e.success ? e.data.code : null;
        if (code === -1121) throw new BinanceInvalidSymbolError(String(params.symbol ?? params.symbols ?? ''), url);
        throw new BinanceRequestError(`Binance refused ${path}: HTTP ${status}${e.success ? ` ${e.data.code} ${e.data.msg}` : ''}`, status, code, url);
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        attempts.push(`${url}: unexpected answer (${first ? `${first.path.map(String).join('.')}: ${first.message}` : 'invalid'})`);
        continue;
      }
      this.preferred = i;
      return parsed.data;
    }
    this.failures++;
    this.lastError = attempts.join('; ');
    throw new BinanceUnavailableError(`Binance REST unavailable (${attempts.length} attempts): ${this.lastError}`, attempts);
  }
}
