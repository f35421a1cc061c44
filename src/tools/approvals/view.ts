/**
 * What the approval tools read and ask (placeholder: the approvals work defines
 * the full contract here). Absent from the tool context = writes are disabled.
 */
export type ApprovalsView = Readonly<Record<string, unknown>>;
