import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { WRITES_DISABLED } from './view.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Status and outcome of one write request, with its audit trail. */
export const getApproval = defineTool({
  name: 'get_approval',
  title: 'Status of a write request',
  description:
    'Status of a write request made by a write tool: pending (waiting for a human), executed or failed (with the venue outcome), denied, expired or voided (with the reason), ' +
    'and its audit trail oldest first. Poll it after a write tool answered pending. It cannot approve anything.',
  input: z.object({ requestId: z.string().min(1).max(64).describe('Request id a write tool answered') }),
  output: z.object({
    available: z.boolean().describe('False when writes are disabled in this server'),
    found: z.boolean().describe('False when no request has this id'),
    reason: z.string().nullable().describe('Why nothing is available or found; null otherwise'),
    request: z
      .object({
        requestId: z.string().describe('Request id'),
        tool: z.string().describe('Write tool that made it'),
        status: z.enum(['pending', 'approved', 'executing', 'executed', 'failed', 'denied', 'expired', 'voided']).describe('Current status'),
        summary: z.string().describe('What it does'),
        params: z.record(z.string(), z.unknown()).describe('The exact parameters it executes'),
        hash: z.string().describe('SHA-256 of the parameters the approval is bound to'),
        exposure: z.enum(['increasing', 'reducing', 'neutral']).describe('Effect on market exposure'),
        createdAt: z.string().describe('When it was requested, ISO 8601 UTC'),
        expiresAt: z.string().describe('When it lapses unapproved, ISO 8601 UTC'),
        approvedBy: z.string().nullable().describe('Who approved it (cli, admin-http, elicitation:..., config:preApproveReducing), null before'),
        approvedAt: z.string().nullable().describe('When it was approved, null before'),
        decidedAt: z.string().nullable().describe('When it reached its final status, null before'),
        reason: z.string().nullable().describe('Venue message, or why it was denied, expired or voided'),
        outcome: z.record(z.string(), z.unknown()).nullable().describe('Execution result (ok, message, ticket, retcode), null before'),
        howToApprove: z.string().nullable().describe('How a human approves it while pending, else null'),
      })
      .nullable()
      .describe('The request, null when not available or not found'),
    history: z
      .array(z.object({ at: z.string().describe('ISO 8601 UTC'), kind: z.string().describe('Audit event'), actor: z.string().describe('Who caused it'), detail: z.string().describe('What happened') }))
      .describe('Audit trail of the request, oldest first'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  scope: 'read',
  handler: (a, ctx) => {
    const book = ctx.approvals;
    if (!book) return { available: false, found: false, reason: WRITES_DISABLED, request: null, history: [] };
    const r = book.get(a.requestId);
    if (!r) return { available: true, found: false, reason: `no request ${a.requestId}`, request: null, history: [] };
    const history = [...book.audit({ requestId: r.id, limit: 200 })].reverse().map((e) => ({ at: iso(e.ts) ?? '', kind: e.kind, actor: e.actor, detail: e.detail }));
    return {
      available: true,
      found: true,
      reason: null,
      request: {
        requestId: r.id,
        tool: r.tool,
        status: r.status,
        summary: r.summary,
        params: { ...r.params },
        hash: r.hash,
        exposure: r.exposure,
        createdAt: iso(r.createdAt) ?? '',
        expiresAt: iso(r.expiresAt) ?? '',
        approvedBy: r.approvedBy,
        approvedAt: iso(r.approvedAt),
        decidedAt: iso(r.decidedAt),
        reason: r.reason,
        outcome: r.outcome === null ? null : { ...r.outcome },
        howToApprove: r.status === 'pending' ? book.howToApprove(r.id, r.expiresAt) : null,
      },
      history,
    };
  },
});
