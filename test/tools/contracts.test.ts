import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS, contractText, findTool, selectTools, toolContract, type ToolDefinition } from '../../src/tools/index.js';

const SCHEMAS = new URL('../../schemas/tools/', import.meta.url);
const REGENERATE = 'run `npm run schemas` and commit schemas/tools/';

type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
};

/**
 * Paths of every property (at any depth: nested objects, array items,
 * nullable/union branches, records, $defs) that has no description.
 */
function undescribedProperties(schema: JsonSchema, path = ''): string[] {
  const out: string[] = [];
  const visit = (s: JsonSchema | undefined, p: string) => {
    if (!s || typeof s !== 'object') return;
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const here = p === '' ? key : `${p}.${key}`;
      if (typeof sub.description !== 'string' || sub.description.trim() === '') out.push(here);
      visit(sub, here);
    }
    const items = Array.isArray(s.items) ? s.items : s.items ? [s.items] : [];
    for (const item of [...items, ...(s.prefixItems ?? [])]) visit(item, `${p}[]`);
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) visit(branch, p);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${p}{}`);
    for (const [name, def] of Object.entries(s.$defs ?? {})) visit(def, `$defs.${name}`);
  };
  visit(schema, path);
  return out;
}

function schemaOf(tool: ToolDefinition, which: 'inputSchema' | 'outputSchema'): JsonSchema {
  return toolContract(tool)[which] as JsonSchema;
}

/**
 * Properties known to lack a description (a src defect, reported): remove an
 * entry once its description is added. The test below fails when an entry is
 * fixed but still listed, so this list can only shrink.
 */
const KNOWN_UNDESCRIBED: Readonly<Record<string, readonly string[]>> = {};

describe('tool contracts (CI drift check)', () => {
  it('knows at least one tool', () => {
    expect(ALL_TOOLS.length).toBeGreaterThan(0);
  });

  describe.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s', (name, tool) => {
    it(`schemas/tools/${name}.json equals the zod definition byte for byte`, () => {
      const file = new URL(`${name}.json`, SCHEMAS);
      const expected = contractText(tool);
      if (!existsSync(file)) expect.fail(`schemas/tools/${name}.json is missing: ${REGENERATE}`);
      const actual = readFileSync(file, 'utf8');
      // Compare as a boolean first so the failure message is the instruction, not a 2 000-line diff.
      if (actual !== expected) {
        let at = 0;
        while (at < expected.length && actual[at] === expected[at]) at++;
        const line = expected.slice(0, at).split('\n').length;
        expect.fail(`schemas/tools/${name}.json has drifted from src/tools (first difference at line ${line}): ${REGENERATE}`);
      }
    });

    it('has a snake_case name under 64 characters, no dots, and a title and description', () => {
      expect(name).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
      expect(name.length).toBeLessThan(64);
      expect(name).not.toContain('.');
      expect(tool.title.trim()).not.toBe('');
      expect(tool.description.trim().length).toBeGreaterThan(20);
    });

    it('states all four annotation hints as booleans, and a read tool is read-only and not destructive', () => {
      expect(Object.keys(tool.annotations).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
      for (const value of Object.values(tool.annotations)) expect(typeof value).toBe('boolean');
      expect(['read', 'write']).toContain(tool.scope);
      if (tool.scope === 'read') expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      else expect(tool.annotations.readOnlyHint).toBe(false);
    });

    it('has object input and output schemas', () => {
      expect(schemaOf(tool, 'inputSchema').type).toBe('object');
      expect(schemaOf(tool, 'outputSchema').type).toBe('object');
    });

    it.each(['inputSchema', 'outputSchema'] as const)('describes every %s property at every depth', (which) => {
      const known = KNOWN_UNDESCRIBED[`${name}.${which}`] ?? [];
      const missing = undescribedProperties(schemaOf(tool, which));
      const unexpected = missing.filter((p) => !known.includes(p));
      if (unexpected.length > 0) expect.fail(`${name} ${which}: no description on ${unexpected.join(', ')}`);
      const fixed = known.filter((p) => !missing.includes(p));
      if (fixed.length > 0) expect.fail(`${name} ${which}: ${fixed.join(', ')} now described: remove from KNOWN_UNDESCRIBED`);
    });
  });

  it('holds no contract file for a tool that no longer exists', () => {
    const files = readdirSync(SCHEMAS).filter((f) => f.endsWith('.json'));
    const stale = files.filter((f) => !ALL_TOOLS.some((t) => `${t.name}.json` === f));
    if (stale.length > 0) expect.fail(`stale contracts ${stale.join(', ')} in schemas/tools/: delete them and ${REGENERATE}`);
  });

  it('has unique tool names', () => {
    expect(new Set(ALL_TOOLS.map((t) => t.name)).size).toBe(ALL_TOOLS.length);
  });

  it('lists tools in this exact order (tools/list is a public contract)', () => {
    expect(ALL_TOOLS.map((t) => t.name)).toEqual([
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
      'get_ticks',
      'get_audit_log',
      'get_parameters',
      'get_approval',
      'show_chart',
      'place_order',
      'modify_position',
      'close_position',
      'hedge_position',
      'enroll_position',
      'set_parameters',
    ]);
  });

  it('serves read tools always and write tools only when writes are allowed', () => {
    const read = ALL_TOOLS.filter((t) => t.scope === 'read');
    expect(selectTools({ allowWrites: false })).toEqual(read);
    expect(selectTools({ allowWrites: true })).toEqual(ALL_TOOLS);
    expect(findTool('get_candles')?.name).toBe('get_candles');
    expect(findTool('get.candles')).toBeUndefined();
  });
});

describe('undescribedProperties (the walker itself)', () => {
  it('finds missing descriptions in nested objects, array items, nullable branches and records', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        a: { type: 'string', description: 'ok' },
        b: { type: 'object', properties: { c: { type: 'number' } } },
        d: { type: 'array', description: 'list', items: { type: 'object', properties: { e: { type: 'number' } } } },
        f: { description: 'maybe', anyOf: [{ type: 'object', properties: { g: { type: 'string' } } }, { type: 'null' }] },
        h: { type: 'object', description: 'map', additionalProperties: { type: 'object', properties: { i: { type: 'integer' } } } },
      },
    };
    expect(undescribedProperties(schema)).toEqual(['b', 'b.c', 'd[].e', 'f.g', 'h{}.i']);
  });
});
