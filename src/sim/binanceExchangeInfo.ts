/**
 * `exchangeInfo` bodies for the instruments a replay holds, in Binance's
 * shapes: spot `/api/v3/exchangeInfo` (rate limits, symbols with status,
 * assets, PRICE_FILTER / LOT_SIZE derived from the recorded decimals) and USD-M
 * `/fapi/v1/exchangeInfo` (contract type: `TRADIFI_PERPETUAL` for the TradFi
 * gold and silver contracts, `PERPETUAL` otherwise).
 *
 * @see /work/shared/research/protocols.md A.6-A.7
 */
import type { BinanceMarket } from './binanceRecording.js';

/** What the simulator knows about one listed instrument. */
export type ListedSymbol = Readonly<{
  /** Upper-case symbol, e.g. `BTCUSDT`. */
  symbol: string;
  /** Sample prices and quantities (decimal strings) to derive tick and step sizes. */
  prices: readonly string[];
  quantities: readonly string[];
}>;

/** Request-weight limit per minute and per IP, as the live exchangeInfo reports it. */
export const WEIGHT_LIMIT: Readonly<Record<BinanceMarket, number>> = { spot: 6000, usdm: 2400 };

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'TUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];
const TRADFI = new Set(['XAUUSDT', 'XAGUSDT']);

/** Splits `BTCUSDT` into base `BTC` and quote `USDT`. */
export function splitSymbol(symbol: string): { base: string; quote: string } {
  const quote = QUOTES.find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? 'USDT';
  return { base: symbol.slice(0, symbol.length - quote.length), quote };
}

/** Smallest decimal step used by any of the values, as Binance writes a filter (`0.01000000`). */
function step(values: readonly string[], digits: number): string {
  let used = 0;
  for (const v of values) {
    const frac = v.split('.')[1] ?? '';
    const trimmed = frac.replace(/0+$/, '');
    used = Math.max(used, trimmed.length);
  }
  if (digits === 0) return '1';
  const body = used === 0 ? `1.${'0'.repeat(digits)}` : `0.${'0'.repeat(used - 1)}1${'0'.repeat(Math.max(0, digits - used))}`;
  return body;
}

function digitsOf(values: readonly string[]): number {
  return Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
}

function rateLimits(market: BinanceMarket): unknown[] {
  return market === 'spot'
    ? [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: WEIGHT_LIMIT.spot },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
        { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
        { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
      ]
    : [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: WEIGHT_LIMIT.usdm },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
      ];
}

function spotSymbol(s: ListedSymbol): unknown {
  const { base, quote } = splitSymbol(s.symbol);
  const pd = digitsOf(s.prices);
  const qd = digitsOf(s.quantities);
  return {
    symbol: s.symbol,
    status: 'TRADING',
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true,
    ocoAllowed: true,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: true,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: step(s.prices, pd), maxPrice: `1000000.${'0'.repeat(pd)}`, tickSize: step(s.prices, pd) },
      { filterType: 'LOT_SIZE', minQty: step(s.quantities, qd), maxQty: `9000.${'0'.repeat(qd)}`, stepSize: step(s.quantities, qd) },
    ],
    permissions: [],
    permissionSets: [['SPOT', 'MARGIN']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function usdmSymbol(s: ListedSymbol): unknown {
  const { base, quote } = splitSymbol(s.symbol);
  const tradfi = TRADFI.has(s.symbol);
  const tick = step(s.prices, digitsOf(s.prices));
  const lot = step(s.quantities, digitsOf(s.quantities));
  return {
    symbol: s.symbol,
    pair: s.symbol,
    contractType: tradfi ? 'TRADIFI_PERPETUAL' : 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: tradfi ? 1767600000000 : 1569398400000,
    status: 'TRADING',
    baseAsset: base,
    quoteAsset: quote,
    marginAsset: quote,
    pricePrecision: Math.max(0, tick.length - tick.indexOf('.') - 1),
    quantityPrecision: Math.max(0, lot.length - lot.indexOf('.') - 1),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: tradfi ? 'COMMODITY' : 'COIN',
    underlyingSubType: tradfi ? ['TradFi'] : [],
    triggerProtect: '0.0500',
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000', tickSize: tick },
      { filterType: 'LOT_SIZE', minQty: lot, maxQty: '1000', stepSize: lot },
      { filterType: 'MIN_NOTIONAL', notional: '5' },
    ],
    orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
  };
}

/** The exchangeInfo body listing `symbols` (already filtered by the caller) for `market`. */
export function exchangeInfoBody(market: BinanceMarket, symbols: readonly ListedSymbol[], serverTime: number): unknown {
  if (market === 'spot') {
    return { timezone: 'UTC', serverTime, rateLimits: rateLimits('spot'), exchangeFilters: [], symbols: symbols.map(spotSymbol) };
  }
  const assets = [...new Set(symbols.map((s) => splitSymbol(s.symbol).quote))].map((asset) => ({ asset, marginAvailable: true, autoAssetExchange: '-10000' }));
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: rateLimits('usdm'),
    exchangeFilters: [],
    assets,
    symbols: symbols.map(usdmSymbol),
  };
}
