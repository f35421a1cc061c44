import type { ToolDefinition } from './defineTool.js';
import { getCandles } from './market/getCandles.js';
import { getMarketState } from './market/getMarketState.js';
import { getMultiTimeframe } from './market/getMultiTimeframe.js';
import { getSystemStatus } from './system/getSystemStatus.js';
import { getOffsets } from './market/getOffsets.js';
import { getStructure } from './market/getStructure.js';
import { getVolatilityBridge } from './market/getVolatilityBridge.js';
import { analyzeMarket } from './analysis/analyzeMarket.js';
import { getAnalysisHistory } from './analysis/getAnalysisHistory.js';
import { getMacroContext } from './analysis/getMacroContext.js';
import { getAccount, getDtmsActions, getDtmsStatus, getExitPlans, getPositions, getRiskStatus } from './trading/index.js';
import { getApproval, getAuditLog } from './approvals/index.js';
import { getParameters } from './params/getParameters.js';
import { getTicks } from './market/getTicks.js';
import { showChart } from './charts/showChart.js';
import { closePosition, enrollPosition, hedgePosition, modifyPosition, placeOrder, setParameters } from './trading/write/index.js';

/** Every tool UTP defines, in the order `tools/list` shows them. Names are a public contract. */
export const ALL_TOOLS: readonly ToolDefinition[] = [
  getMarketState, getCandles, getMultiTimeframe, getSystemStatus, getVolatilityBridge, getStructure, getOffsets, getMacroContext, analyzeMarket, getAnalysisHistory, getAccount, getPositions, getDtmsStatus, getDtmsActions, getExitPlans, getRiskStatus,
  getTicks,
  getAuditLog, getParameters, getApproval,
  showChart,
  placeOrder, modifyPosition, closePosition, hedgePosition, enrollPosition, setParameters,
] as never;

/** Options deciding which tools a server exposes. */
export type ToolSelection = Readonly<{ allowWrites: boolean }>;

/** The tools to serve: read tools always, write tools only when writes are enabled. */
export function selectTools(selection: ToolSelection): readonly ToolDefinition[] {
  return ALL_TOOLS.filter((t) => t.scope === 'read' || selection.allowWrites);
}

/** Looks a tool up by name. */
export function findTool(name: string): ToolDefinition | undefined {
  return ALL_TOOLS.find((t) => t.name === name);
}
