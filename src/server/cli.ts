import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, isSource, isTimeframe, UtpError, type Timeframe } from '../core/index.js';
import { isImportFormat, type ImportOptions, type ImportSource } from '../pipeline/index.js';
import { openStore } from '../store/index.js';
import { candleCsvLine, candleJson, CANDLE_CSV_HEADER } from './commands/candlesCommand.js';
import { runImport } from './commands/importCommand.js';
import { DATABASE_FILE } from './compose.js';
import { loadConfig, type ConfigOverrides } from './config.js';
import { createLogger } from './logger.js';
import { runServer } from './main.js';
import { VERSION } from './version.js';

const USAGE = `utp ${VERSION} — Unified Tick Pipeline

Usage: utp <command> [options]            (every command takes --data-dir DIR, default ./data)

  start      Run UTP with MCP over Streamable HTTP (default: replay of recorded real Binance data,
             paper venue, http://127.0.0.1:8787/mcp)
             --mode replay|paper|shadow|live  --symbols BTCUSD,XAUUSD  --port N  --speed N|max
             --replay FILE  --allow-writes  --log-level LEVEL  --config FILE
  mcp        The same system with MCP on stdio (what Claude Desktop and local agents launch)
  import     utp import FILE --symbol S --source binance|dukascopy|oanda|mt5
             [--format F] [--timeframe TF] [--on-error skip|stop] [--server-offset HOURS|eet] [--date YYYYMMDD]
  candles    utp candles SYMBOL --timeframe TF [--from ISO] [--to ISO] [--source S] [--limit N] [--format csv|json]
  help       This text
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  mode: { type: 'string' },
  symbols: { type: 'string' },
  port: { type: 'string' },
  speed: { type: 'string' },
  replay: { type: 'string' },
  'allow-writes': { type: 'boolean' },
  'log-level': { type: 'string' },
  symbol: { type: 'string' },
  source: { type: 'string' },
  format: { type: 'string' },
  timeframe: { type: 'string' },
  'on-error': { type: 'string' },
  'server-offset': { type: 'string' },
  date: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Entry of the `utp` command; returns the exit code. Output for humans goes to stdout, logs to stderr. */
export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`utp: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command = 'help', ...rest] = parsed.positionals;
  const v = parsed.values;
  try {
    switch (command) {
      case 'start':
      case 'mcp':
        return await runServer(command === 'mcp' ? 'stdio' : 'http', loadConfig(overrides(v), process.env, v.config));
      case 'import':
        return await importCmd(rest, v);
      case 'candles':
        return candlesCmd(rest, v);
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`utp: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UtpError) {
      process.stderr.write(`utp: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`utp: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

function overrides(v: Values): ConfigOverrides {
  const o: Record<string, unknown> = {};
  if (v['data-dir'] !== undefined) o.dataDir = v['data-dir'];
  if (v.mode !== undefined) o.mode = v.mode;
  if (v.symbols !== undefined) o.symbols = v.symbols;
  if (v['allow-writes']) o.allowWrites = true;
  if (v.port !== undefined) o.port = Number(v.port);
  if (v.speed !== undefined) o.speed = v.speed;
  if (v.replay !== undefined) o.replayFile = v.replay;
  if (v['log-level'] !== undefined) o.logLevel = v['log-level'];
  return o as ConfigOverrides;
}

function dataDir(v: Values): string {
  return v['data-dir'] ?? process.env.UTP_DATA_DIR ?? './data';
}

async function importCmd(rest: string[], v: Values): Promise<number> {
  const file = rest[0];
  const problems: string[] = [];
  if (!file) problems.push('missing FILE');
  if (!v.symbol) problems.push('missing --symbol');
  if (!v.source || !isSource(v.source)) problems.push('--source must be binance, dukascopy, oanda or mt5');
  if (v.format !== undefined && !isImportFormat(v.format)) problems.push(`unknown --format ${v.format}`);
  if (v.timeframe !== undefined && !isTimeframe(v.timeframe)) problems.push('--timeframe must be S1, M1, M5, M15, H1, H4 or D1');
  const onError = v['on-error'] ?? 'skip';
  if (onError !== 'skip' && onError !== 'stop') problems.push('--on-error must be skip or stop');
  const offset = v['server-offset'];
  if (offset !== undefined && offset !== 'eet' && !Number.isFinite(Number(offset))) problems.push('--server-offset must be a number of hours or eet');
  if (problems.length > 0) {
    process.stderr.write(`utp import: ${problems.join('; ')}\n`);
    return 2;
  }
  const options: ImportOptions = {
    source: v.source as ImportSource,
    symbol: (v.symbol as string).toUpperCase(),
    onError: onError as 'skip' | 'stop',
    ...(v.format !== undefined ? { format: v.format as ImportOptions['format'] & string } : {}),
    ...(v.timeframe !== undefined ? { timeframe: v.timeframe as Timeframe } : {}),
    ...(offset !== undefined ? { serverOffset: offset === 'eet' ? 'eet' : Number(offset) } : {}),
    ...(v.date !== undefined ? { dateOverride: v.date } : {}),
  };
  const dir = dataDir(v);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const store = openStore({ path: path.join(dir, DATABASE_FILE) });
  try {
    const summary = await runImport(store, file as string, options, (m) => process.stderr.write(`${m}\n`));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.status === 'ok' ? 0 : 1;
  } finally {
    store.close();
  }
}

function candlesCmd(rest: string[], v: Values): number {
  const symbol = rest[0]?.toUpperCase();
  const problems: string[] = [];
  if (!symbol) problems.push('missing SYMBOL');
  if (!v.timeframe || !isTimeframe(v.timeframe)) problems.push('--timeframe must be S1, M1, M5, M15, H1, H4 or D1');
  const from = v.from !== undefined ? Date.parse(v.from) : undefined;
  const to = v.to !== undefined ? Date.parse(v.to) : undefined;
  if (from !== undefined && Number.isNaN(from)) problems.push(`--from is not an ISO time: ${v.from}`);
  if (to !== undefined && Number.isNaN(to)) problems.push(`--to is not an ISO time: ${v.to}`);
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') problems.push('--format must be csv or json');
  const limit = v.limit !== undefined ? Number(v.limit) : 100_000;
  if (!Number.isInteger(limit) || limit < 1) problems.push('--limit must be a positive integer');
  if (problems.length > 0) {
    process.stderr.write(`utp candles: ${problems.join('; ')}\n`);
    return 2;
  }
  const store = openStore({ path: path.join(dataDir(v), DATABASE_FILE), readonly: true });
  try {
    const candles = store.candles.queryCandles({
      symbol: symbol as string,
      timeframe: v.timeframe as Timeframe,
      ...(v.source !== undefined ? { source: v.source } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      limit,
      order: 'asc',
    });
    if (format === 'csv') {
      process.stdout.write(`${CANDLE_CSV_HEADER}\n${candles.map(candleCsvLine).join('\n')}${candles.length ? '\n' : ''}`);
    } else {
      process.stdout.write(`${JSON.stringify(candles.map(candleJson), null, 2)}\n`);
    }
    if (candles.length === limit) process.stderr.write(`utp candles: stopped at --limit ${limit}; more candles may match\n`);
    return 0;
  } finally {
    store.close();
  }
}

