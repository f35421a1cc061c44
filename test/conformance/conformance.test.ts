/**
 * MCP conformance: `@modelcontextprotocol/conformance` server scenarios
 * against UTP's HTTP endpoint (started as `utp start` would, replaying the
 * recording), with the expected-failures baseline. Fails on any unexpected
 * failure and on a baseline entry that passes (stale); the generic scenarios
 * must pass. json-schema-2020-12 needs a fixture tool, so UTP's own tool
 * schemas are checked for 2020-12 here with the same (2025-era) client SDK.
 */
import { readFileSync } from 'node:fs';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyHttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineScenarios, CONFORMANCE_BASELINE, runConformance, startConformanceTarget, type ConformanceTarget } from '../../scripts/conformance/run.js';

/** Scenarios that exercise no fixture and must pass. */
const GENERIC = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection', 'resources-list', 'resources-subscribe', 'resources-unsubscribe', 'prompts-list'];

describe('MCP conformance of the HTTP endpoint', () => {
  let target: ConformanceTarget;
  beforeAll(async () => {
    target = await startConformanceTarget();
  });
  afterAll(async () => target?.close());

  it('every baseline entry has a one-line reason, and no generic scenario is in it', () => {
    const lines = readFileSync(CONFORMANCE_BASELINE, 'utf8').split('\n').filter((l) => /^\s+-\s/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, line).toMatch(/^\s+-\s+[a-z0-9-]+\s+#\s+\S.{10,}$/);
    const names = baselineScenarios();
    expect(names).toHaveLength(lines.length);
    for (const g of GENERIC) expect(names).not.toContain(g);
  });

  it('all active server scenarios: the generic ones pass, every failure is an expected one, no stale entry', async () => {
    const run = await runConformance(target.url);
    expect(run.exitCode, run.output.slice(run.output.indexOf('=== SUMMARY'))).toBe(0);
    expect(run.output).toContain('Baseline check passed');
    for (const name of GENERIC) expect(run.results.get(name), name).toBe('passed');
    expect(run.results.size).toBeGreaterThanOrEqual(25);
  }, 120_000);

  it('json-schema-2020-12 (fixture tool absent: expected) and UTP tool schemas keep their 2020-12 dialect over the wire', async () => {
    const run = await runConformance(target.url, { scenario: 'json-schema-2020-12' });
    expect(run.exitCode, run.output).toBe(0);
    const client = new LegacyClient({ name: 'schema-check', version: '1' });
    await client.connect(new LegacyHttpTransport(new URL(target.url)));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('show_chart');
    for (const tool of tools) {
      expect(tool.inputSchema, tool.name).toMatchObject({ type: 'object', $schema: 'https://json-schema.org/draft/2020-12/schema' });
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object', $schema: 'https://json-schema.org/draft/2020-12/schema' });
    }
    await client.close();
  }, 60_000);
});
