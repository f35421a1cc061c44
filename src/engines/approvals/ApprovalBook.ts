/**
 * The approval book: the only path from a model's write request to a venue.
 * A request is validated by the gate (venue rules, risk state), stored bound
 * to the SHA-256 of its exact canonical parameters, and waits for a human.
 * Approval is single-use (compare-and-set on the status), expires, and is
 * re-checked at execution (parameters, trading state, price); an approved
 * request executes once, without the model calling again. Every step is one
 * append-only audit row. Nothing here lets a model approve: `approve` is
 * reached only from the admin endpoint, the CLI (through it) and MCP
 * elicitation answered by the human at the client.
 */
import type { Clock } from '../../core/index.js';
import { randomBytes } from 'node:crypto';
import { paramsHash } from './canonical.js';
import { executionVoid, hashMismatch, isExpired, statusRefusal } from './decide.js';
import type { ApprovalRecord, ApprovalsSettings, AuditInput, AuditKind, AuditLog, DecisionResult, RequestStore, SubmitResult, WriteAction, WriteGate } from './types.js';
import { DEFAULT_APPROVALS_SETTINGS } from './types.js';

/** Construction options of the book. */
export type ApprovalBookOptions = Readonly<{
  clock: Clock;
  requests: RequestStore;
  audit: AuditLog;
  gate: WriteGate;
  settings?: Partial<ApprovalsSettings>;
  /** Writes disabled: every submit is refused (and audited). */
  readOnly?: boolean;
  /** New request ids (default `apr_` + 16 random hex digits). */
  newId?: () => string;
  onError?: (error: unknown) => void;
}>;

/** Who submitted a request. */
export type RequestOrigin = Readonly<{ tool: string; sessionId?: string }>;

/** Who decides: `cli`, `admin-http`, `elicitation:<session>`, ... */
export type Decider = Readonly<{ by: string }>;

const TOOL_OF: Readonly<Record<WriteAction['kind'], string>> = {
  place_order: 'place_order',
  modify_position: 'modify_position',
  close_position: 'close_position',
  hedge_position: 'hedge_position',
  enroll_position: 'enroll_position',
  set_parameters: 'set_parameters',
};

/** Pending write requests, their approvals and executions, and the audit trail. */
export class ApprovalBook {
  readonly settings: ApprovalsSettings;
  readonly readOnly: boolean;
  private readonly newId: () => string;
  private sweepTimer: (() => void) | null = null;

  constructor(private readonly o: ApprovalBookOptions) {
    this.settings = { ...DEFAULT_APPROVALS_SETTINGS, ...(o.settings ?? {}) };
    this.readOnly = o.readOnly ?? false;
    this.newId = o.newId ?? (() => `apr_${randomBytes(8).toString('hex')}`);
  }

  /** Validates a write and stores it as a pending request (or refuses at once with the reason). Pre-approved reducing actions execute now. */
  async submit(action: WriteAction, origin: RequestOrigin): Promise<SubmitResult> {
    const actor = `model:${origin.tool}`;
    const tool = TOOL_OF[action.kind] ?? origin.tool;
    if (this.readOnly) return this.refuse(actor, 'writes are disabled (read-only mode): no write request can be made', { tool });
    const key = action.kind === 'place_order' ? action.idempotencyKey : null;
    const id = this.newId();
    let check;
    try {
      check = await this.o.gate.check(action, id);
    } catch (error) {
      this.o.onError?.(error);
      return this.refuse(actor, `validation failed: ${(error as Error)?.message ?? String(error)}`, { tool });
    }
    if (!check.ok) return this.refuse(actor, check.reason, { tool, action: { ...action } });
    const params = key === null && (action.kind === 'place_order' || action.kind === 'hedge_position') ? { ...check.params, idempotencyKey: `approval:${id}` } : check.params;
    const hash = paramsHash(action.kind, params);
    if (key !== null) {
      const earlier = this.o.requests.getByIdempotencyKey(key);
      if (earlier && earlier.hash === hash) return { accepted: true, request: this.get(earlier.id) ?? earlier };
      if (earlier) return this.refuse(actor, `idempotencyKey ${key} was already used by request ${earlier.id} with other parameters`, { tool, earlier: earlier.id });
    }
    const now = this.o.clock.now();
    const record: ApprovalRecord = {
      id,
      tool,
      kind: action.kind,
      params,
      hash,
      summary: check.summary,
      exposure: check.exposure,
      symbol: check.symbol,
      refPrice: check.refPrice,
      idempotencyKey: key,
      sessionId: origin.sessionId ?? null,
      status: 'pending',
      createdAt: now,
      expiresAt: now + this.settings.ttlMs,
      approvedBy: null,
      approvedAt: null,
      approvedHash: null,
      decidedAt: null,
      reason: null,
      outcome: null,
    };
    try {
      this.o.requests.insert(record);
    } catch (error) {
      // A concurrent call with the same idempotency key stored its request first: answer that one (or refuse on other parameters).
      const earlier = key === null ? null : this.o.requests.getByIdempotencyKey(key);
      if (!earlier) throw error;
      if (earlier.hash === hash) return { accepted: true, request: earlier };
      return this.refuse(actor, `idempotencyKey ${key} was already used by request ${earlier.id} with other parameters`, { tool, earlier: earlier.id });
    }
    this.log('requested', id, actor, check.summary, hash, { params, exposure: check.exposure, expiresAt: record.expiresAt, refPrice: check.refPrice });
    if (this.settings.preApproveReducing && check.exposure === 'reducing') {
      const done = await this.approve(id, { by: 'config:preApproveReducing' }, hash);
      return { accepted: true, request: done.request ?? record };
    }
    return { accepted: true, request: record };
  }

