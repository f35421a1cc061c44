/**
 * The pure decisions of the approval flow: may this request be approved now,
 * and may this approved request execute now. Each answers null (yes) or the
 * reason (no), from the record, the time and the market state alone.
 */
import { paramsHash } from './canonical.js';
import type { ApprovalRecord, ApprovalsSettings, MarketCheck } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Why a request in this status can no longer be approved (null for `pending`). */
export function statusRefusal(r: ApprovalRecord): string | null {
  switch (r.status) {
    case 'pending':
      return null;
    case 'approved':
    case 'executing':
    case 'executed':
    case 'failed':
      return `request ${r.id} was already approved${r.approvedBy ? ` by ${r.approvedBy}` : ''} (approvals are single-use; status ${r.status})`;
    case 'denied':
      return `request ${r.id} was denied${r.reason ? `: ${r.reason}` : ''}`;
    case 'expired':
      return `request ${r.id} expired at ${iso(r.expiresAt)}`;
    case 'voided':
      return `request ${r.id} was voided${r.reason ? `: ${r.reason}` : ''}`;
  }
}

/** True once a request's approval window has passed. */
export function isExpired(r: ApprovalRecord, now: number): boolean {
  return now >= r.expiresAt;
}

/**
 * Why approving with `givenHash` would bind the human to other parameters
 * than the request holds: the hash the human saw differs, or the stored
 * parameters no longer hash to the request's hash. Null when they agree.
 */
export function hashMismatch(r: ApprovalRecord, givenHash: string | null): string | null {
  const actual = paramsHash(r.kind, r.params);
  if (actual !== r.hash) return `parameters of ${r.id} changed after the request was made (hash ${actual.slice(0, 12)} is not ${r.hash.slice(0, 12)})`;
  if (givenHash !== null && givenHash !== r.hash) return `approved parameters differ from the request (hash ${givenHash.slice(0, 12)} is not ${r.hash.slice(0, 12)})`;
  return null;
}

/**
 * Why an approved request must not execute now, or null: approval window
 * passed, parameters differ from the approved hash, trading state no longer
 * active for an exposure-increasing action, or the price moved beyond the
 * configured deviation since the request.
 */
export function executionVoid(r: ApprovalRecord, now: number, market: MarketCheck, settings: ApprovalsSettings): string | null {
  if (r.approvedAt === null || r.approvedHash === null) return `request ${r.id} has no approval`;
  if (r.approvedAt > r.expiresAt || now > r.expiresAt) return `approval of ${r.id} expired at ${iso(r.expiresAt)} before it executed`;
  const actual = paramsHash(r.kind, r.params);
  if (actual !== r.approvedHash) return `parameters differ from what was approved (hash ${actual.slice(0, 12)} is not ${r.approvedHash.slice(0, 12)})`;
  if (r.exposure === 'increasing' && market.tradingState !== 'active') return `trading state is ${market.tradingState}: exposure-increasing ${r.kind} no longer allowed`;
  if (r.refPrice !== null && market.price !== null && r.refPrice > 0) {
    const move = Math.abs(market.price - r.refPrice) / r.refPrice;
    if (move > settings.maxPriceDeviation) {
      return `price moved ${(move * 100).toFixed(3)}% since the request (${r.refPrice} -> ${market.price}), more than the allowed ${(settings.maxPriceDeviation * 100).toFixed(3)}%`;
    }
  }
  if (r.refPrice !== null && market.price === null && r.symbol !== null) return `no current price for ${r.symbol} to compare with the request's ${r.refPrice}`;
  return null;
}

/** How a human approves or denies a request, for the tool answers. */
export function howToApprove(id: string, expiresAt: number): string {
  return (
    `A human must approve this outside the conversation before ${iso(expiresAt)}: run \`utp approve ${id}\` (or \`utp deny ${id}\`) ` +
    `on the machine running UTP (same --data-dir), or use the admin endpoint POST /admin/approvals/${id}/approve with the admin token. ` +
    `Once approved it executes by itself; call get_approval {"requestId":"${id}"} to see its status and outcome. No tool can approve it.`
  );
}
