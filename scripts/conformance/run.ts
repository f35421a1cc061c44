/**
 * MCP conformance of UTP's HTTP endpoint: starts UTP as `utp start` would
 * (composeApp in replay mode over a temporary data folder, startHttpApp with
 * every tool, show_chart and the chart routes) on 127.0.0.1:0 and runs the
 * server scenarios of `@modelcontextprotocol/conformance` against its `/mcp`
 * with the expected-failures baseline. Exit code 0 when every failure is an
 * expected one and no baseline entry passes.
 *
 *   npx tsx scripts/conformance/run.ts [--scenario NAME] [--verbose]
 *
 * Runs on Node 20: the CLI imports fs.globSync (Node 22+) though only its
 * tier-check command uses it, so it is started with node20-register.mjs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { composeApp } from '../../src/server/compose.js';
import { configSchema } from '../../src/server/config.js';
import { startHttpApp, type HttpApp } from '../../src/server/http/app.js';
import { chartRoutes } from '../../src/server/ui/chartRoutes.js';
import { VERSION } from '../../src/server/version.js';
import { showChart } from '../../src/tools/charts/showChart.js';
import type { ToolDefinition } from '../../src/tools/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');

/** The expected-failures baseline (YAML, `server:` list with a one-line reason per entry). */
export const CONFORMANCE_BASELINE = path.join(ROOT, 'test', 'conformance', 'conformance-baseline.yml');

/** A running UTP HTTP endpoint for the conformance client. */
export type ConformanceTarget = Readonly<{ url: string; close(): Promise<void> }>;

/** Starts UTP (replay mode, temporary data folder, every tool) on an ephemeral loopback port; `url` is its `/mcp`. */
export async function startConformanceTarget(): Promise<ConformanceTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'utp-conformance-'));
  const config = configSchema.parse({ dataDir, logLevel: 'silent', replay: { speed: 'max', loop: false } });
  const app = await composeApp(config, { logger: pino({ level: 'silent' }) });
  await app.start();
  const tools: ToolDefinition[] = [...app.tools];
  if (!tools.some((t) => t.name === showChart.name)) tools.push(showChart as never);
  let http: HttpApp;
  try {
    http = await startHttpApp({
      host: '127.0.0.1',
      port: 0,
      token: null,
      allowedHosts: [],
      tools,
      ctx: app.ctx,
      info: { name: 'utp', version: VERSION },
      onError: () => {},
      routes: chartRoutes(),
    });
  } catch (error) {
    await app.stop();
    throw error;
  }
  return {
    url: `${http.url}/mcp`,
    close: async () => {
      await http.close();
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What one conformance run printed and how it ended. */
export type ConformanceRun = Readonly<{ exitCode: number; output: string; results: ReadonlyMap<string, 'passed' | 'failed'> }>;

/** Options of a conformance run. */
export type ConformanceOptions = Readonly<{ scenario?: string; baseline?: string | null; verbose?: boolean; timeoutMs?: number }>;

/**
 * Runs `conformance server --url <url>` (all active server scenarios, or one)
 * with the baseline, in a temporary folder (the CLI writes results/ there),
 * and parses the per-scenario outcome from its summary.
 */
export async function runConformance(url: string, options: ConformanceOptions = {}): Promise<ConformanceRun> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@modelcontextprotocol/conformance/package.json');
  const cli = path.join(path.dirname(pkg), 'dist', 'index.js');
  const baseline = options.baseline === undefined ? CONFORMANCE_BASELINE : options.baseline;
  const args = [
    '--import',
    pathToFileURL(path.join(HERE, 'node20-register.mjs')).href,
    cli,
    'server',
    '--url',
    url,
    ...(options.scenario ? ['--scenario', options.scenario] : []),
    ...(baseline ? ['--expected-failures', baseline] : []),
    ...(options.verbose ? ['--verbose'] : []),
  ];
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'utp-conformance-results-'));
  try {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c ?? 1, output: out });
      });
    });
    return { exitCode: code, output, results: parseSummary(output) };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Scenario outcomes from the CLI's per-scenario lines (`✓ name` / `✗ name`). */
export function parseSummary(output: string): Map<string, 'passed' | 'failed'> {
  const results = new Map<string, 'passed' | 'failed'>();
  for (const line of output.split('\n')) {
    const m = /^\s*([✓✗✔✘])\s+([a-z0-9][a-z0-9-]*)\b/.exec(line);
    if (m) results.set(m[2]!, m[1] === '✓' || m[1] === '✔' ? 'passed' : 'failed');
  }
  return results;
}

/** Scenario names listed in the baseline's `server:` section. */
export function baselineScenarios(file = CONFORMANCE_BASELINE): string[] {
  const names: string[] = [];
  let inServer = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\S/.test(line)) inServer = line.startsWith('server:');
    const m = /^\s+-\s+([a-z0-9-]+)/.exec(line);
    if (inServer && m) names.push(m[1]!);
  }
  return names;
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--scenario');
  const target = await startConformanceTarget();
  try {
    const run = await runConformance(target.url, { ...(at >= 0 && argv[at + 1] ? { scenario: argv[at + 1] } : {}), verbose: argv.includes('--verbose') });
    process.stdout.write(run.output);
    return run.exitCode;
  } finally {
    await target.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