  /**
   * A human's approval of request `id`, optionally bound to the parameter
   * hash they were shown; executes the request at once and answers it with
   * its outcome. Refused (and audited) when unknown, already decided,
   * expired, or the parameters differ.
   */
  async approve(id: string, decider: Decider, hash: string | null = null): Promise<DecisionResult> {
    const r = this.o.requests.get(id);
    if (!r) return this.refuseDecision('approval_refused', id, decider.by, `unknown request ${id}`, null);
    const now = this.o.clock.now();
    if (r.status === 'pending' && isExpired(r, now)) return this.expire(r, decider.by, `approval refused: request ${id} expired at ${new Date(r.expiresAt).toISOString()}`);
    const refusal = statusRefusal(r);
    if (refusal !== null) return this.refuseDecision('approval_refused', id, decider.by, refusal, r);
    const mismatch = hashMismatch(r, hash);
    if (mismatch !== null) return this.void(r, 'pending', decider.by, mismatch);
    if (!this.o.requests.transition(id, 'pending', { status: 'approved', approvedBy: decider.by, approvedAt: now, approvedHash: hash ?? r.hash })) {
      return this.refuseDecision('approval_refused', id, decider.by, `request ${id} was decided concurrently`, this.o.requests.get(id));
    }
    this.log('approved', id, decider.by, r.summary, hash ?? r.hash, {});
    return this.execute(id, decider);
  }

  /** A human's denial of a pending request. */
  deny(id: string, decider: Decider, reason: string | null = null): DecisionResult {
    const r = this.o.requests.get(id);
    if (!r) return this.refuseDecision('approval_refused', id, decider.by, `unknown request ${id}`, null);
    if (r.status === 'pending' && isExpired(r, this.o.clock.now())) return this.expire(r, decider.by, `deny: request ${id} had already expired`);
    const refusal = statusRefusal(r);
    if (refusal !== null) return this.refuseDecision('approval_refused', id, decider.by, refusal, r);
    const why = reason ?? 'denied by a human';
    if (!this.o.requests.transition(id, 'pending', { status: 'denied', decidedAt: this.o.clock.now(), reason: why })) {
      return this.refuseDecision('approval_refused', id, decider.by, `request ${id} was decided concurrently`, this.o.requests.get(id));
    }
    this.log('denied', id, decider.by, why, r.hash, {});
    return { ok: true, request: this.o.requests.get(id) ?? r };
  }

  /**
   * Executes an approved request once: claims it (approved -> executing,
   * compare-and-set), re-checks it (`executionVoid`), then hands its stored
   * parameters to the gate. Any other status is refused and audited.
   */
  async execute(id: string, decider: Decider): Promise<DecisionResult> {
    const r = this.o.requests.get(id);
    if (!r) return this.refuseDecision('execution_refused', id, decider.by, `unknown request ${id}`, null);
    if (r.status !== 'approved') {
      const why = r.status === 'pending' ? `request ${id} is not approved` : (statusRefusal(r) ?? `request ${id} is ${r.status}`);
      return this.refuseDecision('execution_refused', id, decider.by, why, r);
    }
    if (!this.o.requests.transition(id, 'approved', { status: 'executing' })) {
      return this.refuseDecision('execution_refused', id, decider.by, `request ${id} is already executing (single-use)`, this.o.requests.get(id));
    }
    const now = this.o.clock.now();
    let voided: string | null;
    try {
      voided = executionVoid(r, now, this.o.gate.market(r.symbol), this.settings);
    } catch (error) {
      this.o.onError?.(error);
      voided = `cannot check the trading state and price: ${(error as Error)?.message ?? String(error)}`;
    }
    if (voided !== null) return this.void(r, 'executing', decider.by, voided);
    let outcome;
    try {
      outcome = await this.o.gate.execute(r.kind, r.params, id);
    } catch (error) {
      this.o.onError?.(error);
      outcome = { ok: false, message: `execution threw: ${(error as Error)?.message ?? String(error)}`, data: {} };
    }
    const status = outcome.ok ? 'executed' : 'failed';
    this.o.requests.transition(id, 'executing', { status, decidedAt: this.o.clock.now(), reason: outcome.message, outcome: { ok: outcome.ok, message: outcome.message, ...outcome.data } });
    this.log(status, id, 'system', outcome.message, r.hash, { ...outcome.data });
    const after = this.o.requests.get(id) ?? r;
    return outcome.ok ? { ok: true, request: after } : { ok: false, reason: outcome.message, request: after };
  }

