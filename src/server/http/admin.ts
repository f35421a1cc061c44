/**
 * The admin endpoint: how a human approves or denies write requests out of
 * band (`utp approve|deny|pending` call it). Under `/admin/`, guarded by its
 * own token (compared in constant time), never by the MCP bearer token, and
 * refusing any browser request (an Origin header) so a web page can never
 * reach it. Routes:
 *   GET  /admin/approvals               pending requests
 *   GET  /admin/approvals/ID            one request
 *   POST /admin/approvals/ID/approve    { hash?, actor? }  -> 200, or 404/409 with the reason
 *   POST /admin/approvals/ID/deny       { reason?, actor? }
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { ApprovalBook, ApprovalRecord, DecisionResult } from '../../engines/approvals/index.js';
import type { HttpRoute } from './app.js';
import { checkBearer } from './guards.js';

/** File in the data folder that tells the CLI where the running server's admin endpoint is. */
export const ADMIN_FILE = 'admin.json';

/** Content of `<dataDir>/admin.json`. */
export type AdminFile = Readonly<{ url: string; token: string }>;

const MAX_ADMIN_BODY = 16 * 1024;
const ACTOR_RE = /^(cli|admin-http)(:[\w.@-]{1,40})?$/;

/** Writes `<dataDir>/admin.json` ({url, token}) readable by the owner only (mode 0600). */
export function writeAdminFile(dataDir: string, file: AdminFile): string {
  const target = path.join(dataDir, ADMIN_FILE);
  // A fresh file created 0600 and renamed over the old one: the token is never readable by others, not even briefly.
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, target);
  return target;
}

/** Removes `<dataDir>/admin.json` when it still names `token` (another server may have replaced it since). */
export function removeAdminFile(dataDir: string, token: string): void {
  if (readAdminFile(dataDir)?.token === token) rmSync(path.join(dataDir, ADMIN_FILE), { force: true });
}

/** Reads `<dataDir>/admin.json`, or null when absent or malformed. */
export function readAdminFile(dataDir: string): AdminFile | null {
  try {
    const v = JSON.parse(readFileSync(path.join(dataDir, ADMIN_FILE), 'utf8')) as Partial<AdminFile>;
    return typeof v.url === 'string' && typeof v.token === 'string' ? { url: v.url, token: v.token } : null;
  } catch {
    return null;
  }
}

/** A request as the admin endpoint shows it. */
export function adminRequestJson(r: ApprovalRecord): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: r.id,
    tool: r.tool,
    status: r.status,
    summary: r.summary,
    params: r.params,
    hash: r.hash,
    exposure: r.exposure,
    createdAt: iso(r.createdAt),
    expiresAt: iso(r.expiresAt),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    decidedAt: iso(r.decidedAt),
    reason: r.reason,
    outcome: r.outcome,
  };
}

/** The admin route for the HTTP app (`ownAuth`: the MCP token does not open it; the admin token does). */
export function adminRoute(book: ApprovalBook, token: string): HttpRoute {
  if (token.length < 16) throw new Error('the admin token must be at least 16 characters');
  return {
    ownAuth: true,
    match: (p) => p === '/admin' || p.startsWith('/admin/'),
    handle: (req, res) => handleAdmin(book, token, req, res),
  };
}

async function handleAdmin(book: ApprovalBook, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers.origin !== undefined) return json(res, 403, { ok: false, reason: 'the admin endpoint refuses browser requests (Origin header present)' });
  if (!checkBearer(req, res, token)) return;
  const p = (req.url ?? '/').split('?')[0] ?? '/';
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent); // ['admin', 'approvals', id?, verb?]
  if (parts[1] !== 'approvals' || parts.length > 4) return json(res, 404, { ok: false, reason: `no admin route ${p}` });
  const method = req.method ?? 'GET';
  const id = parts[2];
  if (id === undefined) {
    if (method !== 'GET') return json(res, 405, { ok: false, reason: 'use GET' });
    return json(res, 200, { ok: true, pending: book.pending().map(adminRequestJson) });
  }
  const verb = parts[3];
  if (verb === undefined) {
    if (method !== 'GET') return json(res, 405, { ok: false, reason: 'use GET' });
    const r = book.get(id);
    return r ? json(res, 200, { ok: true, request: adminRequestJson(r) }) : json(res, 404, { ok: false, reason: `unknown request ${id}` });
  }
  if (method !== 'POST' || (verb !== 'approve' && verb !== 'deny')) return json(res, 405, { ok: false, reason: 'use POST /admin/approvals/ID/approve or /deny' });
  let body: Record<string, unknown>;
  try {
    body = await readBody(req);
  } catch (error) {
    return json(res, (error as Error).message.includes('too large') ? 413 : 400, { ok: false, reason: (error as Error).message });
  }
  const actor = typeof body.actor === 'string' && ACTOR_RE.test(body.actor) ? body.actor : 'admin-http';
  let result: DecisionResult;
  if (verb === 'approve') {
    const hash = typeof body.hash === 'string' && /^[0-9a-f]{64}$/.test(body.hash) ? body.hash : null;
    if (body.hash !== undefined && hash === null) return json(res, 400, { ok: false, reason: 'hash must be 64 lowercase hex digits' });
    result = await book.approve(id, { by: actor }, hash);
  } else {
    const reason = typeof body.reason === 'string' && body.reason.trim() !== '' ? body.reason.slice(0, 500) : null;
    result = book.deny(id, { by: actor }, reason);
  }
  if (result.ok) return json(res, 200, { ok: true, request: adminRequestJson(result.request) });
  return json(res, result.request === null ? 404 : 409, { ok: false, reason: result.reason, request: result.request ? adminRequestJson(result.request) : null });
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ADMIN_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('request body must be a JSON object');
  return v as Record<string, unknown>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
