/**
 * Wiring of the part of UTP that protects money: the venues (paper, and MT5
 * through the bridge for symbols in shadow or live mode), the versioned
 * parameters the engines run with, the trading desk (risk, DTMS, exits,
 * coordinator), and the approval flow of the write tools.
 */
import type { Clock, EventBus, SymbolSpec } from '../core/index.js';
import { createTradingDesk, loadView, paperSettings, type TradingDesk } from '../engines/index.js';
import { Mt5Venue, type Mt5Bridge } from '../pipeline/feeds/mt5/index.js';
import type { MacroStore, Pipeline } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import type { LoadView } from '../tools/index.js';
import { createApprovals, type Approvals } from './approvals.js';
import { symbolMode, type UtpConfig } from './config.js';
import type { Logger } from './logger.js';
import { createParameters, type ParametersWiring } from './params.js';
import { RoutingVenue } from './venues.js';
import { loadCalendar } from './views.js';

/** What the trading wiring is built from (the composition root's parts). */
export type TradingDeps = Readonly<{
  config: UtpConfig;
  clock: Clock;
  bus: EventBus;
  symbols: readonly SymbolSpec[];
  store: Store;
  pipeline: Pipeline;
  macro: MacroStore;
  /** The MT5 bridge when one runs (paper, shadow and live modes), else null. */
  bridge: Mt5Bridge | null;
  log: Logger;
}>;

/** The running trading side. */
export type Trading = Readonly<{
  desk: TradingDesk;
  parameters: ParametersWiring;
  approvals: Approvals;
  /** Event-loop load for the analysis tools (deferred to their cache while busy). */
  load: LoadView;
  start(): void;
  stop(): void;
}>;

/**
 * Builds the trading side. The engines run with the parameter version in
 * effect (version 1 seeded from the `risk` config section); a new version
 * reaches DTMS and exits at their next step and the risk engine at once.
 * Symbols in `shadow` or `live` mode are managed against the MT5 account
 * through the bridge (shadow: decisions journalled, never sent); `replay` and
 * `paper` symbols trade at the paper venue.
 */
export function createTrading(d: TradingDeps): Trading {
  const { config, clock, log } = d;
  const names = d.symbols.map((s) => s.symbol);
  const modeOf = (symbol: string) => symbolMode(config, symbol);
  const paper = paperSettings(config.trading.paper);
  const parameters = createParameters({
    store: d.store,
    clock,
    symbols: names,
    rules: paper.rules,
    config: config.parameters,
    initial: { risk: { equity: { maxDrawdown: config.risk.maxDrawdown }, blackout: { minutesBefore: config.risk.minutesBefore, minutesAfter: config.risk.minutesAfter } } },
    onError: (error) => log.error({ err: error }, 'parameter service failed'),
  });
  const mt5 = d.bridge
    ? new Mt5Venue({ bridge: d.bridge, clock, symbols: Object.fromEntries(d.symbols.filter((s) => s.mt5 !== null).map((s) => [s.mt5 as string, s.symbol])) })
    : null;
  const desk = createTradingDesk({
    clock,
    bus: d.bus,
    symbols: d.symbols,
    modeOf,
    calendar: loadCalendar(config),
    risk: parameters.engine.risk(),
    dtmsConfig: (symbol) => parameters.engine.dtmsFor(symbol),
    exitsConfig: (symbol) => parameters.engine.exitsFor(symbol),
    vix: () => d.macro.reading('VIX')?.value ?? null,
    balance: config.trading.paperBalance,
    currency: config.trading.paperCurrency,
    rules: paper.rules,
    spreads: paper.spreads,
    venue: (paperVenue) => new RoutingVenue({ clock, paper: paperVenue, mt5, modeOf }, names),
    onError: (error) => log.error({ err: error }, 'coordinator decision failed'),
  });
  const approvals = createApprovals({
    clock,
    db: d.store.db,
    desk,
    live: d.pipeline,
    config: config.approvals,
    readOnly: !config.allowWrites,
    dataDir: config.dataDir,
    rules: paper.rules,
    spreads: paper.spreads,
    parameters: parameters.view,
    onError: (error) => log.error({ err: error }, 'approval flow failed'),
  });
  let offChange: (() => void) | null = null;
  return {
    desk,
    parameters,
    approvals,
    load: loadView(desk.loop, config.trading.loadThresholdMs),
    start() {
      parameters.start();
      offChange ??= parameters.service.onChange(() => desk.risk.setConfig(parameters.engine.risk()));
      desk.start();
      approvals.start();
    },
    stop() {
      approvals.stop();
      desk.stop();
      offChange?.();
      offChange = null;
      parameters.stop();
    },
  };
}