  /** The request (a pending one past its window is marked expired first), or null. */
  get(id: string): ApprovalRecord | null {
    const r = this.o.requests.get(id);
    if (r && r.status === 'pending' && isExpired(r, this.o.clock.now())) this.expire(r, 'system', `request ${id} expired unapproved`);
    return this.o.requests.get(id);
  }

  /** Pending requests still in their window, oldest first (expiring the stale ones). */
  pending(limit = 100): ApprovalRecord[] {
    this.sweep();
    return [...this.o.requests.list({ status: 'pending', limit })];
  }

  /** The audit log, newest first. */
  audit(q: Readonly<{ requestId?: string; from?: number; beforeId?: number; limit: number }>): readonly ReturnType<AuditLog['append']>[] {
    return this.o.audit.query(q);
  }

  /** Marks every pending request past its window expired; answers how many. */
  sweep(): number {
    const now = this.o.clock.now();
    let n = 0;
    for (const r of this.o.requests.list({ status: 'pending', limit: 10_000 })) {
      if (isExpired(r, now)) {
        this.expire(r, 'system', `request ${r.id} expired unapproved`);
        n += 1;
      }
    }
    return n;
  }

  /** After a restart: approved requests that never executed are voided, executions cut short are failed (check the venue). */
  recover(): void {
    for (const r of this.o.requests.list({ status: 'approved', limit: 10_000 })) this.void(r, 'approved', 'system', 'server restarted before the approved request executed');
    for (const r of this.o.requests.list({ status: 'executing', limit: 10_000 })) {
      const why = 'server restarted while the request was executing: check the venue for its effect';
      if (this.o.requests.transition(r.id, 'executing', { status: 'failed', decidedAt: this.o.clock.now(), reason: why })) this.log('failed', r.id, 'system', why, r.hash, {});
    }
    this.sweep();
  }

  /** Sweeps expired requests every `everyMs` on the clock until `stop`. */
  start(everyMs = 1000): void {
    if (this.sweepTimer === null) this.sweepTimer = this.o.clock.setInterval(() => this.sweep(), everyMs);
  }

  /** Stops the sweep timer. */
  stop(): void {
    this.sweepTimer?.();
    this.sweepTimer = null;
  }

  private expire(r: ApprovalRecord, actor: string, detail: string): DecisionResult {
    if (this.o.requests.transition(r.id, 'pending', { status: 'expired', decidedAt: this.o.clock.now(), reason: detail })) this.log('expired', r.id, actor, detail, r.hash, { expiresAt: r.expiresAt });
    else this.log('approval_refused', r.id, actor, statusRefusal(this.o.requests.get(r.id) ?? r) ?? detail, r.hash, {});
    return { ok: false, reason: detail, request: this.o.requests.get(r.id) };
  }

  private void(r: ApprovalRecord, from: 'pending' | 'approved' | 'executing', actor: string, reason: string): DecisionResult {
    if (this.o.requests.transition(r.id, from, { status: 'voided', decidedAt: this.o.clock.now(), reason })) this.log('voided', r.id, actor, reason, r.hash, {});
    else this.log('approval_refused', r.id, actor, `request ${r.id} changed concurrently: ${reason}`, r.hash, {});
    return { ok: false, reason, request: this.o.requests.get(r.id) };
  }

  private refuse(actor: string, reason: string, data: Readonly<Record<string, unknown>>): SubmitResult {
    this.log('refused', null, actor, reason, null, data);
    return { accepted: false, reason };
  }

  private refuseDecision(kind: AuditKind, id: string, actor: string, reason: string, r: ApprovalRecord | null): DecisionResult {
    this.log(kind, id, actor, reason, r?.hash ?? null, r ? { status: r.status } : {});
    return { ok: false, reason, request: r };
  }

  private log(kind: AuditKind, requestId: string | null, actor: string, detail: string, hash: string | null, data: Readonly<Record<string, unknown>>): void {
    const entry: AuditInput = { ts: this.o.clock.now(), requestId, kind, actor, detail, hash, data };
    this.o.audit.append(entry);
  }
}
