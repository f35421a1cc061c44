/**
 * The approval flow as a user lives it, every part a real process: `utp start
 * --allow-writes` replays the recording; a v2 MCP client (Streamable HTTP)
 * asks for an order and gets a pending request; the human runs `utp pending`
 * and `utp approve ID` in other processes while the client polls get_approval;
 * the order executes at the paper venue without the model calling again. A
 * parameter change goes the same way, then `utp params list` and `utp params
 * rollback 1` (straight into SQLite) reach the running server through its
 * poll. SIGINT stops the server with exit 0 and removes admin.json.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAggTrades, tempDir } from '../integration/replayFixture.js';
import { callStructured, connectMcp, runUtp, startUtp, type UtpServer } from './utpProcess.js';

const rows = readAggTrades();
const LAST = rows[rows.length - 1]!;
/** Buy fill on a trades-only replay: the last trade plus half the default BTCUSD paper spread (20). */
const BUY_FILL = 87769.14;
const SL = 87000;

describe('utp start --allow-writes: approvals, parameters and rollback across processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: UtpServer;
  let client: Client;

  beforeAll(async () => {
    dir = tempDir('utp-e2e-approvals-');
    // The recording once at full speed: the price then stays at the last trade, so fills are exact.
    server = await startUtp(dir.dir, ['--allow-writes', '--speed', 'max'], { replay: { loop: false }, parameters: { pollIntervalMs: 200 } });
    client = await connectMcp(server.base);
    await vi.waitFor(
      async () => {
        const state = await callStructured(client, 'get_market_state', { symbol: 'BTCUSD' });
        expect(state.last?.price).toBe(LAST.price);
        const status = await callStructured(client, 'get_system_status');
        expect(status.pipeline.accepted).toBe(rows.length);
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    server?.kill();
    dir?.remove();
  });

  it('place_order -> pending; `utp pending` lists it; `utp approve` executes it while the client polls', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toEqual(expect.arrayContaining(['place_order', 'set_parameters', 'get_approval', 'get_audit_log']));
    const placed = await callStructured(client, 'place_order', { symbol: 'BTCUSD', side: 'buy', volume: 0.01, sl: SL });
    expect(placed).toMatchObject({ status: 'pending', summary: `BUY 0.01 BTCUSD at market (now ${BUY_FILL}), SL ${SL}, TP none`, reason: null, outcome: null });
    const id = placed.requestId as string;
    expect(id).toMatch(/\S/);
    expect(placed.howToApprove).toContain(`utp approve ${id}`);
    expect((await callStructured(client, 'get_positions')).positions).toEqual([]);

    const pending = await runUtp(['pending', '--data-dir', dir.dir]);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain(`${id}  pending  BUY 0.01 BTCUSD at market`);

    const approve = runUtp(['approve', id, '--data-dir', dir.dir]);
    const seen: string[] = [];
    let last: any = null;
    await vi.waitFor(
      async () => {
        last = await callStructured(client, 'get_approval', { requestId: id });
        if (seen.at(-1) !== last.request.status) seen.push(last.request.status);
        expect(last.request.status).toBe('executed');
      },
      { timeout: 15_000, interval: 25 },
    );
    const approved = await approve;
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`request ${id}  pending  BUY 0.01 BTCUSD at market`);
    expect(approved.stdout).toContain(`approved and executed: buy 0.01 BTCUSD at ${BUY_FILL}`);
    expect(seen[0]).toBe('pending');
    expect(last.request).toMatchObject({ status: 'executed', approvedBy: 'cli', exposure: 'increasing', outcome: { ok: true } });

    const positions = (await callStructured(client, 'get_positions')).positions;
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ symbol: 'BTCUSD', side: 'buy', volume: 0.01, openPrice: BUY_FILL, sl: SL, tp: null, ticket: last.request.outcome.ticket, dtmsState: 'monitoring' });
    // Floating P/L at the bid (last trade minus half the spread): (87749.14 - 87769.14) * 0.01.
    expect(positions[0].profit).toBeCloseTo(-0.2, 9);

    // The approval is single-use: a second `utp approve` is refused with the reason, and nothing more executes.
    const again = await runUtp(['approve', id, '--data-dir', dir.dir]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`request ${id}  executed  BUY 0.01 BTCUSD at market`);
    expect(again.stderr).toBe(`utp approve: refused: request ${id} was already approved by cli (approvals are single-use; status executed)\n`);
    const unknown = await runUtp(['deny', 'no-such-request', '--data-dir', dir.dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('utp deny: refused: unknown request no-such-request');
    expect((await callStructured(client, 'get_positions')).positions).toHaveLength(1);

    const audit = await callStructured(client, 'get_audit_log', { requestId: id });
    expect(audit.entries.map((e: any) => [e.kind, e.actor])).toEqual([
      ['approval_refused', 'cli'],
      ['executed', 'system'],
      ['approved', 'cli'],
      ['requested', 'model:place_order'],
    ]);
  });

  it('set_parameters -> approved by the CLI -> a new version; `utp params rollback 1` reaches the running server', async () => {
    const before = await callStructured(client, 'get_parameters');
    expect(before.current).toMatchObject({ version: 1, createdBy: 'default' });
    const oldR = before.current.params.dtms.breakevenR as number;
    const newR = oldR + 0.5;
    const asked = await callStructured(client, 'set_parameters', { changes: { dtms: { breakevenR: newR } }, reason: 'e2e: later breakeven' });
    expect(asked).toMatchObject({ status: 'pending' });
    const approved = await runUtp(['approve', asked.requestId, '--data-dir', dir.dir]);
    expect(approved.code, approved.stderr).toBe(0);
    await vi.waitFor(
      async () => {
        const r = await callStructured(client, 'get_approval', { requestId: asked.requestId });
        expect(r.request.status).toBe('executed');
      },
      { timeout: 15_000, interval: 50 },
    );
    const changed = await callStructured(client, 'get_parameters', { diffFrom: 1 });
    expect(changed.current).toMatchObject({ version: 2, createdBy: `approval:${asked.requestId}`, active: true, parent: 1 });
    expect(changed.current.params.dtms.breakevenR).toBe(newR);
    expect(changed.diff).toEqual({ from: 1, to: 2, changes: [{ path: 'dtms.breakevenR', from: oldR, to: newR }] });

    const list = await runUtp(['params', 'list', '--data-dir', dir.dir]);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\* 2  \\S+Z  approval:${asked.requestId}  `));
    expect(lines[1]).toMatch(/^ {2}1 {2}\S+Z {2}default {2}/);

    const rollback = await runUtp(['params', 'rollback', '1', '--data-dir', dir.dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('version 3 restores version 1 (was 2)');
    expect(rollback.stdout).toContain(`dtms.breakevenR: ${newR} -> ${oldR}`);
    await vi.waitFor(
      async () => {
        const now = await callStructured(client, 'get_parameters');
        expect(now.current).toMatchObject({ version: 3, createdBy: 'cli', parent: 2 });
        expect(now.current.params.dtms.breakevenR).toBe(oldR);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('stops on SIGINT with exit 0 and removes admin.json; stdout stays free of logs', async () => {
    const adminFile = path.join(dir.dir, 'admin.json');
    expect(existsSync(adminFile)).toBe(true);
    await client.close();
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(existsSync(adminFile)).toBe(false);
    expect(server.output().stdout).toBe('');
    // At log level warn nothing was worth a warning or an error in the whole run.
    expect(server.output().stderr).not.toMatch(/"level":(40|50|60)/);
    const after = await runUtp(['pending', '--data-dir', dir.dir]);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain('no running UTP server found');
  });
});
