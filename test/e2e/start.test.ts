/**
 * `utp start` as a user runs it: the built command replays the recording,
 * serves MCP and REST on an ephemeral loopback port (announced on stderr, never
 * stdout), answers a v2 MCP client over HTTP, and stops cleanly on SIGTERM
 * with everything flushed to SQLite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATABASE_FILE } from '../../src/server/compose.js';
import { REPO_ROOT, UTP_BIN, readAggTrades, requireBuild, tempDir } from '../integration/replayFixture.js';

const rows = readAggTrades();
const LAST = rows[rows.length - 1]!;

describe('utp start', () => {
  let dir: ReturnType<typeof tempDir>;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let base = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    requireBuild();
    dir = tempDir('utp-e2e-start-');
    // load on a busy CI machine is not what this test checks: the load threshold is out of reach
    writeFileSync(path.join(dir.dir, 'utp.config.json'), JSON.stringify({ replay: { speed: 'max', loop: false }, trading: { loadThresholdMs: 10_000 } }));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('UTP_')));
    child = spawn(process.execPath, [UTP_BIN, 'start', '--data-dir', dir.dir, '--port', '0'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await vi.waitFor(
      () => {
        const match = /MCP \(Streamable HTTP\): (http:\/\/127\.0\.0\.1:\d+)\/mcp/.exec(stderr);
        if (!match) throw new Error(`no URL announced yet; stderr so far:\n${stderr}`);
        base = match[1] as string;
      },
      { timeout: 15_000, interval: 20 },
    );
    await vi.waitFor(
      async () => {
        const status = (await (await fetch(`${base}/api/tools/get_system_status`)).json()) as { store: { ticks: number; pendingWrites: number } };
        expect(status.store).toMatchObject({ ticks: 5000, pendingWrites: 0 });
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    dir?.remove();
  });

  it('answers REST and a v2 MCP client over HTTP with the replayed data', async () => {
    const health = await fetch(`${base}/health`);
    expect(await health.json()).toMatchObject({ ok: true, name: 'utp' });
    const client = new Client({ name: 'e2e', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const result = (await client.callTool({ name: 'get_market_state', arguments: { symbol: 'BTCUSD' } })) as { structuredContent?: any };
      expect(result.structuredContent.last).toEqual({ price: LAST.price, size: LAST.qty, time: '2026-01-01T00:12:19.347Z', source: 'binance' });
    } finally {
      await client.close();
    }
  });

  it('keeps stdout free of logs and stops on SIGTERM with exit 0, store flushed', async () => {
    expect(stdout).toBe('');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('"msg":"stopped"');
    const db = new Database(path.join(dir.dir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) AS n FROM unified_ticks').get()).toEqual({ n: 5000 });
    } finally {
      db.close();
    }
  });
});
