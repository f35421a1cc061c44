import net from 'node:net';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ConfigError, type Clock } from '../../core/index.js';
import { AnalysisRepo, openStore, type Store } from '../../store/index.js';
import type { AnalysisHistory } from '../../tools/index.js';
import { composeApp, DATABASE_FILE, type App } from '../compose.js';
import type { UtpConfig } from '../config.js';
import { startHttpApp, type HttpApp } from '../http/app.js';
import { isLoopback } from '../http/guards.js';
import type { Logger } from '../logger.js';
import { VERSION } from '../version.js';

/** Default address of a running UTP's MCP endpoint (`utp start`). */
export const DEFAULT_UTP_URL = 'http://127.0.0.1:8787/mcp';

/** An MCP client session with UTP plus the analysis history the analyst writes to. */
export type UtpConnection = Readonly<{
  client: Client;
  /** MCP URL connected to. */
  url: string;
  /** True when no UTP answered and the analyst started one in this process. */
  inProcess: boolean;
  /** The in-process app, null when connected to a running UTP. */
  app: App | null;
  /** The analysis history of the analyst's data folder. */
  history: AnalysisHistory;
  close(): Promise<void>;
}>;

/** How to reach UTP. */
export type ConnectOptions = Readonly<{
  url: string;
  /** Bearer token for the running UTP (UTP_HTTP_TOKEN), null for none. */
  token: string | null;
  /** Folder whose SQLite holds the analysis history written to. */
  dataDir: string;
  /** Configuration of the UTP started in process when none answers at a loopback `url`; null = never start one. */
  fallback: UtpConfig | null;
  clock?: Clock;
  logger: Logger;
  /** Milliseconds to wait for a TCP answer at `url`; default 1500. */
  probeTimeoutMs?: number;
}>;

/**
 * Connects to the UTP at `url` as an MCP client over Streamable HTTP. When
 * nothing listens there (connection refused, loopback URL) and a fallback
 * configuration is given, composes UTP in this process (its HTTP front door on
 * 127.0.0.1, port 0) and connects to that instead. A UTP that answers but
 * refuses (bad token, wrong path) is an error, never a reason to start another.
 */
export async function connectUtp(options: ConnectOptions): Promise<UtpConnection> {
  const url = new URL(options.url);
  const reachable = await answers(url, options.probeTimeoutMs ?? 1500);
  if (reachable) {
    const client = await mcpClient(url, options.token);
    const store = openStore({ path: path.join(options.dataDir, DATABASE_FILE), ...(options.clock ? { clock: options.clock } : {}) });
    return {
      client,
      url: url.href,
      inProcess: false,
      app: null,
      history: new AnalysisRepo(store.db),
      close: () => closeAll(client, null, null, store),
    };
  }
  if (!options.fallback) throw new ConfigError(`no UTP answers at ${url.href}; start one with \`utp start\` or pass --url`);
  if (!isLoopback(url.hostname.replace(/^\[|\]$/g, ''))) {
    throw new ConfigError(`no UTP answers at ${url.href}; the analyst starts UTP in process only in place of a loopback URL`);
  }
  return startInProcess(options, { ...options.fallback, dataDir: options.dataDir });
}

async function startInProcess(options: ConnectOptions, config: UtpConfig): Promise<UtpConnection> {
  const log = options.logger;
  log.warn({ url: options.url, dataDir: config.dataDir, mode: config.mode }, 'no UTP answered: starting UTP in process');
  const app = await composeApp(config, { logger: log, ...(options.clock ? { clock: options.clock } : {}) });
  let http: HttpApp | null = null;
  try {
    await app.start();
    http = await startHttpApp({
      host: '127.0.0.1',
      port: 0,
      token: config.http.token,
      allowedHosts: [],
      tools: app.tools,
      ctx: app.ctx,
      info: { name: 'utp', version: VERSION },
      onError: (error) => log.error({ err: error }, 'in-process http error'),
    });
    const url = new URL(`${http.url}/mcp`);
    const client = await mcpClient(url, config.http.token);
    const history = app.ctx.analysisHistory ?? new AnalysisRepo(app.store.db);
    const server = http;
    return { client, url: url.href, inProcess: true, app, history, close: () => closeAll(client, server, app, null) };
  } catch (error) {
    await http?.close();
    await app.stop();
    throw error;
  }
}

async function mcpClient(url: URL, token: string | null): Promise<Client> {
  const client = new Client({ name: 'utp-analyst', version: VERSION }, { versionNegotiation: { mode: 'auto' } });
  const transport = new StreamableHTTPClientTransport(url, token ? { authProvider: { token: async () => token } } : undefined);
  try {
    await client.connect(transport);
  } catch (error) {
    throw new ConfigError(`UTP at ${url.href} did not accept an MCP connection: ${(error as Error).message}${token ? '' : ' (no UTP_HTTP_TOKEN set)'}`);
  }
  return client;
}

async function closeAll(client: Client, http: HttpApp | null, app: App | null, store: Store | null): Promise<void> {
  await client.close().catch(() => {});
  await http?.close();
  await app?.stop();
  store?.close();
}

/** True when something accepts a TCP connection at the URL's host and port within `timeoutMs`. */
function answers(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
