/** Approval tools: read the status of write requests and the audit log (no tool approves). */
export * from './view.js';
export { getApproval } from './getApproval.js';
export { getAuditLog, MAX_AUDIT_ROWS } from './getAuditLog.js';
