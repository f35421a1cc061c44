/** Test context of the approval tools: the server factory's view over an approval rig (no test file, so importable). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LiveMarketView } from '../../../src/core/index.js';
import { approvalsConfigSchema, createApprovals } from '../../../src/server/approvals.js';
import type { ToolContext } from '../../../src/tools/index.js';
import { approvalRig } from '../../engines/approvals/harness.js';

/** The tools' context over an approval rig, through the server factory's view. */
export function approvalsContext(opts: { preApproveReducing?: boolean } = {}) {
  const rig = approvalRig({ autoEnroll: false });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-approvals-'));
  const live = {
    snapshot: () => ({ symbol: 'BTCUSD', lastTrade: null, lastQuote: { bid: rig.firstClose, ask: rig.firstClose, source: 'binance', tsEvent: 0, tsInit: 0 }, ticks: 1 }),
    gaps: () => ({ open: [], filled: 0, unfillable: [] }),
  } as unknown as LiveMarketView;
  const approvals = createApprovals({
    clock: rig.clock,
    db: rig.store.db,
    desk: { venue: rig.venue, risk: rig.risk, coordinator: rig.coordinator },
    live,
    config: approvalsConfigSchema.parse({ preApproveReducing: opts.preApproveReducing ?? false, adminToken: 'admin-token-0123456789' }),
    readOnly: false,
    dataDir: dir,
    rules: { BTCUSD: { symbol: 'BTCUSD', point: 0.01, digits: 2, stopsLevel: 100, volumeMin: 0.1, volumeMax: 5, volumeStep: 0.01, contractSize: 1 } },
  });
  const ctx = { clock: rig.clock, symbols: [], live, approvals: approvals.view } as unknown as ToolContext;
  return { rig, approvals, ctx, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

