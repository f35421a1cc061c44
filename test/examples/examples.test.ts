/**
 * The host examples stay true to the code: the tool names they give are UTP's
 * real tools (the hosted-MCP example lists exactly the registry's read-only
 * tools), the Agents SDK example launches a command line that really starts
 * UTP's MCP server over stdio, and every `utp analyst` line in the local-model
 * guide passes the analyst's own flag checks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, describe, expect, it } from 'vitest';
import { ANALYST_CLI_OPTIONS, checkAnalystValues } from '../../src/server/cli/analystCommand.js';
import { ALL_TOOLS } from '../../src/tools/registry.js';
import { REPO_ROOT, requireBuild, tempDir, UTP_BIN } from '../integration/replayFixture.js';

const examples = path.join(REPO_ROOT, 'examples');
const read = (name: string) => readFileSync(path.join(examples, name), 'utf8');
const READ_TOOLS = ALL_TOOLS.filter((t) => t.scope === 'read').map((t) => t.name);
/** The Agents SDK example, loaded by path so tsc does not follow it into '@openai/agents' (not installed; see the file's header). */
type AgentsExample = {
  READ_ONLY_TOOLS: string[];
  INSTRUCTIONS: string;
  utpServerParams(dataDir: string): { command: string; args: string[]; env: Record<string, string> };
};
const loadAgentsExample = async (): Promise<AgentsExample> => (await import(path.join(examples, 'openai-agents.ts'))) as AgentsExample;
const toolNamesIn = (text: string) => [...new Set(text.match(/\b(?:get_[a-z_]+|analyze_market|place_order|modify_position|close_position|hedge_position|enroll_position|set_parameters|show_chart)\b/g) ?? [])];

describe('examples/openai-responses.md', () => {
  const md = read('openai-responses.md');

  it('lists exactly the registry read-only tools, in registry order', () => {
    for (const t of ALL_TOOLS.filter((x) => x.scope === 'read')) expect(t.annotations.readOnlyHint, t.name).toBe(true);
    const table = /<!-- read-only-tools:start -->([\s\S]*?)<!-- read-only-tools:end -->/.exec(md)?.[1] ?? '';
    const listed = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(READ_TOOLS);
  });

  it('keys require_approval on the read-only hint, and every pinned tool list equals the read-only tools', () => {
    expect(md).toContain('"require_approval": { "never": { "read_only": true } }');
    expect(md).toContain('require_approval: { never: { read_only: true } }');
    const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as Record<string, any>);
    const pinned = blocks.find((b) => b.type === 'mcp')!;
    expect(pinned.allowed_tools).toEqual(READ_TOOLS);
    expect(pinned.require_approval).toEqual({ never: { tool_names: READ_TOOLS } });
    expect(pinned.server_url).toMatch(/^https:\/\/.+\/mcp$/);
    expect(pinned.headers).toEqual({ Authorization: 'Bearer REPLACE_WITH_UTP_HTTP_TOKEN' });
  });

  it('names only tools UTP defines or DESIGN.md reserves (the write tools)', () => {
    const writes = ['place_order', 'modify_position', 'close_position', 'hedge_position', 'enroll_position', 'set_parameters'];
    for (const name of toolNamesIn(md)) expect([...READ_TOOLS, ...writes], name).toContain(name);
  });
});

describe('examples/openai-agents.ts', () => {
  const source = read('openai-agents.ts');
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('says the Agents SDK is not installed, needs Node 22 and openai 7, and how to install it', () => {
    expect(source).toMatch(/NOT INSTALLED WITH UTP/);
    expect(source).toMatch(/needs openai 7 and\s+\* Node 22/);
    expect(source).toContain('npm install @openai/agents zod');
    expect(source).toContain("await import('@openai/agents')");
  });

  it('allows only real read-only UTP tools and names no other', async () => {
    const example = await loadAgentsExample();
    expect(example.READ_ONLY_TOOLS.length).toBeGreaterThan(0);
    for (const name of example.READ_ONLY_TOOLS) expect(READ_TOOLS, name).toContain(name);
    for (const name of toolNamesIn(source)) expect(READ_TOOLS, name).toContain(name);
    expect(toolNamesIn(example.INSTRUCTIONS)).toEqual(['get_market_state', 'get_multi_timeframe', 'get_structure', 'get_volatility_bridge', 'analyze_market']);
  });

  it('launches `utp mcp` over stdio: the exact command line serves those tools, read-only', async () => {
    requireBuild();
    const example = await loadAgentsExample();
    const dir = tempDir('utp-agents-example-');
    cleanup.push(() => dir.remove());
    const params = example.utpServerParams(dir.dir);
    expect(params.command).toBe(process.execPath);
    expect(params.args).toEqual([UTP_BIN, 'mcp', '--data-dir', dir.dir]);
    expect(params.env.UTP_LOG_LEVEL).toBe('warn');
    const client = new Client({ name: 'agents-example-check', version: '1' });
    await client.connect(new StdioClientTransport({ command: params.command, args: params.args, env: params.env, stderr: 'ignore' }));
    cleanup.push(() => client.close());
    const tools = (await client.listTools()).tools;
    expect(tools.map((t) => t.name)).toEqual(READ_TOOLS);
    for (const name of example.READ_ONLY_TOOLS) {
      expect(tools.find((t) => t.name === name)?.annotations?.readOnlyHint, name).toBe(true);
    }
  }, 60_000);
});

describe('examples/local-llm.md', () => {
  const md = read('local-llm.md');
  /** The CLI's options as `utp analyst` sees them: the shared ones plus the analyst's own. */
  const options = {
    ...ANALYST_CLI_OPTIONS,
    symbol: { type: 'string' },
    'data-dir': { type: 'string' },
    config: { type: 'string' },
    'allow-writes': { type: 'boolean' },
    'log-level': { type: 'string' },
    mode: { type: 'string' },
    symbols: { type: 'string' },
    speed: { type: 'string' },
    replay: { type: 'string' },
  } as const;
  const lines = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).filter((l) => l.startsWith('utp analyst '));

  it('has analyst lines for Ollama, llama.cpp, LM Studio and OpenAI', () => {
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const bases = lines.map((l) => /--base-url (\S+)/.exec(l)?.[1] ?? null);
    expect(bases).toEqual(expect.arrayContaining(['http://127.0.0.1:11434/v1', 'http://127.0.0.1:8080/v1', 'http://127.0.0.1:1234/v1', null]));
  });

  it.each(lines.map((l) => [l]))('%s passes the analyst flag checks', (line) => {
    const words = [...line.slice('utp analyst '.length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
    const { values, positionals } = parseArgs({ args: words, options, allowPositionals: true, strict: true });
    expect(positionals).toEqual([]);
    const env = values['base-url'] ? {} : { OPENAI_API_KEY: 'sk-test' };
    const check = checkAnalystValues(values, env);
    expect(check.problems).toEqual([]);
    if (values['base-url']) expect(check.resolved?.note).toMatch(/placeholder key "sk-local-no-key"/);
  });
});
