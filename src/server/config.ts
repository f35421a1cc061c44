import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { ConfigError, type SymbolSpec } from '../core/index.js';
import { memoryConfigSchema } from '../store/index.js';
import { paperRulesSchema } from '../engines/index.js';
import { approvalsConfigSchema } from './approvals.js';
import { httpHardeningFields } from './http/limits.js';
import { parametersConfigSchema } from './params.js';

/** Root folder of the installed package (holds recordings/, schemas/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The recording `utp start` replays when nothing else is configured: real Binance BTCUSDT spot aggTrades. */
export const DEFAULT_RECORDING = path.join(PACKAGE_ROOT, 'recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv');

const symbolSchema = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9._-]{2,20}$/).describe('Canonical broker symbol'),
    binance: z
      .object({ market: z.enum(['spot', 'usdm']), instrument: z.string().regex(/^[a-z0-9]{2,20}$/) })
      .strict()
      .nullable(),
    mt5: z.string().min(1).nullable(),
    primary: z.enum(['binance', 'mt5']),
  })
  .strict();

/** Symbols UTP knows out of the box (DESIGN.md section 4). */
export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = [
  { symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' },
  { symbol: 'XAUUSD', binance: { market: 'usdm', instrument: 'xauusdt' }, mt5: 'XAUUSD', primary: 'binance' },
  { symbol: 'GBPJPY', binance: null, mt5: 'GBPJPY', primary: 'mt5' },
];

const urlList = z.array(z.string().regex(/^(wss?|https?):\/\/\S+$/, 'must be a ws(s):// or http(s):// URL')).min(1);

/** The whole configuration, validated strictly (unknown keys are errors). */
export const configSchema = z
  .object({
    mode: z.enum(['replay', 'paper', 'shadow', 'live']).default('replay'),
    dataDir: z.string().min(1).default('./data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    symbols: z.array(symbolSchema).min(1).default([...DEFAULT_SYMBOLS] as never),
    /** Symbols to run; a subset of `symbols`. Empty = all. */
    activeSymbols: z.array(z.string()).default([]),
    allowWrites: z.boolean().default(false),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        token: z.string().min(16).nullable().default(null),
        allowedHosts: z.array(z.string()).default([]),
        allowedOrigins: z.array(z.string()).default([]),
        ...httpHardeningFields,
      })
      .strict()
      .prefault({}),
    replay: z
      .object({
        file: z.string().min(1).default(DEFAULT_RECORDING),
        instrument: z.string().regex(/^[a-z0-9]{2,20}$/).default('btcusdt'),
        speed: z.union([z.number().positive().max(100_000), z.literal('max')]).default(10),
        loop: z.boolean().default(true),
        port: z.number().int().min(0).max(65535).default(0),
      })
      .strict()
      .prefault({}),
    binance: z
      .object({
        spotWs: urlList.default(['wss://stream.binance.com:9443', 'wss://data-stream.binance.vision']),
        spotRest: urlList.default(['https://data-api.binance.vision']),
        usdmWs: urlList.default(['wss://fstream.binance.com']),
        usdmRest: urlList.default(['https://fapi.binance.com']),
      })
      .strict()
      .prefault({}),
    macro: z
      .object({
        /** MT5 symbol of each macro indicator at the broker (names differ: USDX, VIX.f ...). */
        mt5Symbols: z
          .object({ VIX: z.string().min(1).optional(), DXY: z.string().min(1).optional(), US10Y: z.string().min(1).optional() })
          .strict()
          .default({ VIX: 'VIX', DXY: 'DXY', US10Y: 'US10Y' }),
        /** A JSON feed file `{ "readings": [{ "indicator": "VIX", "value": 18.2, "ts": ... }] }`, re-read every pollMs; null = none. */
        jsonFile: z.string().min(1).nullable().default(null),
        pollMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
        /** How often the macro snapshot is written to the event log (default every 5 minutes). */
        logIntervalMs: z.number().int().min(10_000).max(86_400_000).default(300_000),
      })
      .strict()
      .prefault({}),
    trading: z
      .object({
        /** Mode per symbol (e.g. { "BTCUSD": "paper", "XAUUSD": "shadow" }); a symbol not listed runs in `mode`. */
        modes: z.record(z.string(), z.enum(['replay', 'paper', 'shadow', 'live'])).default({}),
        /** `live` (globally or per symbol) runs as `shadow` unless this is true. */
        allowLive: z.boolean().default(false),
        /** Starting balance of the paper venue (replay and paper modes). */
        paperBalance: z.number().positive().default(10_000),
        paperCurrency: z.string().min(1).default('USD'),
        /** Broker rules and spreads of the paper venue per symbol, over the built-in CFD defaults. */
        paper: paperRulesSchema,
        /** Event-loop delay p99 (recent window), ms, above which analysis tools answer from their cache. */
        loadThresholdMs: z.number().positive().max(10_000).default(50),
      })
      .strict()
      .prefault({}),
    risk: z
      .object({
        /** Economic calendar file (ForexFactory, Algotic or QuantLab CSV, see src/engines/risk/calendar); null = no news blackout. */
        calendarFile: z.string().min(1).nullable().default(null),
        calendarFormat: z.enum(['forexfactory', 'algotic', 'quantlab']).default('forexfactory'),
        maxDrawdown: z.number().positive().max(1).default(0.03),
        minutesBefore: z.number().int().min(0).max(1440).default(30),
        minutesAfter: z.number().int().min(0).max(1440).default(15),
      })
      .strict()
      .prefault({}),
    /** Retention of the memory layers: SQLite aggregates, the Parquet archive, the event and macro logs. */
    memory: memoryConfigSchema.prefault({}),
    approvals: approvalsConfigSchema,
    parameters: parametersConfigSchema,
    mt5: z.object({ bridgePort: z.number().int().min(0).max(65535).default(8765) }).strict().prefault({}),
    store: z
      .object({
        flushMs: z.number().int().min(10).max(60_000).default(250),
        maxBatch: z.number().int().min(1).max(100_000).default(2000),
        /** `worker` writes SQLite on its own thread (off the hot path); `inline` on the main thread. */
        writer: z.enum(['worker', 'inline']).default('worker'),
        /** Rolling window of the RAM tick buffer, ms (default 3 h). */
        ramWindowMs: z.number().int().min(60_000).max(86_400_000).default(10_800_000),
        /** Hard cap of the RAM tick buffer, bytes (default 256 MiB); beyond it the window shortens and get_system_status says so. */
        ramCapBytes: z.number().int().min(1 << 20).max(16 * 1024 ** 3).default(268_435_456),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Validated configuration. */
export type UtpConfig = z.infer<typeof configSchema>;

/** Command-line values that override the file and environment. */
export type ConfigOverrides = Partial<{
  mode: string;
  dataDir: string;
  symbols: string;
  allowWrites: boolean;
  port: number;
  speed: string;
  replayFile: string;
  logLevel: string;
}>;

/**
 * Reads the configuration once: defaults, then `<dataDir>/utp.config.json` (or
 * `configPath`), then environment variables, then command-line overrides.
 * Every problem is reported together in one ConfigError.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, configPath?: string): UtpConfig {
  const dataDir = overrides.dataDir ?? env.UTP_DATA_DIR ?? './data';
  const file = configPath ?? path.join(dataDir, 'utp.config.json');
  const issues: string[] = [];
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      issues.push(`${file}: not valid JSON (${(error as Error).message})`);
    }
  } else if (configPath) {
    issues.push(`${configPath}: file not found`);
  }
  const merged = structuredClone(raw) as Record<string, any>;
  merged.dataDir = dataDir;
  applyEnv(merged, env, issues);
  applyOverrides(merged, overrides, issues);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (parsed.success) checkActiveSymbols(parsed.data, issues);
  if (issues.length > 0 || !parsed.success) {
    throw new ConfigError(`invalid configuration:\n  - ${issues.join('\n  - ')}`, issues);
  }
  return parsed.data;
}

/** The symbol specs the run uses (activeSymbols, or all). */
export function activeSymbolSpecs(config: UtpConfig): SymbolSpec[] {
  const all = config.symbols as SymbolSpec[];
  return config.activeSymbols.length === 0 ? all : all.filter((s) => config.activeSymbols.includes(s.symbol));
}

function applyEnv(merged: Record<string, any>, env: NodeJS.ProcessEnv, issues: string[]): void {
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
  const binance = (merged.binance ??= {});
  if (env.UTP_BINANCE_SPOT_WS) binance.spotWs = list(env.UTP_BINANCE_SPOT_WS);
  if (env.UTP_BINANCE_SPOT_REST) binance.spotRest = list(env.UTP_BINANCE_SPOT_REST);
  if (env.UTP_BINANCE_USDM_WS) binance.usdmWs = list(env.UTP_BINANCE_USDM_WS);
  if (env.UTP_BINANCE_USDM_REST) binance.usdmRest = list(env.UTP_BINANCE_USDM_REST);
  if (env.UTP_MT5_BRIDGE_PORT) (merged.mt5 ??= {}).bridgePort = intOrIssue(env.UTP_MT5_BRIDGE_PORT, 'UTP_MT5_BRIDGE_PORT', issues);
  if (env.UTP_HTTP_PORT) (merged.http ??= {}).port = intOrIssue(env.UTP_HTTP_PORT, 'UTP_HTTP_PORT', issues);
  if (env.UTP_HTTP_TOKEN) (merged.http ??= {}).token = env.UTP_HTTP_TOKEN;
  if (env.UTP_ALLOW_WRITES !== undefined) merged.allowWrites = ['1', 'true', 'yes'].includes(env.UTP_ALLOW_WRITES.toLowerCase());
  if (env.UTP_LOG_LEVEL) merged.logLevel = env.UTP_LOG_LEVEL;
  if (env.UTP_ADMIN_TOKEN) (merged.approvals ??= {}).adminToken = env.UTP_ADMIN_TOKEN;
}

function applyOverrides(merged: Record<string, any>, o: ConfigOverrides, issues: string[]): void {
  if (o.mode !== undefined) merged.mode = o.mode;
  if (o.symbols !== undefined) merged.activeSymbols = o.symbols.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (o.allowWrites) merged.allowWrites = true;
  if (o.port !== undefined) (merged.http ??= {}).port = o.port;
  if (o.logLevel !== undefined) merged.logLevel = o.logLevel;
  if (o.replayFile !== undefined) (merged.replay ??= {}).file = path.resolve(o.replayFile);
  if (o.speed !== undefined) {
    const speed = o.speed === 'max' ? 'max' : Number(o.speed);
    if (speed !== 'max' && !Number.isFinite(speed)) issues.push(`--speed: expected a number or "max", got "${o.speed}"`);
    (merged.replay ??= {}).speed = speed;
  }
}

function intOrIssue(value: string, name: string, issues: string[]): number {
  const n = Number(value);
  if (!Number.isInteger(n)) issues.push(`${name}: expected an integer, got "${value}"`);
  return n;
}

/**
 * The trading mode a symbol runs in: its `trading.modes` entry, else the
 * global `mode`. `live` without `trading.allowLive: true` runs as `shadow`
 * (decisions logged, nothing sent): the default is never live.
 */
export function symbolMode(config: UtpConfig, symbol: string): UtpConfig['mode'] {
  const mode = config.trading.modes[symbol] ?? config.mode;
  return mode === 'live' && !config.trading.allowLive ? 'shadow' : mode;
}

function checkActiveSymbols(config: UtpConfig, issues: string[]): void {
  const known = config.symbols.map((s) => s.symbol);
  for (const s of config.activeSymbols) {
    if (!known.includes(s)) issues.push(`symbols: unknown symbol "${s}"; known: ${known.join(', ')}`);
  }
}
