/**
 * The versioned trading parameter set: the tunable rules of DTMS, intelligent
 * exits and risk, with bounds and descriptions, and the defaults the engines
 * ship with (version 1). The per-symbol broker facts (price digits, volume
 * step and minimum) are not parameters: they come from the symbol's rules
 * when the engine configs are built (see `engineConfigs`).
 */
import * as z from 'zod';
import { DEFAULT_DTMS_CONFIG } from '../dtms/index.js';
import { DEFAULT_EXITS_CONFIG } from '../exits/index.js';
import { DEFAULT_BLACKOUT, DEFAULT_EQUITY_GUARD, DEFAULT_EVENT_FILTER, DEFAULT_GATING } from '../risk/index.js';

const ascending = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));

/** DTMS rules that may be tuned (see `DtmsConfig` for what each does). */
export const dtmsParamsSchema = z
  .strictObject({
    breakevenR: z.number().min(0.1).max(10).describe('Favourable move, in R, at which the stop goes to breakeven'),
    breakevenBufferR: z.number().min(0).max(5).describe('Buffer beyond entry of the breakeven stop, in R'),
    atrTrailK: z.number().min(0.1).max(20).describe('ATR multiple of the ATR trailing distance from the price'),
    swingBufferAtr: z.number().min(0).max(5).describe('Distance beyond the latest confirmed swing of the structure trail, in ATR'),
    minTrailStepAtr: z.number().min(0).max(5).describe('Smallest tightening, in ATR, for which a trail stop is sent'),
    partialTargetsR: z.array(z.number().min(0.1).max(20)).max(5).refine(ascending, 'must be strictly ascending').describe('R multiples at which a partial is taken, ascending'),
    partialFraction: z.number().gt(0).max(0.9).describe('Fraction of the current volume closed at each partial target'),
    chochTightenAtrK: z.number().min(0.1).max(10).describe('ATR multiple of the stop distance from the price after a CHOCH against the position'),
    allowHedge: z.boolean().describe('Whether a confirmed reversal (CHOCH then BOS against) opens a hedge'),
    hedgeFraction: z.number().gt(0).max(1).describe('Fraction of the current volume the hedge covers'),
  })
  .refine((d) => d.breakevenBufferR < d.breakevenR, { message: 'breakevenBufferR must be below breakevenR (the breakeven stop would be beyond the price that triggers it)', path: ['breakevenBufferR'] });

const multiplier = (state: string) => z.number().gt(0).max(5).describe(`Trailing-distance multiplier in the ${state} volatility state`);

/** Intelligent-exits rules that may be tuned (see `ExitsConfig`). */
export const exitsParamsSchema = z
  .strictObject({
    atrTrailK: z.number().min(0).max(20).describe('Base trailing distance in ATR before scaling'),
    volatilityMultipliers: z
      .strictObject({ calm: multiplier('calm'), normal: multiplier('normal'), expanding: multiplier('expanding'), extreme: multiplier('extreme') })
      .describe('Multiplier of the base distance per volatility state'),
    vixReference: z.number().min(0).max(100).describe('VIX at or below which the distance is not widened'),
    vixSlope: z.number().min(0).max(1).describe('Widening per VIX point above the reference (0.02 = +2% per point)'),
    vixMaxFactor: z.number().min(1).max(5).describe('Cap of the VIX factor'),
    minDistanceAtrK: z.number().min(0).max(20).describe('Noise floor of the trail distance, in ATR (not applied in the extreme state); 0 = none'),
    trailActivationR: z.number().min(0).max(20).describe('Best progress, in R, after which trailing starts'),
    minTrailStepAtr: z.number().min(0).max(5).describe('Smallest tightening, in ATR, for which a trail stop is sent'),
    partialPlan: z
      .array(z.strictObject({ r: z.number().gt(0).max(20).describe('Progress in R'), fraction: z.number().gt(0).max(1).describe('Fraction of the initial volume closed') }))
      .max(5)
      .refine((p) => ascending(p.map((t) => t.r)), 'targets must be in strictly ascending r')
      .refine((p) => p.reduce((s, t) => s + t.fraction, 0) <= 1 + 1e-9, 'fractions must add up to at most 1')
      .describe('Partial exit plan: at r R close fraction of the initial volume'),
    timeStopMinutes: z.number().int().min(0).max(10_080).describe('Minutes after the open by which the position must reach timeStopR, else it is closed; 0 = off'),
    timeStopR: z.number().min(0).max(20).describe('Best progress, in R, that cancels the time stop'),
    extremeTimeStopFactor: z.number().gt(0).max(1).describe('Factor of timeStopMinutes in the extreme volatility state'),
  });

