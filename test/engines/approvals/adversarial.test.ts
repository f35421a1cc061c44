/**
 * The adversarial suite of issue 6: 10,000 generated write attempts that must
 * never reach the venue — no approval, a wrong id, a replayed approval, an
 * expired request, parameters altered after the request, read-only mode, the
 * reducing state, and concurrent double approval/execution of one request —
 * each leaving exactly one refusal row in the audit log. Paper venue priced
 * at a recorded close, TestClock, in-memory SQLite.
 */
import { describe, expect, it } from 'vitest';
import { ApprovalBook, paramsHash, type WriteAction } from '../../../src/engines/approvals/index.js';
import { approvalRig, type ApprovalRig } from './harness.js';

const ATTEMPTS = 10_000;
const CATEGORIES = ['no_approval', 'wrong_id', 'replayed', 'expired', 'altered', 'read_only', 'reducing', 'concurrent'] as const;
type Category = (typeof CATEGORIES)[number];
const REFUSALS = new Set(['refused', 'approval_refused', 'expired', 'voided', 'execution_refused']);

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('adversarial write attempts', () => {
  it(`${ATTEMPTS} generated attempts: zero unapproved executions, one refusal row each`, async () => {
    const rnd = prng(6);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const main = approvalRig();
    const readOnly = new ApprovalBook({ clock: main.clock, requests: main.requests, audit: main.audit, gate: main.gate, readOnly: true });
    const reducing = approvalRig({ settings: { ttlMs: 86_400_000 } });
    const price = main.firstClose;
    /** A valid random entry (volume 0.10..0.59, stops 1-3% away). */
    const entry = (): Extract<WriteAction, { kind: 'place_order' }> => {
      const side = rnd() < 0.5 ? 'buy' : 'sell';
      const d = Math.round(price * (0.01 + rnd() * 0.02));
      return { kind: 'place_order', symbol: 'BTCUSD', side, volume: (10 + Math.floor(rnd() * 50)) / 100, sl: side === 'buy' ? price - d : price + d, tp: side === 'buy' ? price + 2 * d : price - 2 * d, idempotencyKey: null };
    };
    const submit = async (rig: ApprovalRig, action: WriteAction) => {
      const s = await rig.book.submit(action, { tool: action.kind });
      if (!s.accepted) throw new Error(`setup refused: ${s.reason}`);
      return s.request;
    };
    const lastAuditId = (rig: ApprovalRig): number => rig.audit.query({ limit: 1 })[0]?.id ?? 0;

    // Setup, outside the count: a pool of legitimately executed requests (replay targets).
    const executed: string[] = [];
    for (let i = 0; i < 10; i++) {
      const req = await submit(main, entry());
      expect((await main.book.approve(req.id, { by: 'cli' }, req.hash)).ok).toBe(true);
      executed.push(req.id);
    }
    const plan: Category[] = Array.from({ length: ATTEMPTS }, () => pick(CATEGORIES));
    // Requests made while trading was active, approved only after the state moved to reducing.
    const beforeReducing: string[] = [];
    for (let i = 0; i < plan.filter((c) => c === 'reducing').length; i++) beforeReducing.push((await submit(reducing, entry())).id);
    reducing.forceReducing();
    const tradesBefore = main.venueTrades();

    const failures: string[] = [];
    const counts: Record<string, number> = {};
    let legitimate = 0;
    for (let n = 0; n < ATTEMPTS; n++) {
      const category = plan[n]!;
      counts[category] = (counts[category] ?? 0) + 1;
      let rig: ApprovalRig = main;
      let attack: () => Promise<unknown>;
      switch (category) {
        case 'no_approval': {
          const req = await submit(main, entry());
          attack = () => main.book.execute(req.id, { by: 'model' });
          break;
        }
        case 'wrong_id': {
          const id = pick([`apr_${Math.floor(rnd() * 1e9).toString(16)}`, "' OR 1=1 --", '../admin', '', `apr_${'f'.repeat(16)}`, 'APR_000001 ']);
          const how = pick(['approve', 'deny', 'execute'] as const);
          attack = () => (how === 'approve' ? main.book.approve(id, { by: 'cli' }) : how === 'deny' ? Promise.resolve(main.book.deny(id, { by: 'cli' })) : main.book.execute(id, { by: 'cli' }));
          break;
        }
        case 'replayed': {
          const id = pick(executed);
          attack = rnd() < 0.5 ? () => main.book.approve(id, { by: 'cli' }) : () => main.book.execute(id, { by: 'cli' });
          break;
        }
        case 'expired': {
          const req = await submit(main, entry());
          main.clock.advance(120_000 + Math.floor(rnd() * 60_000));
          attack = () => main.book.approve(req.id, { by: 'cli' }, req.hash);
          break;
        }
        case 'altered': {
          const req = await submit(main, entry());
          const altered = { ...req.params, volume: Number(req.params.volume) + 0.01 };
          if (rnd() < 0.5) {
            main.store.db.prepare('UPDATE approval_requests SET params_json = ? WHERE id = ?').run(JSON.stringify(altered), req.id);
            attack = () => main.book.approve(req.id, { by: 'cli' }, req.hash);
          } else {
            attack = () => main.book.approve(req.id, { by: 'cli' }, paramsHash('place_order', altered));
          }
          break;
        }
        case 'read_only':
          attack = () => readOnly.submit(entry(), { tool: 'place_order' });
          break;
        case 'reducing': {
          rig = reducing;
          const id = beforeReducing.pop()!;
          attack = rnd() < 0.5 ? () => reducing.book.submit(entry(), { tool: 'place_order' }) : () => reducing.book.approve(id, { by: 'cli' });
          break;
        }
        case 'concurrent': {
          const req = await submit(main, entry());
          legitimate += 1;
          attack = rnd() < 0.5
            ? () => Promise.all([main.book.approve(req.id, { by: 'cli' }), main.book.approve(req.id, { by: 'admin-http' })])
            : () => Promise.all([main.book.approve(req.id, { by: 'cli' }), main.book.execute(req.id, { by: 'model' })]);
          break;
        }
      }
      const before = lastAuditId(rig);
      const trades = rig.venueTrades();
      await attack();
      const rows = rig.audit.query({ limit: 10 }).filter((e) => e.id > before);
      const refusals = rows.filter((e) => REFUSALS.has(e.kind));
      const executions = rows.filter((e) => e.kind === 'executed').length;
      const expectedExecutions = category === 'concurrent' ? 1 : 0;
      if (refusals.length !== 1) failures.push(`#${n} ${category}: ${refusals.length} refusal rows (${rows.map((e) => e.kind).join(',')})`);
      if (executions !== expectedExecutions || rig.venueTrades() - trades !== expectedExecutions) failures.push(`#${n} ${category}: ${executions} executions`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(Object.keys(counts).sort()).toEqual([...CATEGORIES].sort());
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(ATTEMPTS);
    // Only the approved requests executed: the setup pool and one per concurrent pair; nothing in the reducing rig.
    expect(main.venueTrades() - tradesBefore).toBe(legitimate);
    expect(reducing.venueTrades()).toBe(0);
    expect(main.audit.query({ limit: 100_000 }).filter((e) => e.kind === 'executed')).toHaveLength(executed.length + legitimate);
  }, 120_000);
});
