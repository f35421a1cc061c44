/**
 * Configuration of the paper venue: the broker rules (point, digits, stop
 * level, volume limits, contract size) and the spreads it applies on a
 * trades-only stream, per symbol. `paperRulesSchema` is the zod section the
 * server's config mounts under `trading.paper`; `paperSettings` merges it over
 * the defaults into what `createTradingDesk` takes (`rules`, `spreads`).
 */
import * as z from 'zod';
import { ConfigError, type SymbolRules } from '../../core/index.js';

/** Broker rules the paper venue uses when none are configured (typical CFD specifications). */
export const DEFAULT_PAPER_RULES: Readonly<Record<string, SymbolRules>> = {
  BTCUSD: { symbol: 'BTCUSD', point: 0.01, digits: 2, stopsLevel: 0, volumeMin: 0.01, volumeMax: 100, volumeStep: 0.01, contractSize: 1 },
  XAUUSD: { symbol: 'XAUUSD', point: 0.01, digits: 2, stopsLevel: 0, volumeMin: 0.01, volumeMax: 100, volumeStep: 0.01, contractSize: 100 },
  GBPJPY: { symbol: 'GBPJPY', point: 0.001, digits: 3, stopsLevel: 0, volumeMin: 0.01, volumeMax: 100, volumeStep: 0.01, contractSize: 100_000 },
};

/** Full spread per symbol the paper venue applies around the last trade on a trades-only stream (typical CFD spreads; the fill says so). */
export const DEFAULT_PAPER_SPREADS: Readonly<Record<string, number>> = { BTCUSD: 20, XAUUSD: 0.3, GBPJPY: 0.03 };

/** Overrides of one symbol's broker rules; every field optional over the default, all required for a symbol without defaults. */
export const symbolRulesOverrideSchema = z
  .object({
    point: z.number().positive().describe('Price step, e.g. 0.01'),
    digits: z.number().int().min(0).max(10).describe('Price decimals'),
    stopsLevel: z.number().int().min(0).describe('Minimum distance of SL/TP from the price, in points'),
    volumeMin: z.number().positive().describe('Smallest volume, lots'),
    volumeMax: z.number().positive().describe('Largest volume, lots'),
    volumeStep: z.number().positive().describe('Volume step, lots'),
    contractSize: z.number().positive().describe('Value of a 1.0 price move for 1.0 lot, account currency'),
  })
  .partial()
  .strict();

/**
 * The `trading.paper` config section: `rules` (per canonical symbol, partial
 * `SymbolRules` over `DEFAULT_PAPER_RULES`) and `spreads` (per symbol, full
 * spread in price units over `DEFAULT_PAPER_SPREADS`).
 */
export const paperRulesSchema = z
  .object({
    rules: z.record(z.string().min(1), symbolRulesOverrideSchema).default({}),
    spreads: z.record(z.string().min(1), z.number().nonnegative()).default({}),
  })
  .strict()
  .prefault({});

/** The parsed `trading.paper` section. */
export type PaperRulesConfig = z.infer<typeof paperRulesSchema>;

/** What `createTradingDesk` takes for the paper venue. */
export type PaperSettings = Readonly<{ rules: Readonly<Record<string, SymbolRules>>; spreads: Readonly<Record<string, number>> }>;

const FIELDS = ['point', 'digits', 'stopsLevel', 'volumeMin', 'volumeMax', 'volumeStep', 'contractSize'] as const;

/**
 * Merges the configured overrides over the defaults (field by field for rules).
 * @throws ConfigError when a symbol without default rules misses a field, or volumeMin > volumeMax after the merge.
 */
export function paperSettings(config: PaperRulesConfig, defaults: PaperSettings = { rules: DEFAULT_PAPER_RULES, spreads: DEFAULT_PAPER_SPREADS }): PaperSettings {
  const rules: Record<string, SymbolRules> = { ...defaults.rules };
  for (const [symbol, o] of Object.entries(config.rules)) {
    const base = defaults.rules[symbol];
    const missing = base ? [] : FIELDS.filter((f) => o[f] === undefined);
    if (missing.length > 0) throw new ConfigError(`trading.paper.rules.${symbol}: no default rules for ${symbol}, so ${missing.join(', ')} must be set`);
    const merged = { ...base, ...o, symbol } as SymbolRules;
    if (merged.volumeMin > merged.volumeMax) throw new ConfigError(`trading.paper.rules.${symbol}: volumeMin ${merged.volumeMin} is above volumeMax ${merged.volumeMax}`);
    rules[symbol] = merged;
  }
  return { rules, spreads: { ...defaults.spreads, ...config.spreads } };
}
