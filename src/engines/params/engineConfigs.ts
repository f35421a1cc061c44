/**
 * The engine hook: the configurations DTMS, exits and risk run with, built
 * from a parameter set and each symbol's broker rules exactly the way
 * `createTradingDesk` builds its defaults (price digits, volume step and
 * minimum, and the minimum stop distance = the broker's stops level, from the
 * rules via `rulesConfig`; everything else from the parameters).
 */
import type { SymbolRules } from '../../core/index.js';
import { DEFAULT_DTMS_CONFIG, dtmsConfig, rulesConfig, type DtmsConfig } from '../dtms/index.js';
import { DEFAULT_EXITS_CONFIG, exitsConfig, type ExitsConfig } from '../exits/index.js';
import type { RiskConfig } from '../risk/index.js';
import type { ParameterSet } from './schema.js';

/** Per-symbol DTMS and exits configs and the desk-wide risk config of one parameter set. */
export type EngineConfigs = Readonly<{
  /** DTMS config of a symbol (its rules' digits and volumes; library defaults for an unknown symbol). */
  dtmsFor(symbol: string): DtmsConfig;
  /** Exits config of a symbol (same rule). */
  exitsFor(symbol: string): ExitsConfig;
  /** Risk config (the risk engine is desk-wide, not per symbol). */
  risk: RiskConfig;
}>;

/** The DTMS config of one symbol under `params`. */
export function dtmsConfigOf(params: ParameterSet, rules: SymbolRules | undefined): DtmsConfig {
  const p = params.dtms;
  return dtmsConfig({
    breakevenR: p.breakevenR,
    breakevenBufferR: p.breakevenBufferR,
    atrTrailK: p.atrTrailK,
    swingBufferAtr: p.swingBufferAtr,
    minTrailStepAtr: p.minTrailStepAtr,
    partialTargetsR: Object.freeze([...p.partialTargetsR]),
    partialFraction: p.partialFraction,
    chochTightenAtrK: p.chochTightenAtrK,
    allowHedge: p.allowHedge,
    hedgeFraction: p.hedgeFraction,
    ...(rules ? rulesConfig(rules, DEFAULT_DTMS_CONFIG.minStopDistance) : {}),
  });
}

/** The exits config of one symbol under `params`. */
export function exitsConfigOf(params: ParameterSet, rules: SymbolRules | undefined): ExitsConfig {
  const p = params.exits;
  return exitsConfig({
    atrTrailK: p.atrTrailK,
    volatilityMultipliers: Object.freeze({ ...p.volatilityMultipliers }),
    vixReference: p.vixReference,
    vixSlope: p.vixSlope,
    vixMaxFactor: p.vixMaxFactor,
    minDistanceAtrK: p.minDistanceAtrK,
    trailActivationR: p.trailActivationR,
    minTrailStepAtr: p.minTrailStepAtr,
    partialPlan: Object.freeze(p.partialPlan.map((t) => Object.freeze({ r: t.r, fraction: t.fraction }))),
    timeStopMinutes: p.timeStopMinutes,
    timeStopR: p.timeStopR,
    extremeTimeStopFactor: p.extremeTimeStopFactor,
    ...(rules ? rulesConfig(rules, DEFAULT_EXITS_CONFIG.minStopDistance) : {}),
  });
}

/** The risk config under `params`. */
export function riskConfigOf(params: ParameterSet): RiskConfig {
  const r = params.risk;
  return Object.freeze({
    equity: Object.freeze({ ...r.equity }),
    blackout: Object.freeze({ ...r.blackout }),
    eventFilter: Object.freeze({ currencies: [...r.eventFilter.currencies], kinds: [...r.eventFilter.kinds], impacts: [...r.eventFilter.impacts] }),
    gating: Object.freeze({ enabled: r.gating.enabled, pausedStates: [...r.gating.pausedStates] }),
  });
}

/** Every engine config of one parameter set, cached per symbol. */
export function engineConfigs(params: ParameterSet, rules: Readonly<Record<string, SymbolRules>>): EngineConfigs {
  const dtms = new Map<string, DtmsConfig>();
  const exits = new Map<string, ExitsConfig>();
  return {
    dtmsFor(symbol) {
      let c = dtms.get(symbol);
      if (!c) dtms.set(symbol, (c = dtmsConfigOf(params, rules[symbol])));
      return c;
    },
    exitsFor(symbol) {
      let c = exits.get(symbol);
      if (!c) exits.set(symbol, (c = exitsConfigOf(params, rules[symbol])));
      return c;
    },
    risk: riskConfigOf(params),
  };
}

/**
 * Engine configs that follow the active version: each call reads `current()`
 * and rebuilds the configs only when the version changed. Hand `dtmsFor` and
 * `exitsFor` to the coordinator (they are asked on every decision), so a new
 * version takes effect at the next decision.
 */
export function liveEngineConfigs(
  current: () => Readonly<{ version: number; params: ParameterSet }>,
  rules: Readonly<Record<string, SymbolRules>>,
): Readonly<{ dtmsFor(symbol: string): DtmsConfig; exitsFor(symbol: string): ExitsConfig; risk(): RiskConfig; version(): number }> {
  let version = -1;
  let configs: EngineConfigs | null = null;
  const now = (): EngineConfigs => {
    const c = current();
    if (configs === null || c.version !== version) {
      configs = engineConfigs(c.params, rules);
      version = c.version;
    }
    return configs;
  };
  return {
    dtmsFor: (symbol) => now().dtmsFor(symbol),
    exitsFor: (symbol) => now().exitsFor(symbol),
    risk: () => now().risk,
    version: () => (now(), version),
  };
}
