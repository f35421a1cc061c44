/**
 * What every write tool shares: the answer shape (a pending request with how
 * a human approves it, or the reason it was refused at once) and the path
 * from arguments to the approval book, with the optional confirmation at the
 * client (MCP elicitation, never relied on).
 */
import * as z from 'zod';
import type { ToolAnnotations, ToolCall } from '../../defineTool.js';
import type { ToolContext } from '../../context.js';
import { WRITES_DISABLED, type ApprovalRequestView, type WriteRequest } from '../../approvals/view.js';

/** Output of every write tool. */
export const writeOutput = z.object({
  requestId: z.string().nullable().describe('Id of the pending request (give it to the human who approves it); null when refused at once'),
  status: z
    .enum(['pending', 'approved', 'executing', 'executed', 'failed', 'denied', 'expired', 'voided', 'refused'])
    .describe('pending = waiting for a human; refused = rejected at once by the venue rules, the risk state or read-only mode (see reason)'),
  summary: z.string().describe('What the request does, in words a human approves'),
  hash: z.string().nullable().describe('SHA-256 of the exact parameters the approval is bound to'),
  expiresAt: z.string().nullable().describe('When the request lapses unapproved, ISO 8601 UTC'),
  howToApprove: z.string().nullable().describe('How a human approves or denies it (the model cannot)'),
  reason: z.string().nullable().describe('Why it was refused, denied, voided or failed; null otherwise'),
  outcome: z.record(z.string(), z.unknown()).nullable().describe('Result of the execution once it ran (venue message, ticket, retcode), else null'),
});

/** Output of a write tool. */
export type WriteOutput = z.infer<typeof writeOutput>;

/** Annotations of a write tool. */
export const writeAnnotations = (destructive: boolean, idempotent: boolean): ToolAnnotations => ({ readOnlyHint: false, destructiveHint: destructive, idempotentHint: idempotent, openWorldHint: true });

/** Common sentence of every write tool's description. */
export const WRITE_NOTE =
  ' Nothing is sent at once: the call is validated against the venue rules and the risk state (a refusal answers at once with its reason), ' +
  'then becomes a pending request bound to a hash of its exact parameters that a human must approve outside the conversation ' +
  '(`utp approve ID`, the admin endpoint, or a confirmation prompt where the client supports it) before it expires. ' +
  'Once approved it executes by itself; poll get_approval with the requestId for the outcome. No tool can approve.';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The tool answer for a request. */
export function requestOutput(r: ApprovalRequestView, howToApprove: string | null): WriteOutput {
  return {
    requestId: r.id,
    status: r.status,
    summary: r.summary,
    hash: r.hash,
    expiresAt: iso(r.expiresAt),
    howToApprove: r.status === 'pending' ? howToApprove : null,
    reason: r.reason,
    outcome: r.outcome === null ? null : { ...r.outcome },
  };
}

/** Submits a write to the approval book and answers what became of it. */
export async function submitWrite(tool: string, request: WriteRequest, summary: string, ctx: ToolContext, call?: ToolCall): Promise<WriteOutput> {
  const book = ctx.approvals;
  const refused = (reason: string): WriteOutput => ({ requestId: null, status: 'refused', summary, hash: null, expiresAt: null, howToApprove: null, reason, outcome: null });
  if (!book) return refused(WRITES_DISABLED);
  const answer = await book.submit(request, { tool, ...(call?.sessionId ? { sessionId: call.sessionId } : {}) });
  if (!answer.accepted) return refused(answer.reason);
  let r = answer.request;
  if (r.status === 'pending' && call?.confirm) {
    try {
      r = (await book.confirmAtClient(r.id, call.confirm, call.sessionId ?? null)) ?? r;
    } catch {
      // Elicitation failed or was cancelled by the transport: the request stays pending for an out-of-band approval.
      r = book.get(r.id) ?? r;
    }
  }
  return requestOutput(r, book.howToApprove(r.id, r.expiresAt));
}

/** Input of a write on one position with an optional volume in lots (close, hedge); the field descriptions are the tool's. */
export function positionVolumeInput(ticket: string, volume: string) {
  return z.object({
    ticket: z.string().min(1).max(40).describe(ticket),
    volume: z.number().positive().optional().describe(volume),
  });
}

/** Handler of a write on one position with an optional volume: submits `kind` for the ticket (volume omitted = null, the tool's default), summarised as `<verb> <ticket>`. */
export function submitPositionVolume(kind: 'close_position' | 'hedge_position', verb: string) {
  return (a: Readonly<{ ticket: string; volume?: number | undefined }>, ctx: ToolContext, call?: ToolCall): Promise<WriteOutput> =>
    submitWrite(kind, { kind, ticket: a.ticket, volume: a.volume ?? null }, `${verb} ${a.ticket}`, ctx, call);
}
