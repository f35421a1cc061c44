/**
 * Startup check that every configured Binance instrument is listed and
 * trading, via exchangeInfo: spot asks for the symbols at once and, when that
 * is refused with -1121, one by one to find the missing ones; USD-M reads the
 * whole list (contract type is not filtered: XAUUSDT is TRADIFI_PERPETUAL).
 * A missing symbol is a per-symbol finding, never an exception; when the check
 * itself cannot run (network), every symbol is kept and the reason returned.
 */
import type { BinanceMarket } from '../../../core/types/SymbolSpec.js';
import type { BinanceRest } from './BinanceRest.js';
import { BinanceInvalidSymbolError } from './restErrors.js';
import type { ExchangeSymbol } from './restSchema.js';

/** Outcome of the check: missing instruments (upper case) with the reason, or why the check could not run. */
export type ListingCheck = Readonly<{ missing: ReadonlyMap<string, string>; unverified: string | null }>;

const marketName = (market: BinanceMarket) => (market === 'spot' ? 'Binance spot' : 'Binance USD-M futures');

function judge(market: BinanceMarket, wanted: readonly string[], listed: readonly ExchangeSymbol[], missing: Map<string, string>): void {
  const bySymbol = new Map(listed.map((s) => [s.symbol, s]));
  for (const symbol of wanted) {
    const s = bySymbol.get(symbol);
    if (!s) missing.set(symbol, `${symbol} is not listed on ${marketName(market)} (exchangeInfo)`);
    else if (s.status !== 'TRADING') missing.set(symbol, `${symbol} is listed on ${marketName(market)} but not trading (status ${s.status})`);
  }
}

/** Checks that `instruments` (any case) are listed and trading on `market`. */
export async function checkListings(rest: BinanceRest, market: BinanceMarket, instruments: readonly string[], signal?: AbortSignal): Promise<ListingCheck> {
  const wanted = [...new Set(instruments.map((s) => s.toUpperCase()))];
  const missing = new Map<string, string>();
  if (wanted.length === 0) return { missing, unverified: null };
  try {
    if (market === 'usdm') {
      judge(market, wanted, (await rest.exchangeInfo({}, signal)).symbols, missing);
      return { missing, unverified: null };
    }
    try {
      judge(market, wanted, (await rest.exchangeInfo({ symbols: wanted }, signal)).symbols, missing);
      return { missing, unverified: null };
    } catch (error) {
      if (!(error instanceof BinanceInvalidSymbolError)) throw error;
    }
    for (const symbol of wanted) {
      try {
        judge(market, [symbol], (await rest.exchangeInfo({ symbol }, signal)).symbols, missing);
      } catch (error) {
        if (!(error instanceof BinanceInvalidSymbolError)) throw error;
        missing.set(symbol, `${symbol} is not listed on ${marketName(market)} (exchangeInfo: -1121 Invalid symbol.)`);
      }
    }
    return { missing, unverified: null };
  } catch (error) {
    return { missing: new Map(), unverified: `could not verify listings: ${(error as Error).message}` };
  }
}
