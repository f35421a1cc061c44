import OpenAI from 'openai';
import { pino } from 'pino';
import { LiveClock, type Clock } from '../../core/index.js';
import type { UtpConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { connectUtp, DEFAULT_UTP_URL, type UtpConnection } from './connect.js';
import { offerTools, type McpToolInfo, type McpToolResult, type OfferedTools } from './functions.js';
import { AnalystError, runAnalystLoop, type AnalystToolCall } from './loop.js';
import { ANALYST_SYSTEM_PROMPT, analystUserPrompt, parseBias } from './prompt.js';
import { analystRecord } from './record.js';

/** Model asked when none is given: small, cheap, good at function calling (OpenAI's gpt-4.1-mini). */
export const DEFAULT_ANALYST_MODEL = 'gpt-4.1-mini';

/** How the analyst reaches the model: OpenAI or any OpenAI-compatible Chat Completions endpoint. */
export type AnalystModelEndpoint = Readonly<{
  /** API key; local servers that need none still get a placeholder (the openai client requires one). */
  apiKey: string;
  /** Base URL, e.g. http://127.0.0.1:11434/v1 for Ollama; omitted = https://api.openai.com/v1. */
  baseURL?: string;
  /** Retries of a failed request (429, 5xx, network), default 2. */
  maxRetries?: number;
  /** Timeout of one request, ms, default 600 000. */
  timeoutMs?: number;
}>;

/** Everything one analyst (once or on a schedule) runs with. */
export type AnalystOptions = Readonly<{
  symbol: string;
  /** Default {@link DEFAULT_ANALYST_MODEL}. */
  model?: string;
  endpoint: AnalystModelEndpoint;
  /** MCP URL of the running UTP, default {@link DEFAULT_UTP_URL}. */
  url?: string;
  /** Bearer token of the running UTP (UTP_HTTP_TOKEN), null for none. */
  token?: string | null;
  /** Folder whose SQLite analysis history receives every answer. */
  dataDir: string;
  /** Configuration of the UTP started in process when none answers at a loopback `url`; null/omitted = never start one. */
  fallback?: UtpConfig | null;
  /** Repeat every this many ms (first run at once); null/omitted = one run. */
  everyMs?: number | null;
  /** Chat completion requests per analysis before it fails, default 8. */
  maxRounds?: number;
  maxToolResultChars?: number;
  /** Offer the server's write tools too (they answer with a pending approval). Default false. */
  allowWrites?: boolean;
  /** An extra question appended to the standard request. */
  question?: string | null;
  clock?: Clock;
  logger?: Logger;
  /** Stops a scheduled analyst (and aborts the request in flight). */
  signal?: AbortSignal;
  onResult?: (result: AnalystRunResult) => void;
  /** A failed scheduled run (a single run throws instead). */
  onError?: (error: Error) => void;
}>;

/** One finished analysis, as stored. */
export type AnalystRunResult = Readonly<{
  symbol: string;
  /** The model's answer. */
  text: string;
  bias: 'bullish' | 'bearish' | 'neutral' | null;
  /** Id in the analysis history. */
  recordId: number;
  /** When it was stored, epoch ms (the analyst's clock). */
  at: number;
  model: string;
  responseModel: string;
  rounds: number;
  toolCalls: readonly AnalystToolCall[];
  /** Function names offered to the model. */
  offered: readonly string[];
  server: Readonly<{ url: string; inProcess: boolean }>;
}>;

/** What a (scheduled) analyst did before it stopped. */
export type AnalystSummary = Readonly<{ runs: number; failed: number; skipped: number; last: AnalystRunResult | null }>;

/** An open analyst: a UTP connection and a model client, ready to analyse on demand. */
export type Analyst = Readonly<{
  connection: UtpConnection;
  /** Lists the tools, runs the loop, stores the answer. */
  analyze(): Promise<AnalystRunResult>;
  close(): Promise<void>;
}>;

/** Connects to UTP (or starts it in process) and prepares the model client. */
export async function openAnalyst(options: AnalystOptions): Promise<Analyst> {
  const clock = options.clock ?? new LiveClock();
  const logger = options.logger ?? pino({ level: 'silent' });
  const model = options.model ?? DEFAULT_ANALYST_MODEL;
  const symbol = options.symbol.trim().toUpperCase();
  const connection = await connectUtp({
    url: options.url ?? DEFAULT_UTP_URL,
    token: options.token ?? null,
    dataDir: options.dataDir,
    fallback: options.fallback ?? null,
    clock,
    logger,
  });
  const openai = new OpenAI({
    apiKey: options.endpoint.apiKey,
    ...(options.endpoint.baseURL ? { baseURL: options.endpoint.baseURL } : {}),
    maxRetries: options.endpoint.maxRetries ?? 2,
    timeout: options.endpoint.timeoutMs ?? 600_000,
  });
  const callTool = async (name: string, args: Record<string, unknown>) =>
    (await connection.client.callTool({ name, arguments: args })) as unknown as McpToolResult;
  return {
    connection,
    async analyze() {
      const offered = await listOffered(connection, options.allowWrites ?? false);
      if (offered.withheld.length > 0) logger.info({ withheld: offered.withheld }, 'write tools not offered (run with --allow-writes to offer them)');
      const user = analystUserPrompt(symbol, options.question);
      const loop = await runAnalystLoop({
        openai,
        model,
        offered,
        callTool,
        system: ANALYST_SYSTEM_PROMPT,
        user,
        ...(options.maxRounds !== undefined ? { maxRounds: options.maxRounds } : {}),
        ...(options.maxToolResultChars !== undefined ? { maxToolResultChars: options.maxToolResultChars } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const at = clock.now();
      const server = { url: connection.url, inProcess: connection.inProcess };
      const names = offered.functions.map((f) => f.function.name);
      const stored = connection.history.append(analystRecord(loop, { symbol, question: user, model, at, server, offered: names }));
      logger.info({ symbol, id: stored.id, rounds: loop.rounds, calls: loop.toolCalls.length }, 'analysis stored');
      return {
        symbol,
        text: loop.text,
        bias: parseBias(loop.text),
        recordId: stored.id,
        at,
        model,
        responseModel: loop.responseModel,
        rounds: loop.rounds,
        toolCalls: loop.toolCalls,
        offered: names,
        server,
      };
    },
    close: () => connection.close(),
  };
}

/**
 * `utp analyst`: analyses a symbol with an OpenAI function-calling loop over
 * UTP's MCP tools and stores each answer in the analysis history. Without
 * `everyMs`, one run (errors thrown). With it, a run at once and then every
 * `everyMs` on the clock until `signal` aborts; a run still going when the
 * next is due makes that one skip; a failed run is reported to `onError` and
 * the schedule goes on (reconnecting to UTP when the failure was not the model's);
 * only the first connection's failure is thrown. The clock's timers may not hold the process open (LiveClock unrefs them): a
 * process that must stay up between runs holds its own handle (the CLI does).
 */
export async function runAnalyst(options: AnalystOptions): Promise<AnalystSummary> {
  if (options.everyMs === undefined || options.everyMs === null) {
    const analyst = await openAnalyst(options);
    try {
      const result = await analyst.analyze();
      options.onResult?.(result);
      return { runs: 1, failed: 0, skipped: 0, last: result };
    } finally {
      await analyst.close();
    }
  }
  const everyMs = options.everyMs;
  const clock = options.clock ?? new LiveClock();
  const logger = options.logger ?? pino({ level: 'silent' });
  // The first connection is made before scheduling: a UTP that cannot be reached at all is an error, not a failed run.
  let analyst: Analyst | null = await openAnalyst({ ...options, clock, logger });
  let busy: Promise<void> | null = null;
  let runs = 0;
  let failed = 0;
  let skipped = 0;
  let last: AnalystRunResult | null = null;
  const once = async () => {
    try {
      analyst ??= await openAnalyst({ ...options, clock, logger });
      last = await analyst.analyze();
      runs++;
      options.onResult?.(last);
    } catch (error) {
      if (options.signal?.aborted) return;
      failed++;
      logger.error({ err: error }, 'analysis failed');
      options.onError?.(error as Error);
      if (!(error instanceof AnalystError) && !(error instanceof OpenAI.APIError) && analyst) {
        const stale: Analyst = analyst;
        analyst = null;
        await stale.close().catch(() => {});
      }
    }
  };
  const tick = () => {
    if (options.signal?.aborted) return;
    if (busy) {
      skipped++;
      logger.warn({ everyMs }, 'previous analysis still running: skipping this one');
      return;
    }
    busy = once().finally(() => {
      busy = null;
    });
  };
  return new Promise<AnalystSummary>((resolve) => {
    const cancel = clock.setInterval(tick, everyMs);
    const stop = async () => {
      cancel();
      await busy;
      await (analyst as Analyst | null)?.close();
      resolve({ runs, failed, skipped, last });
    };
    if (options.signal?.aborted) return void stop();
    options.signal?.addEventListener('abort', () => void stop(), { once: true });
    tick();
  });
}

/** Every tool the server lists (following pages), offered per {@link offerTools}. */
async function listOffered(connection: UtpConnection, allowWrites: boolean): Promise<OfferedTools> {
  const tools: McpToolInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await connection.client.listTools(cursor ? { cursor } : undefined);
    tools.push(...(page.tools as unknown as McpToolInfo[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return offerTools(tools, { allowWrites });
}
