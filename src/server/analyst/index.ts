export { ANALYST_SYSTEM_PROMPT, analystUserPrompt, parseBias } from './prompt.js';
export { offerTools, functionParameters, toolMessageContent, toolErrorContent, type McpToolInfo, type McpToolResult, type OfferedTools } from './functions.js';
export { runAnalystLoop, AnalystError, DEFAULT_MAX_ROUNDS, DEFAULT_MAX_TOOL_RESULT_CHARS, type AnalystLoopInput, type AnalystLoopResult, type AnalystToolCall } from './loop.js';
export { analystRecord, dataCheck, ANALYST_SOURCE, type AnalystDataCheck, type AnalystRecordMeta } from './record.js';
export { connectUtp, DEFAULT_UTP_URL, type ConnectOptions, type UtpConnection } from './connect.js';
export {
  openAnalyst,
  runAnalyst,
  DEFAULT_ANALYST_MODEL,
  type Analyst,
  type AnalystModelEndpoint,
  type AnalystOptions,
  type AnalystRunResult,
  type AnalystSummary,
} from './runAnalyst.js';
