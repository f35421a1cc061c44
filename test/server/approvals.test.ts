/**
 * The out-of-band approval path over real sockets: the admin route on the
 * HTTP app (own token, constant-time, no browser requests), admin.json, and
 * the `utp approve|deny|pending` command functions reaching it, with their
 * exit codes and reasons.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveCommand, denyCommand, pendingCommand, type CommandIo } from '../../src/server/cli/approvalsCommand.js';
import { startHttpApp, type HttpApp } from '../../src/server/http/app.js';
import { ADMIN_FILE, readAdminFile } from '../../src/server/http/admin.js';
import { approvalsConfigSchema } from '../../src/server/approvals.js';
import { approvalsContext } from '../tools/approvals/context.js';

const MCP_TOKEN = 'mcp-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789';

type Reply = { status: number; json: any };
function request(port: number, o: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: body ? JSON.parse(body) : null }));
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

function capture(): CommandIo & { text: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), text: () => out, errors: () => err };
}

describe('admin endpoint and approval commands', () => {
  let c: ReturnType<typeof approvalsContext>;
  let app: HttpApp;

  beforeAll(async () => {
    c = approvalsContext();
    app = await startHttpApp({ host: '127.0.0.1', port: 0, token: MCP_TOKEN, allowedHosts: [], tools: [], ctx: c.ctx, info: { name: 'utp', version: 't' }, onError: () => {}, routes: [c.approvals.route] });
    c.approvals.publish(app.url);
  });
  afterAll(async () => {
    await app?.close();
    c?.cleanup();
  });

  const place = async (sl = 72500) => {
    const s = await c.approvals.view.submit({ kind: 'place_order', symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl, tp: null, idempotencyKey: null }, { tool: 'place_order' });
    if (!s.accepted) throw new Error(s.reason);
    return s.request;
  };

  it('publishes admin.json {url, token} readable by the owner only', () => {
    const file = path.join(c.dir, ADMIN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: app.url, token: c.approvals.token });
    expect(readAdminFile(c.dir)).toEqual({ url: app.url, token: ADMIN_TOKEN });
  });

  it('wrong, missing or MCP token -> 401; a browser Origin or a foreign Host -> 403', async () => {
    const host = `127.0.0.1:${app.port}`;
    expect((await request(app.port, { path: '/admin/approvals', headers: { host } })).status).toBe(401);
    expect((await request(app.port, { path: '/admin/approvals', headers: { host, authorization: `Bearer ${ADMIN_TOKEN}x` } })).status).toBe(401);
    expect((await request(app.port, { path: '/admin/approvals', headers: { host, authorization: `Bearer ${MCP_TOKEN}` } })).status).toBe(401);
    expect((await request(app.port, { path: '/admin/approvals', headers: { host, authorization: `Bearer ${ADMIN_TOKEN}`, origin: `http://${host}` } })).status).toBe(403);
    expect((await request(app.port, { path: '/admin/approvals', headers: { host: 'evil.example', authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(403);
    // The admin token does not open /mcp either.
    expect((await request(app.port, { method: 'POST', path: '/mcp', headers: { host, authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{}' })).status).toBe(401);
    expect(await request(app.port, { path: '/admin/approvals', headers: { host, authorization: `Bearer ${ADMIN_TOKEN}` } })).toMatchObject({ status: 200, json: { ok: true } });
  });

  it('an oversized or malformed body is refused before any decision', async () => {
    const req = await place();
    const headers = { host: `127.0.0.1:${app.port}`, authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    expect((await request(app.port, { method: 'POST', path: `/admin/approvals/${req.id}/approve`, headers, body: JSON.stringify({ pad: 'x'.repeat(20_000) }) })).status).toBe(413);
    expect((await request(app.port, { method: 'POST', path: `/admin/approvals/${req.id}/approve`, headers, body: '{oops' })).status).toBe(400);
    expect((await request(app.port, { method: 'POST', path: `/admin/approvals/${req.id}/approve`, headers, body: '{"hash":"nothex"}' })).status).toBe(400);
    expect(c.approvals.book.get(req.id)?.status).toBe('pending');
    c.approvals.book.deny(req.id, { by: 'cli' });
  });

  it('utp pending lists, utp approve executes (exit 0), a second approve is refused (exit 1)', async () => {
    const req = await place();
    const p = capture();
    expect(await pendingCommand({ dataDir: c.dir }, p)).toBe(0);
    expect(p.text()).toContain(`${req.id}  pending  BUY 0.1 BTCUSD at market (now 73039.79), SL 72500, TP none`);
    const a = capture();
    expect(await approveCommand(req.id, { dataDir: c.dir }, a)).toBe(0);
    expect(a.text()).toMatch(new RegExp(`^request ${req.id}  pending  BUY 0.1 BTCUSD[^\\n]*\\napproved and executed: buy 0.1 BTCUSD at 73039.79\\n$`));
    expect(c.approvals.book.get(req.id)).toMatchObject({ status: 'executed', approvedBy: 'cli' });
    const again = capture();
    expect(await approveCommand(req.id, { dataDir: c.dir }, again)).toBe(1);
    expect(again.errors()).toBe(`utp approve: refused: request ${req.id} was already approved by cli (approvals are single-use; status executed)\n`);
    const none = capture();
    expect(await pendingCommand({ dataDir: c.dir, format: 'json' }, none)).toBe(0);
    expect(JSON.parse(none.text())).toEqual([]);
  });

  it('unknown, denied, expired and voided requests make utp approve exit 1 with the reason', async () => {
    const unknown = capture();
    expect(await approveCommand('apr_nope', { dataDir: c.dir }, unknown)).toBe(1);
    expect(unknown.errors()).toBe('utp approve: refused: unknown request apr_nope\n');
    const d = await place();
    const deny = capture();
    expect(await denyCommand(d.id, { dataDir: c.dir, reason: 'not now' }, deny)).toBe(0);
    expect(deny.text()).toContain(`denied ${d.id}  denied`);
    const afterDeny = capture();
    expect(await approveCommand(d.id, { dataDir: c.dir }, afterDeny)).toBe(1);
    expect(afterDeny.errors()).toBe(`utp approve: refused: request ${d.id} was denied: not now\n`);
    const denyAgain = capture();
    expect(await denyCommand(d.id, { dataDir: c.dir }, denyAgain)).toBe(1);
    const e = await place();
    c.rig.clock.advance(120_000);
    const expired = capture();
    expect(await approveCommand(e.id, { dataDir: c.dir }, expired)).toBe(1);
    expect(expired.errors()).toMatch(new RegExp(`^utp approve: refused: request ${e.id} expired at `));
    const v = await place();
    c.rig.store.db.prepare('UPDATE approval_requests SET params_json = ? WHERE id = ?').run(JSON.stringify({ ...v.params, volume: 2 }), v.id);
    const voided = capture();
    expect(await approveCommand(v.id, { dataDir: c.dir }, voided)).toBe(1);
    expect(voided.errors()).toMatch(new RegExp(`^utp approve: refused: parameters of ${v.id} changed after the request was made`));
    expect(c.approvals.book.get(v.id)?.status).toBe('voided');
    expect(c.rig.venue.positions()).toHaveLength(1);
  });

  it('usage errors and a missing server exit 2', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'utp-noadmin-'));
    const io = capture();
    expect(await approveCommand(undefined, { dataDir: c.dir }, io)).toBe(2);
    expect(await approveCommand('apr_1', { dataDir: empty }, io)).toBe(2);
    expect(await pendingCommand({ dataDir: empty }, io)).toBe(2);
    expect(io.errors()).toContain(`utp approve: no running UTP server found for data dir ${empty} (admin.json missing`);
    rmSync(empty, { recursive: true, force: true });
  });

  it('the standalone admin listener (for utp mcp) serves the same route and publishes itself', async () => {
    const other = approvalsContext();
    const server = await other.approvals.startAdminServer();
    expect(readAdminFile(other.dir)?.url).toBe(server.url);
    const s = await other.approvals.view.submit({ kind: 'place_order', symbol: 'BTCUSD', side: 'sell', volume: 0.1, sl: 73500, tp: null, idempotencyKey: null }, { tool: 'place_order' });
    expect(s.accepted).toBe(true);
    const io = capture();
    expect(await approveCommand(s.accepted ? s.request.id : '', { dataDir: other.dir }, io)).toBe(0);
    expect(other.rig.venue.positions()).toMatchObject([{ side: 'sell', volume: 0.1 }]);
    await server.close();
    other.cleanup();
  });

  it('the config section has the documented defaults', () => {
    expect(approvalsConfigSchema.parse({})).toEqual({ ttlMs: 120_000, maxPriceDeviation: 0.005, preApproveReducing: false });
    expect(approvalsConfigSchema.safeParse({ adminToken: 'short' }).success).toBe(false);
    expect(approvalsConfigSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});

describe('admin.json lifecycle', () => {
  it('stop() removes admin.json only while it still names this server', async () => {
    const a = approvalsContext();
    a.approvals.publish('http://127.0.0.1:1');
    expect(readAdminFile(a.dir)).toEqual({ url: 'http://127.0.0.1:1', token: ADMIN_TOKEN });
    a.approvals.stop();
    expect(readAdminFile(a.dir)).toBeNull();
    a.approvals.publish('http://127.0.0.1:2');
    writeFileSync(path.join(a.dir, ADMIN_FILE), JSON.stringify({ url: 'http://127.0.0.1:3', token: 'another-server-token-000' }));
    a.approvals.stop();
    expect(readAdminFile(a.dir)?.url).toBe('http://127.0.0.1:3');
    a.cleanup();
  });

  it('concurrent requests with one idempotency key store one request', async () => {
    const a = approvalsContext();
    const action = { kind: 'place_order', symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500, tp: null, idempotencyKey: 'same' } as const;
    const [x, y] = await Promise.all([a.approvals.view.submit(action, { tool: 'place_order' }), a.approvals.view.submit(action, { tool: 'place_order' })]);
    expect(x.accepted && y.accepted && x.request.id === y.request.id).toBe(true);
    expect(a.approvals.book.audit({ limit: 10 }).map((e) => e.kind)).toEqual(['requested']);
    a.cleanup();
  });
});
