/**
 * Helpers of the end-to-end tests: run the built `utp` command as a user
 * would, in child processes. `startUtp` launches `utp start` on a free
 * loopback port and waits until `/health` answers; `runUtp` runs a one-shot
 * command (`utp pending`, `utp approve ID` ...) and resolves with its exit code
 * and output; `connectMcp` connects the v2 MCP client over Streamable HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { vi } from 'vitest';
import { REPO_ROOT, UTP_BIN, requireBuild } from '../integration/replayFixture.js';

/** The environment of a child: the test runner's, without any UTP_ variable, plus `extra`. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UTP_'))), ...extra };
}

/** A loopback port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a finished one-shot command printed and returned. */
export type CommandRun = Readonly<{ code: number | null; stdout: string; stderr: string }>;

/** Runs `node bin/utp.js ...args` to completion (bounded by `timeoutMs`). */
export function runUtp(args: readonly string[], timeoutMs = 15_000): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UTP_BIN, ...args], { cwd: REPO_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`utp ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `utp start`. */
export type UtpServer = Readonly<{
  child: ChildProcess;
  base: string;
  port: number;
  output(): Readonly<{ stdout: string; stderr: string }>;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
  /** SIGKILLs the process if it still runs (afterAll). */
  kill(): void;
}>;

/**
 * Starts `utp start --data-dir DIR --port P ...extraArgs` with `config` written
 * to `DIR/utp.config.json` first (UTP_LOG_LEVEL=warn) and waits until `/health`
 * answers (200 or 503: the server is up).
 */
export async function startUtp(dataDir: string, extraArgs: readonly string[], config: Readonly<Record<string, unknown>> = {}): Promise<UtpServer> {
  requireBuild();
  writeFileSync(path.join(dataDir, 'utp.config.json'), JSON.stringify(config));
  const port = await freePort();
  const child = spawn(process.execPath, [UTP_BIN, 'start', '--data-dir', dataDir, '--port', String(port), ...extraArgs], {
    cwd: REPO_ROOT,
    env: childEnv({ UTP_LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  await vi.waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`utp start exited with ${child.exitCode}; stderr:\n${stderr}`);
      const res = await fetch(`${base}/health`);
      expect200or503(res.status);
      await res.json();
    },
    { timeout: 20_000, interval: 50 },
  );
  return {
    child,
    base,
    port,
    output: () => ({ stdout, stderr }),
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function expect200or503(status: number): void {
  if (status !== 200 && status !== 503) throw new Error(`/health answered ${status}`);
}

/** A v2 MCP client connected to `base/mcp` over Streamable HTTP. */
export async function connectMcp(base: string, name = 'e2e'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  return client;
}

/** structuredContent of a tool call (throws on a tool error so the test shows it). */
export async function callStructured(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; structuredContent?: unknown; content?: unknown };
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}
