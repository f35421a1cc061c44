/**
 * UTP with the OpenAI Agents SDK: an agent that reads the market through UTP's
 * MCP tools, with UTP launched as `utp mcp` over stdio (the same command
 * Claude Desktop runs).
 *
 * NOT INSTALLED WITH UTP. The Agents SDK (`@openai/agents`) needs openai 7 and
 * Node 22 (22.18+ runs this .ts file directly); UTP itself pins openai 6 and
 * supports Node 20, so the SDK is not a UTP dependency. To run this file, in a
 * separate folder (so UTP's own openai 6 is left alone):
 *
 *   mkdir utp-agent && cd utp-agent && npm init -y
 *   npm install @openai/agents zod
 *   cp /path/to/utp/examples/openai-agents.ts .
 *   export OPENAI_API_KEY=sk-...            # the Agents SDK calls OpenAI's Responses API
 *   export UTP_BIN=/path/to/utp/bin/utp.js   # where UTP is installed (default: ../bin/utp.js next to this file)
 *   node openai-agents.ts BTCUSD            # Node >= 22.18 (older 22.x: npx tsx openai-agents.ts BTCUSD)
 *
 * What happens: the SDK spawns `node $UTP_BIN mcp --data-dir ./data`, lists its
 * tools, and offers the model the read-only ones below. `utp mcp` serves write
 * tools only when started with --allow-writes, and even then every write only
 * files a request a human approves outside the conversation (`utp approve`).
 *
 * The SDK is imported inside main() so that UTP's test suite can import this
 * file's constants (and launch the same command line) without the SDK installed.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

/** UTP's read-only tools the agent may call (names are UTP's public contract; checked against UTP's registry by UTP's tests). */
export const READ_ONLY_TOOLS = [
  'get_market_state',
  'get_candles',
  'get_multi_timeframe',
  'get_system_status',
  'get_volatility_bridge',
  'get_structure',
  'get_offsets',
  'get_macro_context',
  'analyze_market',
  'get_analysis_history',
  'get_account',
  'get_positions',
  'get_dtms_status',
  'get_dtms_actions',
  'get_exit_plans',
  'get_risk_status',
];

/** What the agent is told: the same duties as `utp analyst`'s system prompt. */
export const INSTRUCTIONS = [
  "You are a trader's market analyst. Read the market only through UTP's tools; never invent a price.",
  'Start with get_market_state and get_multi_timeframe; use get_structure, get_volatility_bridge and analyze_market as needed.',
  'Before reasoning on any answer check asOf, ageMs, sources and gaps, and say when data is stale, partial or gapped.',
  'You give analysis, not orders. End with one line: "Bias: bullish", "Bias: bearish" or "Bias: neutral".',
].join('\n');

/** The command line that starts UTP's MCP server on stdio: `node <utp bin> mcp --data-dir <dir>`. */
export function utpServerParams(dataDir: string, utpBin: string = process.env.UTP_BIN ?? fileURLToPath(new URL('../bin/utp.js', import.meta.url))) {
  return {
    command: process.execPath,
    args: [utpBin, 'mcp', '--data-dir', dataDir],
    env: { ...(process.env as Record<string, string>), UTP_LOG_LEVEL: 'warn' },
  };
}

async function main(symbol: string): Promise<void> {
  const { Agent, run, MCPServerStdio, createMCPToolStaticFilter } = await import('@openai/agents');
  const utp = new MCPServerStdio({
    name: 'UTP',
    ...utpServerParams(process.env.UTP_DATA_DIR ?? './data'),
    cacheToolsList: true,
    toolFilter: createMCPToolStaticFilter({ allowed: READ_ONLY_TOOLS }),
  });
  await utp.connect();
  try {
    const agent = new Agent({
      name: 'UTP analyst',
      instructions: INSTRUCTIONS,
      model: process.env.OPENAI_MODEL ?? 'gpt-4.1-mini',
      mcpServers: [utp],
    });
    const result = await run(agent, `Analyse ${symbol} now.`, { maxTurns: 8 });
    process.stdout.write(`${result.finalOutput}\n`);
  } finally {
    await utp.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main((process.argv[2] ?? 'BTCUSD').toUpperCase()).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
