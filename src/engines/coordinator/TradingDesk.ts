/**
 * Assembles the in-process trading stack for the composition root: a paper
 * venue priced by the fused stream, the risk engine fed with the venue's
 * equity, the calendar and the M5 volatility states, and the coordinator
 * subscribed to the bus. Positions opened at the paper venue (by the
 * coordinator or anyone else) are enrolled in DTMS at the next decision when
 * they have a stop. Every journal record is published on `dtms.action`.
 * Another execution venue (e.g. an `Mt5Venue` for shadow or live) can be
 * given instead of the paper venue; the latest VIX reading (`vix`) feeds the
 * exits engine's trailing distance.
 */
import type { Clock, EventBus, ExecutionVenue, SymbolRules, SymbolSpec } from '../../core/index.js';
import { DEFAULT_DTMS_CONFIG, dtmsConfig, rulesConfig, type DtmsConfig } from '../dtms/index.js';
import { DEFAULT_PAPER_RULES, DEFAULT_PAPER_SPREADS, PaperVenue, type PaperPrice } from '../paper/index.js';
import { RiskEngine, type EconomicEvent, type RiskConfig, type RiskStatus } from '../risk/index.js';
import { DEFAULT_EXITS_CONFIG, exitsConfig, type ExitsConfig } from '../exits/index.js';
import { Coordinator, type CoordinatorOptions } from './Coordinator.js';
import { createExitsAdviser } from './exitsAdviser.js';
import { LoadMonitor } from './LoadMonitor.js';
import type { ExitsAdviser, TradingMode } from './types.js';

/** Options of the desk. */
export type TradingDeskOptions = Readonly<{
  clock: Clock;
  bus: EventBus;
  symbols: readonly SymbolSpec[];
  modeOf: (symbol: string) => TradingMode;
  calendar: readonly EconomicEvent[];
  risk?: RiskConfig;
  balance: number;
  currency: string;
  /** Broker rules per symbol (default `DEFAULT_PAPER_RULES`; see `paperRulesSchema` / `paperSettings` for the config section). */
  rules?: Readonly<Record<string, SymbolRules>>;
  /** Spreads for trades-only streams (default `DEFAULT_PAPER_SPREADS`). */
  spreads?: Readonly<Record<string, number>>;
  /** Intelligent exits beside DTMS: omitted = the exits engine with its defaults (prices and volumes per the symbol's rules); null = DTMS alone. */
  exits?: ExitsAdviser | null;
  /** Latest VIX reading for the default exits engine (e.g. the macro store's latest VIX), null when none; omitted = no VIX. */
  vix?: () => number | null;
  /**
   * Execution venue of the coordinator; omitted = the paper venue priced by the
   * fused stream. A function receives that paper venue (e.g. to route some
   * symbols to it and others to MT5).
   */
  venue?: ExecutionVenue | ((paper: PaperVenue) => ExecutionVenue);
  /** DTMS config per symbol, asked at every decision (a new parameter version applies at the next one); omitted = defaults for the symbol's rules. */
  dtmsConfig?: (symbol: string) => DtmsConfig;
  /** Exits config per symbol, asked at every step; omitted = defaults for the symbol's rules. */
  exitsConfig?: (symbol: string) => ExitsConfig;
  /** Window of the loop monitor's recent delay (`loop.recent()`, read by `loadView`), ms (default 5000). */
  loadWindowMs?: number;
  onError?: (error: unknown) => void;
}>;

/** The running trading stack. */
export type TradingDesk = Readonly<{
  /** Where the coordinator sends commands: the paper venue unless another venue was given. */
  venue: ExecutionVenue;
  /** The paper venue (priced by the fused stream), also when the coordinator trades elsewhere. */
  paper: PaperVenue;
  risk: RiskEngine;
  coordinator: Coordinator;
  loop: LoadMonitor;
  riskStatus(): RiskStatus;
  start(): void;
  stop(): void;
}>;

/** Builds the desk; `start` subscribes it to the bus and starts the loop monitor. */
export function createTradingDesk(o: TradingDeskOptions): TradingDesk {
  const rules = o.rules ?? DEFAULT_PAPER_RULES;
  const prices = new Map<string, PaperPrice>();
  const paper = new PaperVenue({
    clock: o.clock,
    rules,
    balance: o.balance,
    currency: o.currency,
    defaultSpread: o.spreads ?? DEFAULT_PAPER_SPREADS,
    priceOf: (symbol) => prices.get(symbol) ?? null,
  });
  const venue: ExecutionVenue = typeof o.venue === 'function' ? o.venue(paper) : (o.venue ?? paper);
  const risk = new RiskEngine(o.clock, o.calendar, o.risk ?? {}, {
    onTransition: (t) => o.bus.publish('system.event', { kind: 'risk.transition', level: 'warn', component: 'risk', symbol: null, message: `trading state ${t.from} -> ${t.to}: ${t.reason}`, data: { ...t }, tsEvent: t.at, tsInit: o.clock.now() }),
  });
  const configs = new Map<string, DtmsConfig>();
  const dtmsFor = (symbol: string): DtmsConfig => {
    let c = configs.get(symbol);
    const r = rules[symbol];
    if (!c) configs.set(symbol, (c = r ? dtmsConfig(rulesConfig(r, DEFAULT_DTMS_CONFIG.minStopDistance)) : dtmsConfig()));
    return c;
  };
  const exitsConfigs = new Map<string, ExitsConfig>();
  const exitsFor = (symbol: string): ExitsConfig => {
    let c = exitsConfigs.get(symbol);
    const r = rules[symbol];
    if (!c) exitsConfigs.set(symbol, (c = r ? exitsConfig(rulesConfig(r, DEFAULT_EXITS_CONFIG.minStopDistance)) : exitsConfig()));
    return c;
  };
  const loop = new LoadMonitor(20, { clock: o.clock, windowMs: o.loadWindowMs ?? 5_000 });
  const primary = new Map(o.symbols.map((s) => [s.symbol, s.primary]));
  const options: CoordinatorOptions = {
    clock: o.clock,
    venue,
    risk,
    modeOf: o.modeOf,
    record: (r) => o.bus.publish('dtms.action', r),
    dtmsConfig: o.dtmsConfig ?? dtmsFor,
    exits: o.exits === undefined ? createExitsAdviser(o.exitsConfig ?? exitsFor, o.vix) : o.exits,
    loop,
    structureSourceOf: (symbol) => primary.get(symbol) ?? 'binance',
    ...(o.onError ? { onError: o.onError } : {}),
  };
  const coordinator = new Coordinator(options);
  let offs: (() => void)[] = [];
  return {
    venue,
    paper,
    risk,
    coordinator,
    loop,
    riskStatus: () => risk.status(),
    start() {
      if (offs.length > 0) return;
      loop.start();
      // The venue's price first (SL/TP at the venue trigger), then the coordinator's decision on the same tick.
      offs.push(
        o.bus.subscribe('tick.fused', (t) => {
          prices.set(t.symbol, { bid: t.bid, ask: t.ask, last: t.last, tsEvent: t.tsEvent });
          paper.onPrice(t.symbol);
        }),
      );
      offs.push(coordinator.attach(o.bus, (c) => c.sources.length === 1 && c.sources[0] === primary.get(c.symbol)));
    },
    stop() {
      for (const off of offs) off();
      offs = [];
      loop.stop();
    },
  };
}
