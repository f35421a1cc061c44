/**
 * get_parameters over the real parameter service (SQLite with recorded BTCUSD
 * candles): the version in effect, the history, one version, a field-level
 * diff; unknown versions; not versioned. One call goes through a real MCP
 * client in process.
 */
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETER_SET } from '../../../src/engines/params/index.js';
import { buildMcpServer } from '../../../src/server/mcp/buildMcpServer.js';
import type { ToolContext, ToolDefinition } from '../../../src/tools/index.js';
import { diffParameters } from '../../../src/tools/params/diff.js';
import { getParameters, PARAMETERS_NOT_VERSIONED } from '../../../src/tools/params/getParameters.js';
import { recordedStore, serviceOn, T0 } from '../../engines/params/harness.js';

const rec = recordedStore();
const service = serviceOn(rec.store, rec.clock);
const ctx = { clock: rec.clock, parameters: service } as unknown as ToolContext;

async function call(args: unknown, c: ToolContext = ctx): Promise<Record<string, any>> {
  const tool = getParameters as unknown as ToolDefinition;
  const out = await tool.handler(tool.input.parse(args) as never, c);
  return tool.output.parse(out) as Record<string, any>;
}

beforeAll(async () => {
  rec.clock.advance(60_000);
  await service.apply({ dtms: { breakevenR: 1.5, partialTargetsR: [2, 3] } }, 'approval:R1', 'later breakeven');
  rec.clock.advance(60_000);
  await service.apply({ risk: { blackout: { minutesBefore: 45 } }, exits: { volatilityMultipliers: { calm: 0.8 } } }, 'approval:R2', 'wider blackout');
  rec.clock.advance(60_000);
  await service.rollback(1, 'rollback', 'back to the defaults');
});
afterAll(() => rec.cleanup());

describe('get_parameters', () => {
  it('the version in effect and the history, newest first', async () => {
    const out = await call({});
    expect(out.available).toBe(true);
    expect(out.reason).toBeNull();
    expect(out.current).toEqual({ version: 4, createdAt: new Date(T0 + 180_000).toISOString(), createdBy: 'rollback', reason: 'back to the defaults', active: true, parent: 3, params: DEFAULT_PARAMETER_SET });
    expect(out.versions.map((v: any) => [v.version, v.createdBy, v.active, v.parent])).toEqual([
      [4, 'rollback', true, 3],
      [3, 'approval:R2', false, 2],
      [2, 'approval:R1', false, 1],
      [1, 'default', false, null],
    ]);
    expect(out.selected).toBeNull();
    expect(out.diff).toBeNull();
  });

  it('a field-level diff between two versions, and to the version in effect', async () => {
    const out = await call({ version: 3, diffFrom: 1 });
    expect(out.selected.version).toBe(3);
    expect(out.diff).toEqual({
      from: 1,
      to: 3,
      changes: [
        { path: 'dtms.breakevenR', from: 1, to: 1.5 },
        { path: 'dtms.partialTargetsR', from: [2], to: [2, 3] },
        { path: 'exits.volatilityMultipliers.calm', from: 0.7, to: 0.8 },
        { path: 'risk.blackout.minutesBefore', from: 30, to: 45 },
      ],
    });
    const back = await call({ diffFrom: 3 });
    expect(back.diff.to).toBe(4);
    expect(back.diff.changes).toEqual(diffParameters(service.get(3)!.params, DEFAULT_PARAMETER_SET));
    expect(back.diff.changes).toHaveLength(4);
    expect((await call({ diffFrom: 4 })).diff).toEqual({ from: 4, to: 4, changes: [] });
  });

  it('unknown versions are named; not versioned says so', async () => {
    const out = await call({ version: 9, diffFrom: 8 });
    expect(out).toMatchObject({ available: true, reason: 'version 9 does not exist; version 8 does not exist', selected: null, diff: null });
    expect(out.current.version).toBe(4);
    expect(await call({}, { clock: rec.clock } as unknown as ToolContext)).toEqual({ available: false, reason: PARAMETERS_NOT_VERSIONED, current: null, selected: null, versions: [], diff: null });
  });

  it('over MCP: structured content and annotations', async () => {
    const server = buildMcpServer([getParameters as unknown as ToolDefinition], ctx, { name: 'utp', version: 'test' });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'utp-test', version: '1.0.0' });
    await client.connect(clientTransport);
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => [t.name, t.annotations?.readOnlyHint, t.annotations?.destructiveHint])).toEqual([['get_parameters', true, false]]);
      const res = await client.callTool({ name: 'get_parameters', arguments: { version: 2, diffFrom: 1 } });
      expect(res.isError).toBeFalsy();
      const sc = res.structuredContent as Record<string, any>;
      expect(sc.diff.changes).toEqual([
        { path: 'dtms.breakevenR', from: 1, to: 1.5 },
        { path: 'dtms.partialTargetsR', from: [2], to: [2, 3] },
      ]);
      expect(sc.selected.reason).toMatch(/^later breakeven \(dtms\.breakevenR: 1 -> 1\.5; dtms\.partialTargetsR: \[2\] -> \[2,3\]; dry run: BTCUSD 24 positions over 72 bars/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
