import OpenAI from 'openai';
import { ConfigError, type Clock } from '../../core/index.js';
import { AnalystError, DEFAULT_ANALYST_MODEL, runAnalyst, type AnalystModelEndpoint, type AnalystRunResult } from '../analyst/index.js';
import { loadConfig, type ConfigOverrides } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

/** API key sent to an OpenAI-compatible local server when OPENAI_API_KEY is unset (the openai client requires one; llama.cpp, Ollama and LM Studio ignore it). */
export const PLACEHOLDER_API_KEY = 'sk-local-no-key';

/** Most chat completion rounds `--max-rounds` accepts. */
export const MAX_ROUNDS_LIMIT = 50;

/** The `utp analyst` options, as `node:util` parseArgs gives them (names are the CLI flags). */
export type AnalystCommandValues = Readonly<{
  'data-dir'?: string;
  config?: string;
  symbol?: string;
  every?: string;
  once?: boolean;
  model?: string;
  'base-url'?: string;
  url?: string;
  'max-rounds'?: string;
  question?: string;
  'allow-writes'?: boolean;
  'log-level'?: string;
  mode?: string;
  symbols?: string;
  speed?: string;
  replay?: string;
}>;

/** Where the command writes, and what it may be handed instead of the process (tests). */
export type AnalystCommandIo = Readonly<{
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Stops the command (default: SIGINT/SIGTERM). */
  signal?: AbortSignal;
  clock?: Clock;
  logger?: Logger;
}>;

const DEFAULT_IO: AnalystCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Parses a schedule such as `15m`, `1h`, `90s` or `500ms` into milliseconds.
 * @throws ConfigError for anything else, or for less than 10 seconds (a model round trip takes longer).
 */
