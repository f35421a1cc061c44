/**
 * `utp approve ID`, `utp deny ID [--reason TEXT]` and `utp pending`: a human
 * decides on write requests of the running server through its admin endpoint,
 * found in `<dataDir>/admin.json` (written by the server on start). A refused
 * decision (unknown, already used, expired, voided, denied, or an execution
 * that failed) exits non-zero with the reason.
 */
import { readAdminFile, type AdminFile } from '../http/admin.js';

/** Where a command writes and how it reaches the server (tests pass their own). */
export type CommandIo = Readonly<{ out: (text: string) => void; err: (text: string) => void; fetch?: typeof fetch }>;

/** Exit codes: 0 done, 1 refused by the server (with the reason), 2 usage error or no running server. */
export const EXIT = { OK: 0, REFUSED: 1, USAGE: 2 } as const;

const STDIO: CommandIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

type Reply = { status: number; body: Record<string, any> };

async function call(admin: AdminFile, io: CommandIo, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
  const f = io.fetch ?? fetch;
  const res = await f(`${admin.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  let parsed: Record<string, any> = {};
  try {
    parsed = (await res.json()) as Record<string, any>;
  } catch {
    parsed = {};
  }
  return { status: res.status, body: parsed };
}

function locate(name: string, dataDir: string, io: CommandIo): AdminFile | null {
  const admin = readAdminFile(dataDir);
  if (!admin) io.err(`utp ${name}: no running UTP server found for data dir ${dataDir} (admin.json missing; start it with \`utp start\` or \`utp mcp\` and the same --data-dir)\n`);
  return admin;
}

async function reach<T>(name: string, admin: AdminFile, io: CommandIo, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    io.err(`utp ${name}: cannot reach the UTP server at ${admin.url}: ${(error as Error).message}\n`);
    return null;
  }
}

function describe(r: Record<string, any>): string {
  return `${r.id}  ${r.status}  ${r.summary}  (expires ${r.expiresAt}, hash ${String(r.hash).slice(0, 16)})`;
}

/** `utp approve ID`: shows the request, approves it bound to the parameter hash shown, and prints the execution outcome. */
export async function approveCommand(id: string | undefined, opts: Readonly<{ dataDir: string }>, io: CommandIo = STDIO): Promise<number> {
  if (!id) return (io.err('utp approve: missing request ID (see `utp pending`)\n'), EXIT.USAGE);
  const admin = locate('approve', opts.dataDir, io);
  if (!admin) return EXIT.USAGE;
  const path = `/admin/approvals/${encodeURIComponent(id)}`;
  const shown = await reach('approve', admin, io, () => call(admin, io, 'GET', path));
  if (!shown) return EXIT.USAGE;
  if (shown.status === 401) return (io.err('utp approve: the server refused the admin token (stale admin.json?)\n'), EXIT.USAGE);
  if (shown.status !== 200) return (io.err(`utp approve: refused: ${shown.body.reason ?? `HTTP ${shown.status}`}\n`), EXIT.REFUSED);
  const request = shown.body.request as Record<string, any>;
  io.out(`request ${describe(request)}\n`);
  const done = await reach('approve', admin, io, () => call(admin, io, 'POST', `${path}/approve`, { hash: request.hash, actor: 'cli' }));
  if (!done) return EXIT.USAGE;
  if (done.status === 200 && done.body.ok === true) {
    const r = done.body.request as Record<string, any>;
    io.out(`approved and ${r.status}: ${r.reason ?? ''}\n`);
    return EXIT.OK;
  }
  io.err(`utp approve: refused: ${done.body.reason ?? `HTTP ${done.status}`}\n`);
  return EXIT.REFUSED;
}

/** `utp deny ID [--reason TEXT]`: denies a pending request. */
export async function denyCommand(id: string | undefined, opts: Readonly<{ dataDir: string; reason?: string }>, io: CommandIo = STDIO): Promise<number> {
  if (!id) return (io.err('utp deny: missing request ID (see `utp pending`)\n'), EXIT.USAGE);
  const admin = locate('deny', opts.dataDir, io);
  if (!admin) return EXIT.USAGE;
  const body = { actor: 'cli', ...(opts.reason ? { reason: opts.reason } : {}) };
  const done = await reach('deny', admin, io, () => call(admin, io, 'POST', `/admin/approvals/${encodeURIComponent(id)}/deny`, body));
  if (!done) return EXIT.USAGE;
  if (done.status === 200 && done.body.ok === true) {
    io.out(`denied ${describe(done.body.request as Record<string, any>)}\n`);
    return EXIT.OK;
  }
  if (done.status === 401) return (io.err('utp deny: the server refused the admin token (stale admin.json?)\n'), EXIT.USAGE);
  io.err(`utp deny: refused: ${done.body.reason ?? `HTTP ${done.status}`}\n`);
  return EXIT.REFUSED;
}

/** `utp pending [--format json]`: lists the requests waiting for a decision. */
export async function pendingCommand(opts: Readonly<{ dataDir: string; format?: 'text' | 'json' }>, io: CommandIo = STDIO): Promise<number> {
  const admin = locate('pending', opts.dataDir, io);
  if (!admin) return EXIT.USAGE;
  const list = await reach('pending', admin, io, () => call(admin, io, 'GET', '/admin/approvals'));
  if (!list) return EXIT.USAGE;
  if (list.status !== 200) return (io.err(`utp pending: ${list.body.reason ?? `HTTP ${list.status}`}\n`), list.status === 401 ? EXIT.USAGE : EXIT.REFUSED);
  const pending = (list.body.pending ?? []) as Record<string, any>[];
  if (opts.format === 'json') io.out(`${JSON.stringify(pending, null, 2)}\n`);
  else if (pending.length === 0) io.out('no pending write requests\n');
  else io.out(`${pending.map(describe).join('\n')}\n\napprove with \`utp approve ID\`, deny with \`utp deny ID --reason TEXT\`\n`);
  return EXIT.OK;
}
