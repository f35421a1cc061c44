/**
 * Wiring of the versioned trading parameters for the composition root: the
 * store's `ParameterRepo` and M5 candles behind the parameter service, the
 * tools' `ParametersView`, the live engine configs the trading desk reads on
 * every decision, and the poll that picks up versions written by another
 * process (`utp params rollback`).
 */
import * as z from 'zod';
import type { Cancel, Clock, SymbolRules } from '../core/index.js';
import { DEFAULT_PAPER_RULES } from '../engines/paper/index.js';
import { createParameterService, liveEngineConfigs, type HealthCheck, type ParameterService } from '../engines/params/index.js';
import { ParameterRepo, type Store } from '../store/index.js';
import type { ParametersView } from '../tools/params/view.js';

/** Config section `parameters` (strict, defaults safe). */
export const parametersConfigSchema = z
  .strictObject({
    /** How often the server re-reads the version in effect (a CLI rollback reaches it within this), ms; 0 = never. */
    pollIntervalMs: z.number().int().min(0).max(3_600_000).default(2_000),
    /** Hours of recorded M5 candles the dry run of a change replays. */
    dryRunHours: z.number().positive().max(72).default(6),
    /** Synthetic entries every n bars in the dry run. */
    dryRunEntryEveryBars: z.number().int().min(1).max(288).default(6),
    /** True: a symbol without recorded candles fails the dry run. */
    requireData: z.boolean().default(false),
  })
  .default({ pollIntervalMs: 2_000, dryRunHours: 6, dryRunEntryEveryBars: 6, requireData: false });

/** The `parameters` config section after defaults. */
export type ParametersConfig = z.infer<typeof parametersConfigSchema>;

/** What the factory needs. */
export type ParametersDeps = Readonly<{
  store: Store;
  clock: Clock;
  symbols: readonly string[];
  /** Broker rules per symbol (default the paper venue's `DEFAULT_PAPER_RULES`, as the desk uses). */
  rules?: Readonly<Record<string, SymbolRules>>;
  config?: Partial<ParametersConfig>;
  /** Version 1 overrides (e.g. `{ risk: { equity: { maxDrawdown } } }` from the server config). */
  initial?: Readonly<Record<string, unknown>>;
  /** Replaces the default health check (tests, or a stricter check). */
  healthCheck?: HealthCheck;
  onError?: (error: unknown) => void;
}>;

/** The parameters as the server holds them. */
export type ParametersWiring = Readonly<{
  service: ParameterService;
  /** For the tool context field `parameters`. */
  view: ParametersView;
  /** Per-symbol DTMS and exits configs of the version in effect (hand to the desk / coordinator), and its risk config. */
  engine: ReturnType<typeof liveEngineConfigs>;
  /** Starts the poll (idempotent). */
  start(): void;
  /** Stops the poll and drops the subscribers. */
  stop(): void;
}>;

/** Builds the parameter service over the store; writes version 1 when the store has none. */
export function createParameters(d: ParametersDeps): ParametersWiring {
  const config = parametersConfigSchema.parse(d.config ?? {});
  const rules = d.rules ?? DEFAULT_PAPER_RULES;
  const service = createParameterService({
    store: new ParameterRepo(d.store.db),
    clock: d.clock,
    symbols: d.symbols,
    rules,
    candles: (symbol, limit) => d.store.candles.queryCandles({ symbol, timeframe: 'M5', limit, order: 'desc' }),
    dryRun: { hours: config.dryRunHours, entryEveryBars: config.dryRunEntryEveryBars, requireData: config.requireData },
    ...(d.initial ? { initial: d.initial } : {}),
    ...(d.healthCheck ? { healthCheck: d.healthCheck } : {}),
    ...(d.onError ? { onError: d.onError } : {}),
  });
  const view: ParametersView = service;
  const engine = liveEngineConfigs(() => ({ version: service.current().version, params: service.currentParams() }), rules);
  let poll: Cancel | null = null;
  return {
    service,
    view,
    engine,
    start() {
      if (poll === null && config.pollIntervalMs > 0) poll = service.watch(config.pollIntervalMs);
    },
    stop() {
      poll?.();
      poll = null;
      service.stop();
    },
  };
}
