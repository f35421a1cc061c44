/**
 * `utp start` without --allow-writes, as a user runs it: no write tool is
 * listed over MCP, the REST route of a write tool does not exist, and the
 * approval CLI still reaches the server (nothing is ever pending).
 */
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../integration/replayFixture.js';
import { connectMcp, runUtp, startUtp, type UtpServer } from './utpProcess.js';

const WRITE_TOOLS = ['place_order', 'modify_position', 'close_position', 'hedge_position', 'enroll_position', 'set_parameters'];

describe('utp start (read-only, the default)', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: UtpServer;
  let client: Client;

  beforeAll(async () => {
    dir = tempDir('utp-e2e-readonly-');
    server = await startUtp(dir.dir, ['--speed', 'max'], { replay: { loop: false } });
    client = await connectMcp(server.base);
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    server?.kill();
    dir?.remove();
  });

  it('lists no write tool over MCP, but the read-only approval tools', async () => {
    const tools = (await client.listTools()).tools;
    const names = tools.map((t) => t.name);
    expect(names.filter((n) => WRITE_TOOLS.includes(n))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['get_positions', 'get_approval', 'get_audit_log', 'get_parameters']));
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const called = (await client.callTool({ name: 'place_order', arguments: { symbol: 'BTCUSD', side: 'buy', volume: 0.01, sl: 87000 } }).catch((e: Error) => ({ isError: true, content: [{ type: 'text', text: e.message }] }))) as { isError?: boolean; content?: { text?: string }[] };
    expect(called.isError).toBe(true);
    expect(called.content?.[0]?.text).toMatch(/place_order/);
  });

  it('has no REST route for a write tool', async () => {
    const res = await fetch(`${server.base}/api/tools/place_order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ symbol: 'BTCUSD', side: 'buy', volume: 0.01, sl: 87000 }),
    });
    expect([404, 405]).toContain(res.status);
    const get = await fetch(`${server.base}/api/tools/set_parameters?reason=x`);
    expect([404, 405]).toContain(get.status);
  });

  it('`utp pending` reaches the server and finds nothing pending', async () => {
    const pending = await runUtp(['pending', '--data-dir', dir.dir]);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toBe('no pending write requests\n');
    const json = await runUtp(['pending', '--data-dir', dir.dir, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    const audit = (await client.callTool({ name: 'get_audit_log', arguments: {} })) as { structuredContent?: any };
    expect(audit.structuredContent.entries).toEqual([]);
  });
});
