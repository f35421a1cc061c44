/**
 * Set-up of the approval tests: a paper venue priced at the recorded BTCUSDT
 * 1m closes of 2024-03-14 (bid = ask = close), a risk engine with no
 * calendar, a coordinator, the approval book over a fresh in-memory SQLite
 * store (migration 0003), and a TestClock.
 */
import { readFileSync } from 'node:fs';
import { TestClock, type ExecutionVenue } from '../../../src/core/index.js';
import { ApprovalBook, createTradingGate, type ApprovalsSettings, type ParametersPort } from '../../../src/engines/approvals/index.js';
import { Coordinator, type TradingMode } from '../../../src/engines/coordinator/index.js';
import { PaperVenue, type PaperPrice } from '../../../src/engines/paper/index.js';
import { RiskEngine } from '../../../src/engines/risk/index.js';
import { ApprovalRepo, AuditRepo, openStore } from '../../../src/store/index.js';
import { BTC_RULES } from '../paper/harness.js';

/** Recorded 1m klines of 2024-03-14 (open time, close). */
export const KLINES: readonly Readonly<{ openTime: number; close: number }>[] = readFileSync(new URL('../../fixtures/binance/BTCUSDT-1m-2024-03-14.csv', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const c = l.split(',');
    return { openTime: Number(c[0]), close: Number(c[4]) };
  });

/** Options of a rig. */
export type RigOptions = Readonly<{ settings?: Partial<ApprovalsSettings>; readOnly?: boolean; parameters?: ParametersPort; mode?: TradingMode; autoEnroll?: boolean }>;

/** A fresh approval stack priced at the first recorded close (73039.79). */
export function approvalRig(o: RigOptions = {}) {
  const first = KLINES[0]!;
  const clock = new TestClock(first.openTime + 60_000);
  let price: PaperPrice = { bid: first.close, ask: first.close, last: first.close, tsEvent: clock.now() };
  const paper = new PaperVenue({ clock, rules: { BTCUSD: BTC_RULES }, balance: 1_000_000, currency: 'USD', defaultSpread: { BTCUSD: 20 }, priceOf: (s) => (s === 'BTCUSD' ? price : null) });
  let calls = 0;
  // Every order, modification and close that reaches the venue is counted, accepted or not.
  const venue: ExecutionVenue = {
    id: paper.id,
    placeOrder: (req) => ((calls += 1), paper.placeOrder(req)),
    modifyPosition: (t, sl, tp) => ((calls += 1), paper.modifyPosition(t, sl, tp)),
    closePosition: (t, v) => ((calls += 1), paper.closePosition(t, v)),
    positions: () => paper.positions(),
    account: () => paper.account(),
  };
  const risk = new RiskEngine(clock, [], {});
  const coordinator = new Coordinator({ clock, venue, risk, modeOf: () => o.mode ?? 'paper', record: () => {}, tickDecisions: false, autoEnroll: o.autoEnroll ?? true });
  const store = openStore({ path: ':memory:', clock });
  const requests = new ApprovalRepo(store.db);
  const audit = new AuditRepo(store.db);
  const gate = createTradingGate({ venue, risk, coordinator, rules: { BTCUSD: BTC_RULES }, spreads: { BTCUSD: 20 }, priceOf: (s) => (s === 'BTCUSD' ? price : null), ...(o.parameters ? { parameters: o.parameters } : {}) });
  let n = 0;
  const book = new ApprovalBook({ clock, requests, audit, gate, ...(o.settings ? { settings: o.settings } : {}), ...(o.readOnly ? { readOnly: true } : {}), newId: () => `apr_${String(++n).padStart(6, '0')}` });
  /** Moves the market to `close` (bid = ask = last). */
  const setPrice = (close: number): void => {
    price = { bid: close, ask: close, last: close, tsEvent: clock.now() };
    paper.onPrice('BTCUSD');
  };
  /** Puts the risk engine in `reducing`: a session peak far above the venue's equity. */
  const forceReducing = (): void => {
    risk.onEquity(venue.account().equity * 2);
  };
  /** Commands that reached the venue so far (orders, modifications, closes; accepted or not). */
  const venueTrades = (): number => calls;
  return { clock, venue: paper, risk, coordinator, store, requests, audit, gate, book, setPrice, forceReducing, venueTrades, firstClose: first.close };
}

/** A rig. */
export type ApprovalRig = ReturnType<typeof approvalRig>;
