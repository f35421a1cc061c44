/**
 * The write tools and the approval read tools over the real approval book
 * (paper venue priced at a recorded close, SQLite audit): a write answers a
 * pending request with how to approve it, a refusal answers its reason at
 * once, elicitation at the client may approve (never required), and
 * get_approval / get_audit_log show the outcome and the trail.
 */
import { describe, expect, it } from 'vitest';
import { getApproval, getAuditLog, WRITES_DISABLED } from '../../../src/tools/approvals/index.js';
import type { Confirmation, ToolCall, ToolContext, ToolDefinition } from '../../../src/tools/index.js';
import { closePosition, enrollPosition, hedgePosition, modifyPosition, placeOrder, setParameters } from '../../../src/tools/trading/write/index.js';
import { approvalsContext } from './context.js';

const WRITES = [placeOrder, modifyPosition, closePosition, hedgePosition, enrollPosition, setParameters] as unknown as ToolDefinition[];

async function call(t: unknown, args: unknown, ctx: ToolContext, c?: ToolCall): Promise<Record<string, any>> {
  const tool = t as ToolDefinition;
  const out = await tool.handler(tool.input.parse(args) as never, ctx, c);
  return tool.output.parse(out) as Record<string, any>;
}

describe('write tools', () => {
  it('are write-scoped, not read-only, destructive where they change positions, idempotent where a repeat changes nothing', () => {
    expect(WRITES.map((t) => [t.name, t.scope, t.annotations.readOnlyHint, t.annotations.destructiveHint, t.annotations.idempotentHint])).toEqual([
      ['place_order', 'write', false, true, false],
      ['modify_position', 'write', false, true, true],
      ['close_position', 'write', false, true, true],
      ['hedge_position', 'write', false, true, false],
      ['enroll_position', 'write', false, false, true],
      ['set_parameters', 'write', false, true, false],
    ]);
    expect([getApproval, getAuditLog].map((t) => [t.name, t.scope, t.annotations.readOnlyHint])).toEqual([['get_approval', 'read', true], ['get_audit_log', 'read', true]]);
  });

  it('place_order answers a pending request with summary, expiry and how to approve; nothing reaches the venue', async () => {
    const { rig, ctx, cleanup } = approvalsContext();
    const out = await call(placeOrder, { symbol: 'btcusd', side: 'buy', volume: 0.1, sl: 72500 }, ctx);
    expect(out.requestId).toMatch(/^apr_[0-9a-f]{16}$/);
    expect(out).toMatchObject({ status: 'pending', summary: 'BUY 0.1 BTCUSD at market (now 73039.79), SL 72500, TP none', expiresAt: '2024-03-14T00:03:00.000Z', reason: null, outcome: null });
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(out.howToApprove).toContain(`\`utp approve ${out.requestId}\``);
    expect(rig.venueTrades()).toBe(0);
    cleanup();
  });

  it('a refusal answers at once with its reason; without the approval book every write is refused', async () => {
    const { ctx, cleanup } = approvalsContext();
    expect(await call(placeOrder, { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 73100 }, ctx)).toMatchObject({ requestId: null, status: 'refused', reason: 'sl 73100 is on the wrong side of bid 73039.79' });
    expect(await call(closePosition, { ticket: 'P7' }, ctx)).toMatchObject({ status: 'refused', reason: 'no open position P7' });
    const none = { clock: ctx.clock } as unknown as ToolContext;
    for (const t of WRITES) {
      const args = t.name === 'place_order' ? { symbol: 'BTCUSD', side: 'buy', volume: 0.1 } : t.name === 'set_parameters' ? { changes: {}, reason: 'x' } : { ticket: 'P1' };
      expect(await call(t, args, none)).toMatchObject({ status: 'refused', reason: WRITES_DISABLED });
    }
    cleanup();
  });

  it('elicitation: accept executes, decline denies, cancel or a failing prompt leaves the request pending', async () => {
    const { rig, ctx, cleanup } = approvalsContext();
    const asked: string[] = [];
    const confirm = (answer: Confirmation | Error) => ({
      sessionId: 's1',
      confirm: async (message: string) => {
        asked.push(message);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    const args = { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500 };
    const accepted = await call(placeOrder, args, ctx, confirm({ action: 'accept', content: { approve: true } }));
    expect(accepted).toMatchObject({ status: 'executed', howToApprove: null, outcome: { ok: true, ticket: 'P1' } });
    expect(asked[0]).toMatch(new RegExp(`^UTP write request ${accepted.requestId} needs your approval:\nBUY 0.1 BTCUSD at market`));
    expect(rig.requests.get(accepted.requestId)?.approvedBy).toBe('elicitation:s1');
    expect(await call(placeOrder, args, ctx, confirm({ action: 'accept', content: { approve: false } }))).toMatchObject({ status: 'denied', reason: 'declined at the client' });
    expect(await call(placeOrder, args, ctx, confirm({ action: 'decline' }))).toMatchObject({ status: 'denied' });
    expect(await call(placeOrder, args, ctx, confirm({ action: 'cancel' }))).toMatchObject({ status: 'pending' });
    expect(await call(placeOrder, args, ctx, confirm(new Error('client went away')))).toMatchObject({ status: 'pending' });
    expect(rig.venueTrades()).toBe(1);
    cleanup();
  });

  it('modify, close, hedge, enroll and set_parameters build their requests', async () => {
    const { approvals, ctx, cleanup } = approvalsContext();
    const open = await call(placeOrder, { symbol: 'BTCUSD', side: 'sell', volume: 0.2, sl: 73500, tp: 72000 }, ctx);
    await approvals.book.approve(open.requestId, { by: 'cli' });
    expect((await call(modifyPosition, { ticket: 'P1', tp: null }, ctx)).summary).toBe('Modify P1 (sell 0.2 BTCUSD): SL 73500 -> 73500, TP 72000 -> none');
    expect((await call(closePosition, { ticket: 'P1', volume: 0.1 }, ctx)).summary).toBe('Close 0.1 of P1 (sell 0.2 BTCUSD)');
    expect((await call(hedgePosition, { ticket: 'P1' }, ctx)).summary).toBe('Hedge P1 (sell 0.2 BTCUSD): BUY 0.2 BTCUSD at market');
    expect((await call(enrollPosition, { ticket: 'P1' }, ctx)).summary).toBe('Enroll P1 (sell 0.2 BTCUSD, SL 73500) under DTMS and exits');
    expect(await call(setParameters, { changes: { dtms: { atrTrailK: 3 } }, reason: 'test' }, ctx)).toMatchObject({ status: 'refused', reason: 'parameters are not versioned in this server: set_parameters is unavailable' });
    cleanup();
  });
});

describe('get_approval and get_audit_log', () => {
  it('get_approval shows the outcome and the trail once a human approved', async () => {
    const { approvals, ctx, cleanup } = approvalsContext();
    const out = await call(placeOrder, { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500 }, ctx);
    const pending = await call(getApproval, { requestId: out.requestId }, ctx);
    expect(pending).toMatchObject({ available: true, found: true, request: { status: 'pending', approvedBy: null, howToApprove: expect.stringContaining('utp approve') } });
    await approvals.book.approve(out.requestId, { by: 'cli' }, out.hash);
    const done = await call(getApproval, { requestId: out.requestId }, ctx);
    expect(done.request).toMatchObject({ status: 'executed', approvedBy: 'cli', approvedAt: '2024-03-14T00:01:00.000Z', reason: 'buy 0.1 BTCUSD at 73039.79', outcome: { ok: true, sent: true, ticket: 'P1', retcode: 10009 }, howToApprove: null });
    expect(done.history.map((h: any) => [h.kind, h.actor])).toEqual([['requested', 'model:place_order'], ['approved', 'cli'], ['executed', 'system']]);
    expect(await call(getApproval, { requestId: 'nope' }, ctx)).toMatchObject({ available: true, found: false, reason: 'no request nope', request: null });
    expect(await call(getApproval, { requestId: 'x' }, { clock: ctx.clock } as unknown as ToolContext)).toMatchObject({ available: false, reason: WRITES_DISABLED });
    cleanup();
  });

  it('get_audit_log pages newest first with a cursor and filters by request and hours', async () => {
    const { rig, ctx, cleanup } = approvalsContext();
    const a = await call(placeOrder, { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 72500 }, ctx);
    rig.clock.advance(3_600_000);
    await call(placeOrder, { symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 73100 }, ctx);
    const b = await call(placeOrder, { symbol: 'BTCUSD', side: 'buy', volume: 0.2, sl: 72500 }, ctx);
    const page1 = await call(getAuditLog, { limit: 2 }, ctx);
    expect(page1.entries.map((e: any) => [e.id, e.kind])).toEqual([[3, 'requested'], [2, 'refused']]);
    expect(page1.nextCursor).toBe('a2');
    const page2 = await call(getAuditLog, { limit: 2, cursor: page1.nextCursor }, ctx);
    expect(page2).toMatchObject({ entries: [{ id: 1, kind: 'requested', requestId: a.requestId, actor: 'model:place_order' }], nextCursor: null });
    expect((await call(getAuditLog, { hoursBack: 0.5 }, ctx)).entries.map((e: any) => e.id)).toEqual([3, 2]);
    expect((await call(getAuditLog, { requestId: b.requestId }, ctx)).entries.map((e: any) => e.id)).toEqual([3]);
    await expect(call(getAuditLog, { cursor: 'zz' }, ctx)).rejects.toThrow(/invalid cursor "zz"/);
    expect(await call(getAuditLog, {}, { clock: ctx.clock } as unknown as ToolContext)).toMatchObject({ available: false, entries: [], nextCursor: null });
    cleanup();
  });
});