export function parseEvery(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i.exec(text.trim());
  if (!m) throw new ConfigError(`--every must be a duration such as 15m, 1h or 90s, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]!.toLowerCase() as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < 10_000) throw new ConfigError(`--every must be at least 10s, got "${text}"`);
  return ms;
}

/**
 * The model endpoint from `--base-url` / OPENAI_BASE_URL and OPENAI_API_KEY.
 * Without a key, a local base URL gets {@link PLACEHOLDER_API_KEY} (with a
 * note); OpenAI itself (no base URL) needs a real key.
 */
export function resolveEndpoint(baseUrl: string | undefined, env: NodeJS.ProcessEnv): { endpoint: AnalystModelEndpoint; note: string | null } {
  const baseURL = baseUrl ?? (env.OPENAI_BASE_URL || undefined);
  const key = env.OPENAI_API_KEY || undefined;
  if (key) return { endpoint: { apiKey: key, ...(baseURL ? { baseURL } : {}) }, note: null };
  if (!baseURL) throw new ConfigError('OPENAI_API_KEY is not set; set it, or point --base-url (or OPENAI_BASE_URL) at an OpenAI-compatible local server');
  return {
    endpoint: { apiKey: PLACEHOLDER_API_KEY, baseURL },
    note: `OPENAI_API_KEY is not set: sending the placeholder key "${PLACEHOLDER_API_KEY}" to ${baseURL} (local servers ignore it)`,
  };
}

export { ANALYST_CLI_OPTIONS } from './analystOptions.js';

/** The validated flags of one `utp analyst` invocation, or every problem found. */
export type AnalystArgsCheck = Readonly<{
  problems: readonly string[];
  everyMs: number | null;
  maxRounds: number | undefined;
  resolved: ReturnType<typeof resolveEndpoint> | null;
}>;

/** Checks the flags (and the model endpoint from the environment) without running anything; every problem is listed. */
export function checkAnalystValues(values: AnalystCommandValues, env: NodeJS.ProcessEnv): AnalystArgsCheck {
  const problems: string[] = [];
  if (!values.symbol) problems.push('missing --symbol');
  if (values.every !== undefined && values.once) problems.push('--every and --once exclude each other');
  let everyMs: number | null = null;
  if (values.every !== undefined) {
    try {
      everyMs = parseEvery(values.every);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const maxRounds = values['max-rounds'] !== undefined ? Number(values['max-rounds']) : undefined;
  if (maxRounds !== undefined && (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > MAX_ROUNDS_LIMIT)) {
    problems.push(`--max-rounds must be an integer from 1 to ${MAX_ROUNDS_LIMIT}`);
  }
  if (values.url !== undefined && !/^https?:\/\/\S+$/.test(values.url)) problems.push('--url must be an http(s):// URL such as http://127.0.0.1:8787/mcp');
  if (values['base-url'] !== undefined && !/^https?:\/\/\S+$/.test(values['base-url'])) problems.push('--base-url must be an http(s):// URL such as http://127.0.0.1:11434/v1');
  let resolved: ReturnType<typeof resolveEndpoint> | null = null;
  try {
    resolved = resolveEndpoint(values['base-url'], env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  return { problems, everyMs, maxRounds, resolved };
}

/**
 * `utp analyst --symbol S [--every 15m | --once] [--model M] [--base-url URL] [--url MCP_URL]`:
 * validates the flags, loads the configuration (used to start UTP in process
 * when none answers at the URL), runs the analyst and prints every answer to
 * stdout. Returns the exit code: 0 done, 1 the analysis failed, 2 bad usage.
 */
export async function runAnalystCommand(values: AnalystCommandValues, env: NodeJS.ProcessEnv = process.env, io: AnalystCommandIo = DEFAULT_IO): Promise<number> {
  const { problems, everyMs, maxRounds, resolved } = checkAnalystValues(values, env);
  if (problems.length > 0 || !resolved) {
    io.stderr(`utp analyst: ${problems.join('; ')}\n`);
    return 2;
  }
  if (resolved.note) io.stderr(`utp analyst: ${resolved.note}\n`);
  const config = loadConfig(overrides(values, env), env, values.config);
  const logger = io.logger ?? createLogger(config.logLevel);
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (io.signal) io.signal.addEventListener('abort', stop, { once: true });
  else {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const model = values.model ?? DEFAULT_ANALYST_MODEL;
  if (everyMs !== null) io.stderr(`utp analyst: analysing ${values.symbol!.toUpperCase()} with ${model} every ${values.every}; Ctrl-C stops\n`);
  // LiveClock timers are unref'd: between scheduled runs nothing else may hold the process open.
  const keepAlive = everyMs !== null ? setInterval(() => {}, 1 << 30) : null;
  try {
    const summary = await runAnalyst({
      symbol: values.symbol as string,
      model,
      endpoint: resolved.endpoint,
      url: values.url ?? `http://127.0.0.1:${config.http.port}/mcp`,
      token: config.http.token,
      dataDir: config.dataDir,
      fallback: config,
      everyMs,
      ...(maxRounds !== undefined ? { maxRounds } : {}),
      allowWrites: values['allow-writes'] === true,
      question: values.question ?? null,
      ...(io.clock ? { clock: io.clock } : {}),
      logger,
      signal: controller.signal,
      onResult: (result) => io.stdout(formatResult(result)),
      onError: (error) => io.stderr(`utp analyst: run failed: ${error.message}\n`),
    });
    return summary.failed > 0 && summary.runs === 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof OpenAI.APIConnectionError) {
      io.stderr(`utp analyst: could not reach the model at ${resolved.endpoint.baseURL ?? 'https://api.openai.com/v1'}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof AnalystError || error instanceof OpenAI.APIError) {
      io.stderr(`utp analyst: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    if (keepAlive) clearInterval(keepAlive);
    if (!io.signal) {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}

/** One answer as printed: a header line (symbol, time, model, calls, history id, server), the text, a blank line. */
export function formatResult(r: AnalystRunResult): string {
  const calls = r.toolCalls.map((c) => (c.isError ? `${c.name}!` : c.name)).join(', ') || 'none';
  const where = r.server.inProcess ? `in-process UTP ${r.server.url}` : r.server.url;
  return `=== ${r.symbol} ${new Date(r.at).toISOString()} ${r.model} | ${r.rounds} rounds | calls: ${calls} | stored as analysis #${r.recordId} | ${where}\n${r.text}\n\n`;
}

function overrides(v: AnalystCommandValues, env: NodeJS.ProcessEnv): ConfigOverrides {
  const o: Record<string, unknown> = {};
  if (v['data-dir'] !== undefined) o.dataDir = v['data-dir'];
  if (v.mode !== undefined) o.mode = v.mode;
  if (v.symbols !== undefined) o.symbols = v.symbols;
  if (v['allow-writes']) o.allowWrites = true;
  if (v.speed !== undefined) o.speed = v.speed;
  if (v.replay !== undefined) o.replayFile = v.replay;
  // The analyst's own log is quiet unless asked: its answers go to stdout, warnings to stderr.
  o.logLevel = v['log-level'] ?? (env.UTP_LOG_LEVEL ? undefined : 'warn');
  if (o.logLevel === undefined) delete o.logLevel;
  return o as ConfigOverrides;
}
