import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, UtpError } from '../core/index.js';
import { ANALYST_CLI_OPTIONS } from './cli/analystOptions.js';
import type { ParamsCommandResult } from './cli/paramsCommand.js';
import { commandDataDir } from './cli/values.js';
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
  archive    utp archive --before ISO     Archives finished UTC days before ISO to Parquet (<data-dir>/archive) and
             prunes SQLite now, instead of waiting for the schedule
  backfill   utp backfill SYMBOL --from DATE --to DATE [--dir D] [--server-offset H|eet]
             Imports Binance public-data daily files or MT5 exports already in D into SQLite and the archive
  pending    Write requests waiting for a human (--format json); reaches the running server of --data-dir
  approve    utp approve ID      Approves one pending write request; it executes at once (exit 1 with the reason if refused)
  deny       utp deny ID [--reason TEXT]
  params     utp params list [--limit N] | diff A B | rollback VERSION [--reason TEXT]
             Versions of the DTMS, exits and risk parameters; a rollback reaches a running server within
             its poll interval
  analyst    utp analyst --symbol S [--every 15m | --once] [--model M] [--base-url URL] [--url MCP_URL]
             [--max-rounds N] [--question TEXT] [--allow-writes]
             OpenAI function-calling loop over UTP's tools (OPENAI_API_KEY; local models via --base-url or
             OPENAI_BASE_URL); each answer is stored in the analysis history of --data-dir
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
  reason: { type: 'string' },
  before: { type: 'string' },
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...ANALYST_CLI_OPTIONS,
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
        return await (await import('./cli/importCommand.js')).importCommand(rest, v);
      case 'candles':
        return (await import('./cli/candlesCommand.js')).candlesCommand(rest, v);
      case 'archive':
        return await (await import('./cli/archiveCommand.js')).runArchive({ before: v.before ?? '', dataDir: commandDataDir(v), memory: loadConfig({ dataDir: commandDataDir(v) }, process.env, v.config).memory });
      case 'backfill': {
        const offset = v['server-offset'];
        return await (await import('./cli/backfillCommand.js')).runBackfill({
          symbol: rest[0] ?? '',
          from: v.from ?? '',
          to: v.to ?? '',
          dir: v.dir ?? '.',
          dataDir: commandDataDir(v),
          memory: loadConfig({ dataDir: commandDataDir(v) }, process.env, v.config).memory,
          ...(offset === undefined ? {} : { serverOffset: offset === 'eet' ? ('eet' as const) : Number(offset) }),
        });
      }
      case 'approve':
        return await (await import('./cli/approvalsCommand.js')).approveCommand(rest[0], { dataDir: commandDataDir(v) });
      case 'deny':
        return await (await import('./cli/approvalsCommand.js')).denyCommand(rest[0], { dataDir: commandDataDir(v), ...(v.reason !== undefined ? { reason: v.reason } : {}) });
      case 'pending':
        return await (await import('./cli/approvalsCommand.js')).pendingCommand({ dataDir: commandDataDir(v), format: v.format === 'json' ? 'json' : 'text' });
      case 'params':
        return await paramsCmd(rest, v);
      case 'analyst':
        return await (await import('./cli/analystCommand.js')).runAnalystCommand(v);
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


async function paramsCmd(rest: string[], v: Values): Promise<number> {
  const [sub, a, b] = rest;
  const dir = commandDataDir(v);
  const int = (x: string | undefined) => (x !== undefined && /^\d+$/.test(x) ? Number(x) : null);
  const { paramsDiff, paramsList, paramsRollback } = await import('./cli/paramsCommand.js');
  let r: ParamsCommandResult;
  if (sub === 'list') r = paramsList(dir, int(v.limit) ?? 20);
  else if (sub === 'diff' && int(a) !== null && int(b) !== null) r = paramsDiff(dir, int(a) as number, int(b) as number);
  else if (sub === 'rollback' && int(a) !== null) r = await paramsRollback(dir, int(a) as number, v.reason);
  else r = { exitCode: 2, stdout: '', stderr: 'utp params: use `list [--limit N]`, `diff A B` or `rollback VERSION [--reason TEXT]` (versions are integers)\n' };
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.exitCode;
}
