import * as z from 'zod';
import { InvalidRequestError } from '../../core/index.js';
import { defineTool } from '../defineTool.js';
import { WRITES_DISABLED } from './view.js';

/** Most audit rows per page. */
export const MAX_AUDIT_ROWS = 500;

/** The append-only audit log of write requests, approvals, denials, expiries, voids and executions, paged newest first. */
export const getAuditLog = defineTool({
  name: 'get_audit_log',
  title: 'Audit log of write requests',
  description:
    'The append-only audit log of the approval flow, newest first: every write request, refusal, approval, denial, expiry, void and execution, with who caused it. ' +
    'Optionally of one request or of the last hours; paged with nextCursor.',
  input: z.object({
    requestId: z.string().min(1).max(64).optional().describe('Only the rows of this request'),
    hoursBack: z.number().positive().max(24 * 365).optional().describe('Only rows of the last N hours'),
    limit: z.number().int().min(1).max(MAX_AUDIT_ROWS).default(100).describe(`Rows per page (1..${MAX_AUDIT_ROWS}, default 100)`),
    cursor: z.string().max(40).optional().describe('nextCursor of the previous page'),
  }),
  output: z.object({
    available: z.boolean().describe('False when writes are disabled in this server'),
    reason: z.string().nullable().describe('Why nothing is available, null otherwise'),
    entries: z
      .array(
        z.object({
          id: z.number().int().describe('Row id, rising'),
          at: z.string().describe('ISO 8601 UTC'),
          requestId: z.string().nullable().describe('The request, null for a call refused before a request existed'),
          kind: z.string().describe('requested, refused, approved, denied, approval_refused, expired, voided, execution_refused, executed or failed'),
          actor: z.string().describe('Who caused it: model:<tool>, cli, admin-http, elicitation:<session>, config:preApproveReducing, system'),
          detail: z.string().describe('Summary or reason'),
          hash: z.string().nullable().describe('Parameter hash concerned, when one'),
          data: z.record(z.string(), z.unknown()).describe('Details (parameters, outcome)'),
        }),
      )
      .describe('Rows, newest first'),
    nextCursor: z.string().nullable().describe('Pass as cursor for older rows; null when this page is the last'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  scope: 'read',
  handler: (a, ctx) => {
    const book = ctx.approvals;
    if (!book) return { available: false, reason: WRITES_DISABLED, entries: [], nextCursor: null };
    let beforeId: number | undefined;
    if (a.cursor !== undefined) {
      if (!/^a\d+$/.test(a.cursor)) throw new InvalidRequestError(`invalid cursor "${a.cursor}": pass the nextCursor of a previous page`);
      beforeId = Number(a.cursor.slice(1));
    }
    const from = a.hoursBack === undefined ? undefined : ctx.clock.now() - a.hoursBack * 3_600_000;
    const rows = book.audit({ ...(a.requestId === undefined ? {} : { requestId: a.requestId }), ...(from === undefined ? {} : { from }), ...(beforeId === undefined ? {} : { beforeId }), limit: a.limit + 1 });
    const page = rows.slice(0, a.limit);
    const last = page[page.length - 1];
    return {
      available: true,
      reason: null,
      entries: page.map((e) => ({ id: e.id, at: new Date(e.ts).toISOString(), requestId: e.requestId, kind: e.kind, actor: e.actor, detail: e.detail, hash: e.hash, data: { ...e.data } })),
      nextCursor: rows.length > a.limit && last ? `a${last.id}` : null,
    };
  },
});
