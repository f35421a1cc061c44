/**
 * Typed failures of the Binance REST client, so callers can tell "retry
 * later" (rate limits, outages: `TemporaryError`) from "this request can never
 * succeed" (bad symbol, bad parameter: `InvalidRequestError`), and see what
 * Binance said (`status`, Binance `code`, `msg`).
 */
import { InvalidRequestError, TemporaryError } from '../../../core/errors.js';

/** Binance refused the request as invalid (HTTP 4xx other than 429/418); retrying will not help. */
export class BinanceRequestError extends InvalidRequestError {
  constructor(
    message: string,
    /** HTTP status. */
    readonly status: number,
    /** Binance error code (e.g. -1100), or null when the body had none. */
    readonly binanceCode: number | null,
    readonly url: string,
  ) {
    super(message);
  }
}

/** The symbol is not listed (HTTP 400, code -1121 "Invalid symbol."). */
export class BinanceInvalidSymbolError extends BinanceRequestError {
  constructor(
    /** Upper-case symbol as sent, e.g. `XAUUSDT`. */
    readonly symbol: string,
    url: string,
  ) {
    super(`Binance does not list ${symbol} (-1121 Invalid symbol.)`, 400, -1121, url);
  }
}

/** Binance rate-limited (429) or banned (418) us; no request goes out before `retryAt`. */
export class BinanceRateLimitError extends TemporaryError {
  constructor(
    message: string,
    readonly status: 429 | 418,
    /** Wait Binance asked for (Retry-After), ms. */
    readonly retryAfterMs: number,
    /** Wall-clock time (epoch ms) before which the client will not send again. */
    readonly retryAt: number,
    readonly url: string,
  ) {
    super(message);
  }
}

/** Every base URL failed (network error, timeout, 5xx or an unreadable answer); may pass later. */
export class BinanceUnavailableError extends TemporaryError {
  constructor(
    message: string,
    /** One line per attempt: `url: reason`. */
    readonly attempts: readonly string[],
  ) {
    super(message);
  }
}

/** The request was aborted by the caller (feed stopping); not a failure of Binance. */
export class BinanceAbortedError extends TemporaryError {
  constructor(url: string) {
    super(`request aborted: ${url}`);
  }
}