/** Risk rules that may be tuned (see `RiskConfig`). */
export const riskParamsSchema = z.strictObject({
  equity: z
    .strictObject({
      maxDrawdown: z.number().gt(0).max(0.5).describe('Session drawdown (fraction, 0.03 = 3%) at which trading moves to reducing'),
      sessionStartMinuteUtc: z.number().int().min(0).max(1439).describe('Session start, minutes after 00:00 UTC'),
    })
    .describe('Equity guard'),
  blackout: z
    .strictObject({
      minutesBefore: z.number().int().min(0).max(1440).describe('Minutes before an event that new entries are blocked'),
      minutesAfter: z.number().int().min(0).max(1440).describe('Minutes after an event that new entries are blocked'),
      allSymbols: z.boolean().describe('True: an event blocks every symbol, not only those quoting its currency'),
    })
    .describe('News blackout window'),
  eventFilter: z
    .strictObject({
      currencies: z.array(z.string().regex(/^[A-Z]{3}$/)).max(20).describe('Currencies whose events open a blackout'),
      kinds: z.array(z.enum(['NFP', 'CPI', 'FOMC', 'PPI', 'RetailSales', 'GDP', 'PCE', 'other'])).describe('Event kinds that open a blackout'),
      impacts: z.array(z.enum(['high', 'medium', 'low', 'holiday'])).describe('Impacts that open a blackout'),
    })
    .describe('Which calendar events open a blackout'),
  gating: z
    .strictObject({
      enabled: z.boolean().describe('Whether M1-based entries pause in the paused volatility states'),
      pausedStates: z.array(z.enum(['calm', 'normal', 'expanding', 'extreme'])).describe('Volatility states that pause M1-based entries'),
    })
    .describe('Volatility gating'),
});

/** The whole versioned parameter set. */
export const parameterSetSchema = z.strictObject({
  dtms: dtmsParamsSchema.describe('DTMS (dynamic trade management) rules'),
  exits: exitsParamsSchema.describe('Intelligent-exits rules'),
  risk: riskParamsSchema.describe('Risk rules'),
});

/** A complete, valid parameter set. */
export type ParameterSet = z.infer<typeof parameterSetSchema>;

/** The engines' own defaults as a parameter set: version 1 of every new store. */
export const DEFAULT_PARAMETER_SET: ParameterSet = deepFreeze({
  dtms: {
    breakevenR: DEFAULT_DTMS_CONFIG.breakevenR,
    breakevenBufferR: DEFAULT_DTMS_CONFIG.breakevenBufferR,
    atrTrailK: DEFAULT_DTMS_CONFIG.atrTrailK,
    swingBufferAtr: DEFAULT_DTMS_CONFIG.swingBufferAtr,
    minTrailStepAtr: DEFAULT_DTMS_CONFIG.minTrailStepAtr,
    partialTargetsR: [...DEFAULT_DTMS_CONFIG.partialTargetsR],
    partialFraction: DEFAULT_DTMS_CONFIG.partialFraction,
    chochTightenAtrK: DEFAULT_DTMS_CONFIG.chochTightenAtrK,
    allowHedge: DEFAULT_DTMS_CONFIG.allowHedge,
    hedgeFraction: DEFAULT_DTMS_CONFIG.hedgeFraction,
  },
  exits: {
    atrTrailK: DEFAULT_EXITS_CONFIG.atrTrailK,
    volatilityMultipliers: { ...DEFAULT_EXITS_CONFIG.volatilityMultipliers },
    vixReference: DEFAULT_EXITS_CONFIG.vixReference,
    vixSlope: DEFAULT_EXITS_CONFIG.vixSlope,
    vixMaxFactor: DEFAULT_EXITS_CONFIG.vixMaxFactor,
    minDistanceAtrK: DEFAULT_EXITS_CONFIG.minDistanceAtrK,
    trailActivationR: DEFAULT_EXITS_CONFIG.trailActivationR,
    minTrailStepAtr: DEFAULT_EXITS_CONFIG.minTrailStepAtr,
    partialPlan: DEFAULT_EXITS_CONFIG.partialPlan.map((p) => ({ r: p.r, fraction: p.fraction })),
    timeStopMinutes: DEFAULT_EXITS_CONFIG.timeStopMinutes,
    timeStopR: DEFAULT_EXITS_CONFIG.timeStopR,
    extremeTimeStopFactor: DEFAULT_EXITS_CONFIG.extremeTimeStopFactor,
  },
  risk: {
    equity: { ...DEFAULT_EQUITY_GUARD },
    blackout: { ...DEFAULT_BLACKOUT },
    eventFilter: { currencies: [...DEFAULT_EVENT_FILTER.currencies], kinds: [...DEFAULT_EVENT_FILTER.kinds], impacts: [...DEFAULT_EVENT_FILTER.impacts] },
    gating: { enabled: DEFAULT_GATING.enabled, pausedStates: [...DEFAULT_GATING.pausedStates] as ParameterSet['risk']['gating']['pausedStates'] },
  },
});

/** Result of checking a parameter set against the schema: the set, or every reason it is refused (`path: message`). */
export type ParameterParse = Readonly<{ ok: true; params: ParameterSet }> | Readonly<{ ok: false; reasons: readonly string[] }>;

/** Checks a complete parameter set; every issue is reported, as `section.field: message`. */
export function parseParameterSet(value: unknown): ParameterParse {
  const r = parameterSetSchema.safeParse(value);
  if (r.success) return { ok: true, params: deepFreeze(r.data) };
  return { ok: false, reasons: r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`) };
}

/**
 * Merges a partial change into a full set: objects merge key by key, arrays
 * and scalars replace. Keys the set does not have are kept, so the schema
 * check reports them as unknown.
 */
export function mergeParameters(base: Readonly<Record<string, unknown>>, change: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(change)) {
    const prev = out[key];
    out[key] = isPlainObject(value) && isPlainObject(prev) ? mergeParameters(prev, value) : value;
  }
  return out;
}

/** True for a non-null, non-array object. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}
