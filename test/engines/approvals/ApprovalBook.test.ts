/**
 * The approval book over a paper venue priced at recorded BTCUSDT closes:
 * request, approval, execution, and every way an approval is refused or
 * voided, each with its audit rows.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, executionVoid, paramsHash, type ApprovalRecord } from '../../../src/engines/approvals/index.js';
import { approvalRig, KLINES, type ApprovalRig } from './harness.js';

const kinds = (r: ApprovalRig, requestId?: string) => [...r.book.audit({ ...(requestId ? { requestId } : {}), limit: 100 })].reverse().map((e) => e.kind);
const buy = { kind: 'place_order', symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500, tp: 74000, idempotencyKey: null } as const;
const origin = { tool: 'place_order' };

async function submitted(r: ApprovalRig, action: Parameters<ApprovalRig['book']['submit']>[0] = buy) {
  const s = await r.book.submit(action, origin);
  if (!s.accepted) throw new Error(`refused: ${s.reason}`);
  return s.request;
}

describe('canonical parameters', () => {
  it('sorts keys at every level and hashes {kind, params} with SHA-256', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'x' }], c: true }, u: undefined })).toBe('{"a":{"c":true,"d":[1,{"y":"x","z":null}]},"b":1}');
    expect(paramsHash('place_order', { volume: 0.1, symbol: 'BTCUSD' })).toBe(paramsHash('place_order', { symbol: 'BTCUSD', volume: 0.1 }));
    expect(paramsHash('place_order', { volume: 0.1 })).not.toBe(paramsHash('place_order', { volume: 0.11 }));
    expect(paramsHash('place_order', {})).toMatch(/^[0-9a-f]{64}$/);
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('request, approval, execution', () => {
  it('a place_order becomes a pending request bound to its hash; approval executes it once at the venue', async () => {
    const r = approvalRig();
    const req = await submitted(r);
    const params = { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500, tp: 74000, idempotencyKey: 'approval:apr_000001' };
    expect(req).toMatchObject({ id: 'apr_000001', status: 'pending', kind: 'place_order', params, exposure: 'increasing', symbol: 'BTCUSD', refPrice: 73039.79, expiresAt: r.clock.now() + 120_000 });
    expect(req.hash).toBe(paramsHash('place_order', params));
    expect(req.summary).toBe('BUY 0.1 BTCUSD at market (now 73039.79), SL 72500, TP 74000');
    expect(r.venueTrades()).toBe(0);
    const done = await r.book.approve(req.id, { by: 'cli' }, req.hash);
    expect(done.ok).toBe(true);
    expect(done.request).toMatchObject({ status: 'executed', approvedBy: 'cli', outcome: { ok: true, sent: true, ticket: 'P1', retcode: 10009 } });
    expect(r.venue.positions()).toMatchObject([{ ticket: 'P1', side: 'buy', volume: 0.1, openPrice: 73039.79, sl: 72500, tp: 74000, comment: 'utp:apr_000001' }]);
    expect(kinds(r, req.id)).toEqual(['requested', 'approved', 'executed']);
    const again = await r.book.approve(req.id, { by: 'cli' });
    expect(again).toMatchObject({ ok: false, reason: 'request apr_000001 was already approved by cli (approvals are single-use; status executed)' });
    expect(r.venueTrades()).toBe(1);
  });

  it('refuses at once, with the reason and one audit row, what the venue rules or the risk state forbid', async () => {
    const r = approvalRig();
    const cases: [Parameters<ApprovalRig['book']['submit']>[0], string][] = [
      [{ ...buy, symbol: 'EURUSD' }, 'unknown symbol EURUSD; tradable: BTCUSD'],
      [{ ...buy, volume: 0.105 }, 'volume 0.105 is not a multiple of step 0.01'],
      [{ ...buy, volume: 0.05 }, 'volume 0.05 below minimum 0.1'],
      [{ ...buy, sl: 73100 }, 'sl 73100 is on the wrong side of bid 73039.79'],
      [{ ...buy, sl: 73039 }, 'sl 73039 is closer than the stop level (100 points = 1) to 73039.79'],
      [{ kind: 'close_position', ticket: 'P9', volume: null }, 'no open position P9'],
    ];
    for (const [action, reason] of cases) expect(await r.book.submit(action, origin)).toEqual({ accepted: false, reason });
    r.forceReducing();
    const reducing = await r.book.submit(buy, origin);
    expect(reducing).toMatchObject({ accepted: false, reason: expect.stringMatching(/^denied by risk \(trading_state\): trading state reducing/) });
    expect(kinds(r)).toEqual(Array(7).fill('refused'));
    const ro = approvalRig({ readOnly: true });
    expect(await ro.book.submit(buy, origin)).toEqual({ accepted: false, reason: 'writes are disabled (read-only mode): no write request can be made' });
    expect(kinds(ro)).toEqual(['refused']);
    expect(r.venueTrades() + ro.venueTrades()).toBe(0);
  });

  it('an idempotency key answers the same request for the same parameters and refuses other parameters', async () => {
    const r = approvalRig();
    const a = await submitted(r, { ...buy, idempotencyKey: 'k-1' });
    expect(a.params.idempotencyKey).toBe('k-1');
    const b = await submitted(r, { ...buy, idempotencyKey: 'k-1' });
    expect(b.id).toBe(a.id);
    expect(await r.book.submit({ ...buy, volume: 0.2, idempotencyKey: 'k-1' }, origin)).toEqual({ accepted: false, reason: `idempotencyKey k-1 was already used by request ${a.id} with other parameters` });
    expect(kinds(r)).toEqual(['requested', 'refused']);
  });
});

describe('refused and voided approvals', () => {
  it('expires after the TTL: approve is refused with one expired row, later tries with approval_refused', async () => {
    const r = approvalRig();
    const req = await submitted(r);
    r.clock.advance(120_000);
    expect(await r.book.approve(req.id, { by: 'cli' })).toMatchObject({ ok: false, reason: `approval refused: request ${req.id} expired at 2024-03-14T00:03:00.000Z`, request: { status: 'expired' } });
    expect(await r.book.approve(req.id, { by: 'cli' })).toMatchObject({ ok: false, reason: `request ${req.id} expired at 2024-03-14T00:03:00.000Z` });
    expect(kinds(r, req.id)).toEqual(['requested', 'expired', 'approval_refused']);
    expect(r.venueTrades()).toBe(0);
  });

  it('the sweep expires requests on the clock; a configured TTL applies', async () => {
    const r = approvalRig({ settings: { ttlMs: 10_000 } });
    const req = await submitted(r);
    r.book.start(1000);
    r.clock.advance(9_999);
    expect(r.book.get(req.id)?.status).toBe('pending');
    r.clock.advance(1);
    expect(r.requests.get(req.id)?.status).toBe('expired');
    r.book.stop();
  });

  it('deny: the request is closed; approving it afterwards is refused', async () => {
    const r = approvalRig();
    const req = await submitted(r);
    expect(r.book.deny(req.id, { by: 'cli' }, 'too large')).toMatchObject({ ok: true, request: { status: 'denied', reason: 'too large' } });
    expect(await r.book.approve(req.id, { by: 'cli' })).toMatchObject({ ok: false, reason: `request ${req.id} was denied: too large` });
    expect(kinds(r, req.id)).toEqual(['requested', 'denied', 'approval_refused']);
  });

  it('voids an approval bound to other parameters: a different hash, or parameters altered in the store', async () => {
    const r = approvalRig();
    const a = await submitted(r);
    const v1 = await r.book.approve(a.id, { by: 'cli' }, paramsHash('place_order', { ...a.params, volume: 0.2 }));
    expect(v1).toMatchObject({ ok: false, request: { status: 'voided' }, reason: expect.stringMatching(/^approved parameters differ from the request/) });
    const b = await submitted(r);
    r.store.db.prepare('UPDATE approval_requests SET params_json = ? WHERE id = ?').run(JSON.stringify({ ...b.params, volume: 5 }), b.id);
    const v2 = await r.book.approve(b.id, { by: 'cli' }, b.hash);
    expect(v2).toMatchObject({ ok: false, request: { status: 'voided' }, reason: expect.stringMatching(/^parameters of apr_000002 changed after the request was made/) });
    expect(kinds(r)).toEqual(['requested', 'voided', 'requested', 'voided']);
    expect(r.venueTrades()).toBe(0);
  });

  it('voids an exposure-increasing approval when the state moved to reducing; a close still executes', async () => {
    const r = approvalRig();
    const open = await submitted(r);
    await r.book.approve(open.id, { by: 'cli' });
    const more = await submitted(r);
    const close = await submitted(r, { kind: 'close_position', ticket: 'P1', volume: null });
    expect(close).toMatchObject({ exposure: 'reducing', summary: 'Close all of P1 (buy 0.1 BTCUSD)' });
    r.forceReducing();
    expect(await r.book.approve(more.id, { by: 'cli' })).toMatchObject({ ok: false, reason: 'trading state is reducing: exposure-increasing place_order no longer allowed', request: { status: 'voided' } });
    expect(await r.book.approve(close.id, { by: 'cli' })).toMatchObject({ ok: true, request: { status: 'executed' } });
    expect(r.venue.positions()).toEqual([]);
    expect(r.venue.deals()).toHaveLength(1);
  });

  it('voids an approval when the price moved more than the allowed deviation (recorded 00:00 -> 01:04 close, -0.558%)', async () => {
    const r = approvalRig({ settings: { ttlMs: 2 * 3_600_000 } });
    const req = await submitted(r);
    r.setPrice(KLINES[1]!.close);
    const near = await submitted(r);
    r.setPrice(KLINES[64]!.close);
    expect(await r.book.approve(req.id, { by: 'cli' })).toMatchObject({
      ok: false,
      reason: 'price moved 0.558% since the request (73039.79 -> 72632), more than the allowed 0.500%',
    });
    r.setPrice(KLINES[1]!.close);
    expect(await r.book.approve(near.id, { by: 'cli' })).toMatchObject({ ok: true, request: { status: 'executed' } });
  });

  it('concurrent approvals and executions of one request execute it exactly once', async () => {
    const r = approvalRig();
    const req = await submitted(r);
    const results = await Promise.all([r.book.approve(req.id, { by: 'cli' }), r.book.approve(req.id, { by: 'admin-http' }), r.book.execute(req.id, { by: 'x' }), r.book.execute(req.id, { by: 'y' })]);
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    expect(r.venueTrades()).toBe(1);
    expect(kinds(r, req.id).sort()).toEqual(['approval_refused', 'approved', 'executed', 'execution_refused', 'execution_refused', 'requested']);
  });

  it('the pure execution check: halted voids an increasing action, not a reducing one', () => {
    const base = { id: 'x', kind: 'place_order', params: {}, hash: paramsHash('place_order', {}), approvedHash: paramsHash('place_order', {}), approvedAt: 0, expiresAt: 1000, refPrice: null, symbol: null } as unknown as ApprovalRecord;
    const s = { ttlMs: 1000, maxPriceDeviation: 0.005, preApproveReducing: false };
    expect(executionVoid({ ...base, exposure: 'increasing' }, 10, { tradingState: 'halted', price: null }, s)).toBe('trading state is halted: exposure-increasing place_order no longer allowed');
    expect(executionVoid({ ...base, exposure: 'reducing' }, 10, { tradingState: 'halted', price: null }, s)).toBeNull();
    expect(executionVoid({ ...base, exposure: 'reducing' }, 1001, { tradingState: 'active', price: null }, s)).toBe('approval of x expired at 1970-01-01T00:00:01.000Z before it executed');
  });
});

describe('the other write kinds', () => {
  it('modify (tighter stop = reducing, wider = increasing), partial close, hedge and enroll execute after approval', async () => {
    const r = approvalRig({ autoEnroll: false });
    const open = await submitted(r);
    await r.book.approve(open.id, { by: 'cli' });
    const tighter = await submitted(r, { kind: 'modify_position', ticket: 'P1', sl: 72800 });
    expect(tighter).toMatchObject({ exposure: 'reducing', params: { ticket: 'P1', symbol: 'BTCUSD', side: 'buy', sl: 72800, tp: 74000 } });
    const wider = await submitted(r, { kind: 'modify_position', ticket: 'P1', sl: 72000 });
    expect(wider.exposure).toBe('increasing');
    expect(await r.book.submit({ kind: 'modify_position', ticket: 'P1', sl: 72500, tp: 74000 }, origin)).toEqual({ accepted: false, reason: 'nothing to change: P1 already has SL 72500 and TP 74000' });
    expect((await r.book.approve(tighter.id, { by: 'cli' })).ok).toBe(true);
    expect(r.venue.positions()[0]).toMatchObject({ sl: 72800, tp: 74000 });
    const hedge = await submitted(r, { kind: 'hedge_position', ticket: 'P1', volume: null });
    expect(hedge).toMatchObject({ exposure: 'increasing', params: { ticket: 'P1', side: 'sell', volume: 0.1, idempotencyKey: `approval:${hedge.id}` } });
    expect((await r.book.approve(hedge.id, { by: 'cli' })).ok).toBe(true);
    expect(r.venue.positions().map((p) => [p.ticket, p.side, p.comment])).toEqual([['P1', 'buy', 'utp:apr_000001'], ['P2', 'sell', 'hedge:P1']]);
    expect(await r.book.submit({ kind: 'enroll_position', ticket: 'P2' }, origin)).toEqual({ accepted: false, reason: 'P2 has no stop: DTMS needs one to define R' });
    const enroll = await submitted(r, { kind: 'enroll_position', ticket: 'P1' });
    expect(enroll.exposure).toBe('neutral');
    expect(await r.book.approve(enroll.id, { by: 'cli' })).toMatchObject({ ok: true, request: { outcome: { phase: 'monitoring' } } });
    expect(await r.book.submit({ kind: 'enroll_position', ticket: 'P1' }, origin)).toEqual({ accepted: false, reason: 'P1 is already managed by DTMS (phase monitoring)' });
    expect(await r.book.submit({ kind: 'close_position', ticket: 'P1', volume: 0.05 }, origin)).toEqual({ accepted: false, reason: 'volume 0.05 below minimum 0.1' });
  });

  it('pre-approval by config executes exposure-reducing actions at once, and only those', async () => {
    const r = approvalRig({ settings: { preApproveReducing: true } });
    const open = await submitted(r, { ...buy, volume: 0.3 });
    expect(open.status).toBe('pending');
    await r.book.approve(open.id, { by: 'cli' });
    const tighter = await submitted(r, { kind: 'modify_position', ticket: 'P1', sl: 72800 });
    expect(tighter).toMatchObject({ status: 'executed', approvedBy: 'config:preApproveReducing' });
    const partial = await submitted(r, { kind: 'close_position', ticket: 'P1', volume: 0.1 });
    expect(partial).toMatchObject({ status: 'executed', summary: 'Close 0.1 of P1 (buy 0.3 BTCUSD)' });
    expect(r.venue.positions()[0]).toMatchObject({ volume: 0.2, sl: 72800 });
    expect((await submitted(r, { kind: 'modify_position', ticket: 'P1', sl: 72000 })).status).toBe('pending');
    expect((await submitted(r, { kind: 'modify_position', ticket: 'P1', tp: 75000 })).status).toBe('pending');
    expect(kinds(r, tighter.id)).toEqual(['requested', 'approved', 'executed']);
    expect(r.book.audit({ requestId: tighter.id, limit: 5 })[1]?.actor).toBe('config:preApproveReducing');
  });

  it('set_parameters: validated by the parameters port first, applied as version approval:<id> after approval', async () => {
    const applied: unknown[] = [];
    const parameters = {
      validate: async (c: Readonly<Record<string, unknown>>) => ('dtms' in c ? { ok: true as const, summary: 'dtms.atrTrailK 2 -> 3' } : { ok: false as const, reasons: ['unknown section foo'] }),
      apply: async (c: Readonly<Record<string, unknown>>, by: string, reason: string) => (applied.push([c, by, reason]), { version: 2, active: true }),
    };
    const r = approvalRig({ parameters });
    expect(await r.book.submit({ kind: 'set_parameters', changes: { foo: 1 }, reason: 'x' }, origin)).toEqual({ accepted: false, reason: 'parameter change refused: unknown section foo' });
    const req = await submitted(r, { kind: 'set_parameters', changes: { dtms: { atrTrailK: 3 } }, reason: 'wider trail' });
    expect(req).toMatchObject({ exposure: 'neutral', symbol: null, summary: 'Change parameters: dtms.atrTrailK 2 -> 3 (reason: wider trail)' });
    expect(await r.book.approve(req.id, { by: 'cli' })).toMatchObject({ ok: true, request: { status: 'executed', reason: 'parameters version 2 in effect' } });
    expect(applied).toEqual([[{ dtms: { atrTrailK: 3 } }, `approval:${req.id}`, 'wider trail']]);
    const none = approvalRig();
    expect(await none.book.submit({ kind: 'set_parameters', changes: { dtms: {} }, reason: 'x' }, origin)).toMatchObject({ accepted: false, reason: 'parameters are not versioned in this server: set_parameters is unavailable' });
  });

  it('recover() after a restart voids approved-but-unexecuted requests and fails interrupted executions', async () => {
    const r = approvalRig();
    const a = await submitted(r);
    const b = await submitted(r);
    r.requests.transition(a.id, 'pending', { status: 'approved', approvedBy: 'cli', approvedAt: r.clock.now(), approvedHash: a.hash });
    r.requests.transition(b.id, 'pending', { status: 'executing' });
    r.book.recover();
    expect(r.requests.get(a.id)).toMatchObject({ status: 'voided', reason: 'server restarted before the approved request executed' });
    expect(r.requests.get(b.id)?.status).toBe('failed');
    expect(r.venueTrades()).toBe(0);
  });
});

describe('the audit table is append-only', () => {
  it('UPDATE and DELETE are refused by triggers', async () => {
    const r = approvalRig();
    await submitted(r);
    expect(() => r.store.db.prepare("UPDATE approval_audit SET detail = 'x'").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => r.store.db.prepare('DELETE FROM approval_audit').run()).toThrow(/append-only: DELETE refused/);
    expect(r.audit.count()).toBe(1);
  });
});

describe('failures inside the gate', () => {
  it('a throwing validation is a refusal; a throwing market check voids; a throwing execution fails — never stuck, always audited', async () => {
    const r = approvalRig();
    const { ApprovalBook } = await import('../../../src/engines/approvals/index.js');
    let mode: 'check' | 'market' | 'execute' | null = null;
    const gate = {
      check: (a: Parameters<typeof r.gate.check>[0], id: string) => (mode === 'check' ? Promise.reject(new Error('validator down')) : r.gate.check(a, id)),
      market: (s: string | null) => {
        if (mode === 'market') throw new Error('venue unreachable');
        return r.gate.market(s);
      },
      execute: (k: string, p: Readonly<Record<string, unknown>>, id: string) => (mode === 'execute' ? Promise.reject(new Error('socket closed')) : r.gate.execute(k, p, id)),
    };
    const errors: unknown[] = [];
    const book = new ApprovalBook({ clock: r.clock, requests: r.requests, audit: r.audit, gate, onError: (e) => errors.push(e) });
    mode = 'check';
    expect(await book.submit(buy, origin)).toEqual({ accepted: false, reason: 'validation failed: validator down' });
    mode = null;
    const a = (await book.submit(buy, origin)) as { accepted: true; request: { id: string } };
    const b = (await book.submit({ ...buy, volume: 0.2 }, origin)) as { accepted: true; request: { id: string } };
    mode = 'market';
    expect(await book.approve(a.request.id, { by: 'cli' })).toMatchObject({ ok: false, reason: 'cannot check the trading state and price: venue unreachable', request: { status: 'voided' } });
    mode = 'execute';
    expect(await book.approve(b.request.id, { by: 'cli' })).toMatchObject({ ok: false, reason: 'execution threw: socket closed', request: { status: 'failed' } });
    expect(errors).toHaveLength(3);
    expect(kinds(r)).toEqual(['refused', 'requested', 'requested', 'approved', 'voided', 'approved', 'failed']);
    expect(r.venueTrades()).toBe(0);
  });
});
