/**
 * The approval and write tools meet the catalogue's contract rules before the
 * lead registers them: snake_case names, object schemas with a description on
 * every property at every depth, all four annotation hints.
 */
import { describe, expect, it } from 'vitest';
import { getApproval, getAuditLog } from '../../../src/tools/approvals/index.js';
import { toolContract, type ToolDefinition } from '../../../src/tools/index.js';
import { closePosition, enrollPosition, hedgePosition, modifyPosition, placeOrder, setParameters } from '../../../src/tools/trading/write/index.js';

type JsonSchema = { description?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean; type?: string };

function undescribed(s: JsonSchema | undefined, p = ''): string[] {
  if (!s || typeof s !== 'object') return [];
  const out: string[] = [];
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    const here = p === '' ? k : `${p}.${k}`;
    if (typeof sub.description !== 'string' || sub.description.trim() === '') out.push(here);
    out.push(...undescribed(sub, here));
  }
  if (s.items) out.push(...undescribed(s.items, `${p}[]`));
  for (const b of s.anyOf ?? []) out.push(...undescribed(b, p));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.push(...undescribed(s.additionalProperties, `${p}{}`));
  return out;
}

const TOOLS = [placeOrder, modifyPosition, closePosition, hedgePosition, enrollPosition, setParameters, getApproval, getAuditLog] as unknown as ToolDefinition[];

describe.each(TOOLS.map((t) => [t.name, t] as const))('%s contract', (name, tool) => {
  it('object schemas, every property described, four annotation hints', () => {
    const c = toolContract(tool) as { inputSchema: JsonSchema; outputSchema: JsonSchema };
    expect(name).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
    expect(c.inputSchema.type).toBe('object');
    expect(c.outputSchema.type).toBe('object');
    expect(undescribed(c.inputSchema)).toEqual([]);
    expect(undescribed(c.outputSchema)).toEqual([]);
    expect(Object.keys(tool.annotations).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
    if (tool.scope === 'read') expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    else expect(tool.annotations.readOnlyHint).toBe(false);
  });
});

it('no tool approves, denies or executes: no such tool name and no such input', () => {
  for (const t of TOOLS) {
    expect(t.name).not.toMatch(/approve|deny|execute/);
    expect(Object.keys((toolContract(t) as { inputSchema: JsonSchema }).inputSchema.properties ?? {})).not.toContain('approve');
  }
});
