/** Shared set-up of the paper venue tests: BTCUSD rules, a settable price and real recorded prices. */
import { TestClock } from '../../../src/core/index.js';
import type { SymbolRules } from '../../../src/core/index.js';
import { PaperVenue } from '../../../src/engines/paper/index.js';
import type { PaperPrice } from '../../../src/engines/paper/index.js';
import { AGG_TRADES_2026, fixtureRows, quotes2023 } from '../../fixtures/load.js';

/** BTCUSD broker rules: 0.01 point, stop level 100 points (= 1.00), 0.1-5 lots in 0.01 steps, 1 BTC per lot. */
export const BTC_RULES: SymbolRules = {
  symbol: 'BTCUSD',
  point: 0.01,
  digits: 2,
  stopsLevel: 100,
  volumeMin: 0.1,
  volumeMax: 5,
  volumeStep: 0.01,
  contractSize: 1,
};

/** USD-M BTCUSDT bookTicker of 2023-10-02 as venue prices (quote 0: bid 27981.3 / ask 27981.4). */
export function bookPrices(): PaperPrice[] {
  return quotes2023().map((t) => ({ bid: t.bid, ask: t.ask, last: null, tsEvent: t.tsEvent }));
}

/** Spot BTCUSDT aggTrades of 2026-01-01 as trades-only prices (row 0: last 87648.21), µs times turned to ms. */
export function tradePrices(): PaperPrice[] {
  return fixtureRows(AGG_TRADES_2026).map((c) => ({ bid: null, ask: null, last: Number(c[1]), tsEvent: Math.floor(Number(c[5]) / 1000) }));
}

/** A paper venue on BTCUSD (balance 10000 USD, default spread 0.20) whose price and market state the test sets. */
export function setup() {
  const clock = new TestClock(0);
  let current: PaperPrice | null = null;
  let open = true;
  const venue = new PaperVenue({
    clock,
    rules: { BTCUSD: BTC_RULES },
    balance: 10000,
    currency: 'USD',
    defaultSpread: { BTCUSD: 0.2 },
    priceOf: (symbol) => (symbol === 'BTCUSD' ? current : null),
    marketOpen: () => open,
  });
  return {
    venue,
    clock,
    /** Makes `price` the current BTCUSD price and moves the clock to its time. */
    at(price: PaperPrice | null | undefined): void {
      current = price ?? null;
      if (price) clock.setWall(price.tsEvent);
    },
    setOpen(value: boolean): void {
      open = value;
    },
  };
}

/** An order request with defaults (no stops, comment-less). */
export function order(side: 'buy' | 'sell', volume: number, key: string, sl: number | null = null, tp: number | null = null) {
  return { symbol: 'BTCUSD', side, volume, sl, tp, idempotencyKey: key } as const;
}
